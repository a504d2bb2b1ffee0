"""Start-up figures: process start to the first contact row on screen, and import time.

Both compare the app with the floor started the same way: ``livedesk-tui --demo`` against
``floor_app.py`` in a real 80x24 pty, and the app's first-frame imports against
``import textual.app``, each in a fresh interpreter.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from .common import (
    PYTHON,
    ROOT,
    Figure,
    ensure_compiled,
    interleave,
    median,
    ratio_figure,
    spread,
)
from .ptyrun import PtyProcess, scratch_home, terminal_env
from .rows import marker, write_pages

FLOOR_APP = Path(__file__).resolve().parent / "floor_app.py"


def app_argv() -> list[str]:
    """``livedesk-tui --demo`` as installed next to this Python (the console script)."""
    script = Path(PYTHON).parent / "livedesk-tui"
    if script.exists():
        return [str(script), "--demo"]
    return [PYTHON, "-m", "livedesk_tui", "--demo"]


def time_to_text(argv: list[str], text: bytes, home: Path, timeout: float = 30.0) -> float:
    """Milliseconds from fork to ``text`` appearing on the pty."""
    with PtyProcess(argv, terminal_env(home), cwd=ROOT) as proc:
        seen = proc.wait_for(text, timeout=timeout)
        elapsed = (seen - proc.started) * 1000
        proc.close(quit_keys=b"q")
    return elapsed


def first_row(quick: bool = False) -> Figure:
    """Figure 1: process start to the first contact row on screen, app vs floor."""
    runs = 1 if quick else 15
    ensure_compiled()
    with scratch_home() as tmp:
        home = Path(tmp)
        pages = write_pages(home / "rows.json", 2)
        text = marker(pages[0][0][0])
        floor_argv = [PYTHON, str(FLOOR_APP), str(home / "rows.json")]
        if not quick:  # one untimed start of each fills the OS file cache, as in daily use
            time_to_text(app_argv(), text, home)
            time_to_text(floor_argv, text, home)
        app, floor = interleave(
            runs,
            lambda: time_to_text(app_argv(), text, home),
            lambda: time_to_text(floor_argv, text, home),
        )
    notes = [
        f"app {spread(app)}",
        f"floor {spread(floor)}",
        "page 1 is asked for with http.client in a thread as the process starts; httpx is "
        "imported only after the first row",
    ]
    return ratio_figure(
        "startup",
        "start to first row, --demo, 80x24 pty",
        median(app),
        median(floor),
        unit="ms",
        floor_title="15-row DataTable app",
        limit=1.3,
        notes=notes,
    )


# --- import time ------------------------------------------------------------------------------

APP_IMPORTS = "import livedesk_tui.cli, livedesk_tui.tui.app"
FLOOR_IMPORTS = "import textual.app"
FIRST_FRAME_IMPORTS = (
    "import livedesk_tui.cli, livedesk_tui.tui.app, livedesk_tui.demo.launch, "
    "livedesk_tui.tui.widgets.contacts_table, livedesk_tui.tui.widgets.filter_sidebar, "
    "livedesk_tui.tui.widgets.contact_detail, livedesk_tui.tui.widgets.status_bar, "
    "livedesk_tui.tui.widgets.key_bar"
)
FLOOR_FRAME_IMPORTS = "import textual.app, textual.widgets._data_table"


def import_ms(statement: str) -> float:
    """Milliseconds that ``statement`` takes in a fresh interpreter (start-up excluded)."""
    code = (
        "import time\n"
        "started = time.perf_counter()\n"
        f"{statement}\n"
        "print((time.perf_counter() - started) * 1000)\n"
    )
    return _printed_ms(code)


def _printed_ms(code: str) -> float:
    """Run ``code`` in a fresh interpreter; the milliseconds it prints on its last line."""
    done = subprocess.run(
        [PYTHON, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, timeout=60
    )
    return float(done.stdout.strip().splitlines()[-1])


def heaviest_modules(statement: str, prefix: str = "livedesk_tui", count: int = 4) -> list[str]:
    """The modules under ``prefix`` that cost the most themselves (``-X importtime``)."""
    done = subprocess.run(
        [PYTHON, "-X", "importtime", "-c", statement],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=60,
    )
    costs: list[tuple[int, str]] = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, _cumulative, name = line.removeprefix("import time:").split("|", 2)
        if name.strip().startswith(prefix):
            costs.append((int(own), name.strip()))
    costs.sort(reverse=True)
    return [f"{name} {own / 1000:.1f}" for own, name in costs[:count]]


def imports(quick: bool = False) -> Figure:
    """Figure 2: the app's imports before the first frame vs ``import textual.app``."""
    runs = 2 if quick else 11
    ensure_compiled()
    app, floor = interleave(runs, lambda: import_ms(APP_IMPORTS), lambda: import_ms(FLOOR_IMPORTS))
    notes = [f"app {spread(app)}", f"floor {spread(floor)}"]
    if not quick:
        whole, whole_floor = interleave(
            5, lambda: import_ms(FIRST_FRAME_IMPORTS), lambda: import_ms(FLOOR_FRAME_IMPORTS)
        )
        notes.append(
            f"with the widgets and the demo launcher {median(whole):.0f} ms vs textual.app + "
            f"DataTable {median(whole_floor):.0f} ms "
            f"(ratio {median(whole) / median(whole_floor):.2f})"
        )
        notes.append("own cost (ms): " + ", ".join(heaviest_modules(FIRST_FRAME_IMPORTS)))
    return ratio_figure(
        "imports",
        "imports before the first frame",
        median(app),
        median(floor),
        unit="ms",
        floor_title="import textual.app",
        limit=1.2,
        notes=notes,
    )
