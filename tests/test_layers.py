"""The layers of DESIGN.md hold: the API and demo layers know no Textual, the TUI no httpx."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "livedesk_tui"


def imported_roots(path: Path) -> set[str]:
    """Top-level names of every module a file imports (absolute imports, at any depth)."""
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def modules_under(folder: str) -> list[Path]:
    files = sorted((PACKAGE / folder).rglob("*.py"))
    assert files, f"no modules under {folder}"
    return files


def test_api_and_demo_import_no_textual_or_rich() -> None:
    for path in modules_under("api") + modules_under("demo"):
        assert not imported_roots(path) & {"textual", "rich"}, path


def test_tui_imports_no_httpx() -> None:
    for path in modules_under("tui"):
        assert "httpx" not in imported_roots(path), path


def test_importing_every_api_and_demo_module_loads_no_textual() -> None:
    names = [
        ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        for path in modules_under("api") + modules_under("demo")
    ]
    # httpx itself loads Rich where click and Rich are installed (for its own command line,
    # `httpx._main`): what it loads is not the API layer's doing, and is left out.
    code = (
        "import importlib, sys\n"
        "import httpx\n"
        "before = set(sys.modules)\n"
        f"for name in {names!r}: importlib.import_module(name)\n"
        "loaded = set(sys.modules) - before\n"
        "print(sorted(m for m in loaded if m.split('.')[0] in ('textual', 'rich')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"


def test_the_app_module_does_not_load_httpx_before_the_first_frame() -> None:
    code = "import sys, livedesk_tui.cli, livedesk_tui.tui.app; print('httpx' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "False"
