"""Figures read from a real terminal: bytes written for one page flip, and resident memory after
paging through 50 pages.

``livedesk-tui --demo`` and ``floor_app.py`` each run in an 80x24 pty. After the first row is
on screen the program is left to fall silent (300 ms without output: the next page has been
prefetched), then a key flips the page and every byte up to the next silence is counted.
"""

from __future__ import annotations

from pathlib import Path

from .common import PYTHON, ROOT, Figure, ensure_compiled, median, ratio_figure, spread
from .ptyrun import PtyProcess, scratch_home, terminal_env
from .rows import marker, write_pages
from .startup import FLOOR_APP, app_argv

QUIET = 0.3
"""Seconds without output that count as idle."""


def _flip_bytes(argv: list[str], home: Path, first: bytes, flips: int) -> list[int]:
    """Bytes written for each of ``flips`` page flips (``n``, ``p``, ``n``...), after one
    uncounted round trip (the first key press of a session repaints more than a flip needs)."""
    counts: list[int] = []
    with PtyProcess(argv, terminal_env(home), cwd=ROOT) as proc:
        proc.wait_for(first)
        proc.wait_idle(QUIET)
        for key in (b"n", b"p"):
            proc.send(key)
            proc.wait_idle(QUIET)
        for index in range(flips):
            proc.send(b"n" if index % 2 == 0 else b"p")
            counts.append(proc.wait_idle(QUIET))
        proc.close(quit_keys=b"q")
    return counts


def flip_bytes(quick: bool = False) -> Figure:
    """Figure 5: bytes written to the terminal for one page flip, app vs floor."""
    flips = 1 if quick else 8
    ensure_compiled()
    with scratch_home() as tmp:
        home = Path(tmp)
        pages = write_pages(home / "rows.json", 2)
        first = marker(pages[0][0][0])
        app = _flip_bytes(app_argv(), home, first, flips)
        floor = _flip_bytes([PYTHON, str(FLOOR_APP), str(home / "rows.json")], home, first, flips)
    return ratio_figure(
        "bytes",
        "bytes written for one page flip, 80x24",
        median(app) / 1024,
        median(floor) / 1024,
        unit="KB",
        floor_title="same flip in the DataTable app",
        limit=1.5,
        notes=[f"app {spread(app, 'B', 0)}", f"floor {spread(floor, 'B', 0)}"],
    )


# --- memory after paging ----------------------------------------------------------------------


def _rss_after_pages(argv: list[str], home: Path, first: bytes, pages: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) in KB after ``pages`` presses of ``n``, each followed by silence."""
    with PtyProcess(argv, terminal_env(home), cwd=ROOT) as proc:
        proc.wait_for(first)
        proc.wait_idle(QUIET)
        for _ in range(pages):
            proc.send(b"n")
            proc.wait_idle(0.15)
        proc.wait_idle(QUIET)
        memory = proc.memory()
        proc.close(quit_keys=b"q")
    return memory["VmRSS"], memory["VmHWM"]


def memory_after_pages(quick: bool = False) -> Figure:
    """Figure 8: resident memory after visiting 50 pages, app vs floor."""
    visits = 2 if quick else 50
    ensure_compiled()
    with scratch_home() as tmp:
        home = Path(tmp)
        pages = write_pages(home / "rows.json", visits + 1)
        first = marker(pages[0][0][0])
        app_rss, app_peak = _rss_after_pages(app_argv(), home, first, visits)
        floor_argv = [PYTHON, str(FLOOR_APP), str(home / "rows.json")]
        floor_rss, floor_peak = _rss_after_pages(floor_argv, home, first, visits)
    return ratio_figure(
        "memory",
        f"resident memory after {visits} pages",
        app_rss / 1024,
        floor_rss / 1024,
        unit="MB",
        floor_title=f"DataTable app after {visits} refills",
        limit=1.3,
        notes=[f"peak: app {app_peak / 1024:.1f} MB, floor {floor_peak / 1024:.1f} MB"],
    )
