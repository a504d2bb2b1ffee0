"""Snapshots of the main views at 80x24 and 120x40, of a 40x12 pane and of NO_COLOR, against
the demo server.

Deterministic by construction: a fixed clock and time zone, a fixed address on screen (the
server's free port is reached through a port-rewriting transport), no blinking cursor, and every
snapshot taken only once the page it shows has loaded. Update with
``python -m pytest tests/test_snapshots.py --snapshot-update`` and look at every SVG.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from textual.pilot import Pilot
from tui_fixtures import make_app, no_cursor_blink, utc, wait_for_page, wait_until

from livedesk_tui.api.connection import Secret
from livedesk_tui.api.models import ContactQuery
from livedesk_tui.demo.faults import parse_fault
from livedesk_tui.demo.server import DemoServer
from livedesk_tui.tui.app import LiveDeskApp
from livedesk_tui.tui.screens.error import ErrorScreen

__all__ = ["utc"]

pytestmark = pytest.mark.usefixtures("utc")

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}
FILTERED = ContactQuery(labels=("vip", "partner"), sort="name", direction="desc")


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(contacts=1000, seed=7) as running:
        yield running


@pytest.fixture(scope="module")
def hostile_server() -> Iterator[DemoServer]:
    with DemoServer(contacts=30, seed=7, hostile=True) as running:
        yield running


def loaded(app: LiveDeskApp, then: Callable[[Pilot[Any]], Any] | None = None) -> Any:
    """A ``run_before`` that waits for the page, then runs ``then``, then settles."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_for_page(pilot, app)
        if then is not None:
            await then(pilot)
        no_cursor_blink(app)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_first_page(snap_compare: Any, server: DemoServer, size: str) -> None:
    app = make_app(server, stable=True)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=loaded(app))


@pytest.mark.parametrize("size", SIZES)
def test_filtered_and_sorted(snap_compare: Any, server: DemoServer, size: str) -> None:
    app = make_app(server, stable=True, initial_query=FILTERED)

    async def show_filters(pilot: Pilot[Any]) -> None:
        if not app.sidebar_open:
            await pilot.press("f")

    assert snap_compare(app, terminal_size=SIZES[size], run_before=loaded(app, show_filters))


@pytest.mark.parametrize("size", SIZES)
def test_contact_detail(snap_compare: Any, server: DemoServer, size: str) -> None:
    """Full screen at 80x24 (enter); the pane beside the table at 120x40."""
    app = make_app(server, stable=True)

    async def open_contact(pilot: Pilot[Any]) -> None:
        await pilot.press("j", "j")
        if not app.wide:
            await pilot.press("enter")
            await wait_until(pilot, lambda: app.screen is not app.screen_stack[0])

    assert snap_compare(app, terminal_size=SIZES[size], run_before=loaded(app, open_contact))


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare: Any, server: DemoServer, size: str) -> None:
    app = make_app(server, stable=True)

    async def open_help(pilot: Pilot[Any]) -> None:
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: app.screen is not app.screen_stack[0])

    assert snap_compare(app, terminal_size=SIZES[size], run_before=loaded(app, open_help))


@pytest.mark.parametrize("size", SIZES)
def test_auth_error(snap_compare: Any, server: DemoServer, size: str) -> None:
    connection = replace(
        server.connection(),
        api_secret=Secret("not-the-secret"),
        origin="environment (LIVEDESK_API_KEY, LIVEDESK_API_SECRET)",
    )
    app = make_app(server, stable=True, connection=connection)

    async def refused(pilot: Pilot[Any]) -> None:
        await wait_until(pilot, lambda: isinstance(app.screen, ErrorScreen))
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZES[size], run_before=refused)


@pytest.mark.parametrize("size", SIZES)
def test_hostile_contacts(snap_compare: Any, hostile_server: DemoServer, size: str) -> None:
    app = make_app(hostile_server, stable=True)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=loaded(app))


def test_hostile_contact_detail(snap_compare: Any, hostile_server: DemoServer) -> None:
    app = make_app(hostile_server, stable=True)

    async def open_escapes(pilot: Pilot[Any]) -> None:
        await pilot.press("j", "enter")  # the contact full of escape sequences
        await wait_until(pilot, lambda: app.screen is not app.screen_stack[0])

    assert snap_compare(app, terminal_size=(80, 24), run_before=loaded(app, open_escapes))


# --- a tmux pane, a terminal without colour ---------------------------------------------------

NARROW = (40, 12)


def test_narrow_first_page(snap_compare: Any, server: DemoServer) -> None:
    """40x12: name, email and last activity; the status line keeps the page and the count."""
    app = make_app(server, stable=True)
    assert snap_compare(app, terminal_size=NARROW, run_before=loaded(app))


def test_narrow_auth_error(snap_compare: Any, server: DemoServer) -> None:
    """The dialog drops its blank lines so its keys stay in view in 12 rows."""
    connection = replace(server.connection(), api_secret=Secret("not-the-secret"))
    app = make_app(server, stable=True, connection=connection)

    async def refused(pilot: Pilot[Any]) -> None:
        await wait_until(pilot, lambda: isinstance(app.screen, ErrorScreen))
        await pilot.pause()

    assert snap_compare(app, terminal_size=NARROW, run_before=refused)


def test_monochrome_failed_reload(
    snap_compare: Any, server: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NO_COLOR=1: greys only; the cursor row and the failure in the status line still stand
    out (a lighter bar, and bold)."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(server, stable=True)

    async def fail(pilot: Pilot[Any]) -> None:
        await pilot.press("j", "j")
        server.faults.add(parse_fault("500x*"))
        try:
            await pilot.press("r")
            await wait_until(pilot, lambda: app.error is not None)
        finally:
            server.faults.clear()
        app.clear_notifications()

    assert snap_compare(app, terminal_size=(80, 24), run_before=loaded(app, fail))
