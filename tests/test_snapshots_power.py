"""Snapshots of the power-use views at 80x24: the copy menu, the raw JSON (of a hostile contact:
every control character visible, no markup read), the profile list, the export dialog, and a
Chatwoot search page that only says whether more follow.

Deterministic as ``test_snapshots.py``: a fixed clock and time zone, a fixed address on screen,
no blinking cursor, the home folder fixed. Update with ``--snapshot-update`` and look at every
SVG before committing it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from tui_fixtures import make_app, no_cursor_blink, utc, wait_for_page, wait_until

from livedesk_tui.api.connection import Connection
from livedesk_tui.api.models import ContactQuery
from livedesk_tui.demo.server import DemoServer
from livedesk_tui.tui.app import LiveDeskApp

__all__ = ["utc"]

pytestmark = pytest.mark.usefixtures("utc")

SIZE = (80, 24)


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(contacts=1000, seed=7) as running:
        yield running


@pytest.fixture(scope="module")
def hostile_server() -> Iterator[DemoServer]:
    with DemoServer(contacts=30, seed=7, hostile=True) as running:
        yield running


@pytest.fixture(scope="module")
def chatwoot_server() -> Iterator[DemoServer]:
    with DemoServer(contacts=1000, seed=7, dialect="chatwoot", account_id=3) as running:
        yield running


def opened(
    app: LiveDeskApp, keys: tuple[str, ...], ready: Callable[[], bool] | None = None
) -> Callable[[Pilot[Any]], Any]:
    """A ``run_before``: wait for the page, press ``keys``, wait for a new screen (or
    ``ready``), then settle."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_for_page(pilot, app)
        await pilot.press(*keys)
        await wait_until(pilot, ready or (lambda: app.screen is not app.screen_stack[0]))
        await wait_until(pilot, lambda: app.screen.focused is not None)
        no_cursor_blink(app)
        await pilot.pause()

    return run_before


def test_copy_menu(snap_compare: Any, server: DemoServer) -> None:
    app = make_app(server, stable=True)
    assert snap_compare(app, terminal_size=SIZE, run_before=opened(app, ("j", "y")))


def test_raw_json_of_a_hostile_contact(snap_compare: Any, hostile_server: DemoServer) -> None:
    app = make_app(hostile_server, stable=True)
    assert snap_compare(app, terminal_size=SIZE, run_before=opened(app, ("j", "R")))


def test_profile_list(snap_compare: Any, server: DemoServer) -> None:
    def connect(name: str) -> Connection:
        raise AssertionError("nothing is chosen in this snapshot")

    app = make_app(
        server,
        stable=True,
        profiles=("demo", "sg-production", "us-production", "selfhosted"),
        connect_profile=connect,
    )
    assert snap_compare(app, terminal_size=SIZE, run_before=opened(app, ("P",)))


def test_export_dialog(
    snap_compare: Any, server: DemoServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    app = make_app(server, stable=True, initial_query=ContactQuery(labels=("vip",)))
    assert snap_compare(app, terminal_size=SIZE, run_before=opened(app, ("e",)))


def test_chatwoot_search_says_more(snap_compare: Any, chatwoot_server: DemoServer) -> None:
    app = make_app(chatwoot_server, stable=True, initial_query=ContactQuery(search="example"))

    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_for_page(pilot, app)
        await pilot.press("n")
        await wait_for_page(pilot, app, 2)
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
