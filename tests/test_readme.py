"""The README names tests as the proof of what it promises: every test it names exists.

A name is written `tests/FILE.py::test_name`, or `::test_name` for another test of the last
file named before it.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_REFERENCE = re.compile(r"`(tests/[\w/]+\.py)(?:::(\w+))?`|`::(\w+)`")


def named_tests(text: str) -> list[tuple[str, str | None]]:
    """Each (file, test) the text names, in order; ``None`` for a whole file."""
    found: list[tuple[str, str | None]] = []
    current = None
    for match in _REFERENCE.finditer(text):
        if match[1]:
            current = match[1]
            found.append((current, match[2]))
        elif current is not None:
            found.append((current, match[3]))
    return found


def test_every_test_the_readme_names_exists() -> None:
    named = named_tests((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(named) > 50, "the Reliability section names its tests"
    missing = []
    for file, test in named:
        path = ROOT / file
        if not path.exists():
            missing.append(file)
        elif test and not re.search(rf"^(async )?def {test}\b", path.read_text("utf-8"), re.M):
            missing.append(f"{file}::{test}")
    assert missing == []


def test_the_reference_reader_follows_the_last_file_named() -> None:
    text = "`tests/a.py::one`, `::two` and `tests/b.py`, `::three`"
    assert named_tests(text) == [
        ("tests/a.py", "one"),
        ("tests/a.py", "two"),
        ("tests/b.py", None),
        ("tests/b.py", "three"),
    ]
