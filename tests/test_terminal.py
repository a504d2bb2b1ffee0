"""Terminals as support staff have them: a tmux pane resized while a page loads, ``NO_COLOR``,
16 colours (``TERM=screen``), and no mouse. The app must stay usable in each.

The snapshots of the narrow (40x12) and monochrome screens are in ``test_snapshots.py``.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.cells import cell_len
from terminal_colours import (
    invisible_text,
    row_backgrounds,
    screen_colours,
    sixteen_colour_cells,
)
from tui_fixtures import (
    expected_ids,
    make_app,
    screen_text,
    shown_ids,
    utc,
    wait_for_page,
    wait_until,
)

from livedesk_tui.api.models import ContactQuery
from livedesk_tui.demo.faults import parse_fault
from livedesk_tui.demo.server import DemoServer
from livedesk_tui.tui.screens.error import ErrorScreen

__all__ = ["utc"]

pytestmark = pytest.mark.usefixtures("utc")

BORDERS = re.compile("[\u2500-\u259f]")
"""Box drawing and block elements: borders and scrollbars, not text to read."""


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(contacts=300, seed=7) as running:
        yield running


@pytest.fixture(autouse=True)
def _clean(server: DemoServer) -> Iterator[None]:
    server.reset()
    yield
    server.faults.clear()
    server.latency_ms = 0


def fits(app: object, width: int) -> bool:
    return all(cell_len(line) <= width for line in screen_text(app).splitlines())  # type: ignore[arg-type]


async def test_resizing_to_40x12_and_back_while_a_page_loads(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_page(pilot, app, 1)
        assert app.wide
        server.latency_ms = 1500  # long enough for every step below, whatever the machine
        await pilot.press("greater_than_sign")  # the last page: not prefetched
        await wait_until(pilot, lambda: app.pending is not None)
        await pilot.resize_terminal(40, 12)
        await wait_until(pilot, lambda: not app.wide)
        lines = screen_text(app).splitlines()
        assert len(lines) == 12 and fits(app, 40)
        assert app.pending is not None, "still loading"
        assert "loading page" in lines[-2], "the narrow status line still says what happens"
        assert not app.query_one("#sidebar").display and not app.query_one("#detail").display
        await pilot.resize_terminal(120, 40)
        await wait_until(pilot, lambda: app.wide)
        assert app.query_one("#detail").display
        await wait_for_page(pilot, app, 20)
        server.latency_ms = 0
        assert shown_ids(app) == expected_ids(server, ContactQuery(page=20))
        await pilot.resize_terminal(40, 12)
        await wait_until(pilot, lambda: not app.wide)
        assert screen_text(app).splitlines()[-2].startswith(" page 20 of 20 · 300 contacts")
        await pilot.press("p")  # still answering keys
        await wait_for_page(pilot, app, 19)
        assert fits(app, 40)
        assert app.is_running


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
async def test_sixteen_colours_leave_no_text_invisible(server: DemoServer, theme: str) -> None:
    """Each colour as a 16-colour terminal shows it: no text may end up in the colour of its
    background, and the cursor row must stand out."""
    app = make_app(server, theme=theme)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for_page(pilot, app, 1)
        await pilot.press("j", "j")
        svg = app.export_screenshot()
        assert len(sixteen_colour_cells(svg)) > 800
        lost = [cell for cell in invisible_text(svg) if not BORDERS.match(cell.char)]
        assert lost == [], "".join(cell.char for cell in lost)
        cursor = row_backgrounds(svg, 3)  # the header, two rows, then the cursor's
        others = row_backgrounds(svg, 2) | row_backgrounds(svg, 4)
        assert cursor - others, "the cursor row has a background of its own"
        server.faults.add(parse_fault("401x*"))
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, ErrorScreen))
        svg = app.export_screenshot()
        shown = {(cell.row, cell.column) for cell in sixteen_colour_cells(svg)}
        readable = {(cell.row, cell.column) for cell in invisible_text(svg)}
        dialog = []
        for row, line in enumerate(screen_text(app).splitlines()):
            for phrase in ("The server refused the credentials", "r retry · escape close"):
                start = line.find(phrase)
                if start >= 0:
                    column = cell_len(line[:start])
                    dialog += [(row, column + i) for i, char in enumerate(phrase) if char != " "]
        assert len(dialog) > 40
        assert all(cell in shown and cell not in readable for cell in dialog)


async def test_no_color_keeps_the_cursor_and_a_failure_visible(
    server: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        await pilot.press("j")
        server.faults.add(parse_fault("500x*"))
        await pilot.press("r")
        await wait_until(pilot, lambda: app.error is not None)
        svg = app.export_screenshot()
        status = screen_text(app).splitlines()[-2]
    colours = screen_colours(svg) - {"#c5c8c6"}  # the terminal's own colour: nothing set
    assert len(colours) > 3 and all(c[1:3] == c[3:5] == c[5:7] for c in colours), "greys only"
    assert row_backgrounds(svg, 2) != row_backgrounds(svg, 3), "the cursor row stands out"
    assert "failed (r to retry)" in status
    bold = re.findall(r"\.(terminal-[\w-]+) \{ fill: #[0-9a-f]{6};font-weight: bold", svg)
    texts = re.findall(r'<text class="(terminal-[\w-]+)"[^>]*line-22\)">([^<]*)</text>', svg)
    assert any(name in bold and "failed" in text for name, text in texts), "failure in bold"


# --- a real terminal ----------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")
def test_in_tmux_with_16_colours_and_no_mouse(isolated_environment: Path) -> None:
    """``livedesk-tui --demo`` in a tmux pane (``TERM=screen``: 16 colours, the mouse off), driven
    from the keyboard alone, resized to 40x12 and back, then quit."""
    tmux = ["tmux", "-L", f"livedesk-test-{uuid.uuid4().hex[:8]}", "-f", os.devnull]
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(isolated_environment),
        "TERM": "screen",
        **{key: value for key, value in os.environ.items() if key.startswith("XDG_")},
    }
    assignments = [f"{key}={value}" for key, value in env.items()]
    command = shlex.join(
        ["env", "-i", *assignments, sys.executable, "-m", "livedesk_tui", "--demo"]
    )

    def run(*args: str) -> str:
        done = subprocess.run(
            [*tmux, *args], capture_output=True, text=True, timeout=20, check=False
        )
        return done.stdout

    def screen(colours: bool = False) -> str:
        return run("capture-pane", "-p", *(["-e"] if colours else []), "-t", "t")

    def wait_for(text: str) -> str:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            shown = screen()
            if text in shown:
                return shown
            time.sleep(0.05)
        raise AssertionError(f"{text!r} never showed; the screen was:\n{screen()}")

    run("new-session", "-d", "-s", "t", "-x", "100", "-y", "30", command)
    try:
        wait_for("page 1 of 67 · 1,000 contacts")
        run("send-keys", "-t", "t", "n")
        wait_for("page 2 of 67")
        sgr = set(re.findall(r"\x1b\[([0-9;]*)m", screen(colours=True)))
        codes = {int(code) for group in sgr for code in group.split(";") if code}
        assert codes and not codes & {38, 48}, "16 colours only: no 256 or 24-bit codes"
        run("send-keys", "-t", "t", "?")
        wait_for("Next page")
        run("send-keys", "-t", "t", "Escape")
        run("resize-window", "-t", "t", "-x", "40", "-y", "12")
        shown = wait_for("page 2 of 67 · 1,000")
        assert all(cell_len(line) <= 40 for line in shown.splitlines())
        run("resize-window", "-t", "t", "-x", "100", "-y", "30")
        wait_for("page 2 of 67 · 1,000 contacts · all contacts")
        run("send-keys", "-t", "t", "q")
        deadline = time.monotonic() + 10
        while "t:" in run("list-sessions") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "t:" not in run("list-sessions"), "q quits"
    finally:
        run("kill-server")
