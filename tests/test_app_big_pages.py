"""A server that ignores the page size and sends a million contacts on one page: the page is
read off the event loop (keys keep working, ``q`` quits at once) and the table keeps its first
``MAX_ROWS``, saying so. Real HTTP to the demo server's ``many`` fault."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from tui_fixtures import (
    FAST_RETRY,
    FIXED_NOW,
    Notices,
    list_requests,
    make_app,
    utc,
    wait_for_page,
    wait_until,
)

from livedesk_tui.api.client import ContactsClient
from livedesk_tui.api.models import ContactQuery, Page
from livedesk_tui.demo.faults import parse_fault
from livedesk_tui.demo.server import DemoServer
from livedesk_tui.tui.app import LiveDeskApp
from livedesk_tui.tui.page_loader import MAX_ROWS, in_daemon_thread
from livedesk_tui.tui.screens.help import HelpScreen
from livedesk_tui.tui.widgets.contacts_table import ContactsTable

__all__ = ["utc"]

pytestmark = pytest.mark.usefixtures("utc")


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(contacts=50, seed=7) as running:
        yield running


@pytest.fixture(autouse=True)
def clean_server(server: DemoServer) -> None:
    server.reset()


class HeldRead:
    """The real client over loopback, each answer's reading held in its thread until the test
    lets it go: whatever the machine's speed, the read is still running while keys arrive."""

    def __init__(self, inner: ContactsClient) -> None:
        self.inner = inner
        self.connection = inner.connection
        self.reading = threading.Event()
        self.release = threading.Event()

    def effective_page_size(self, query: ContactQuery) -> int:
        return self.inner.effective_page_size(query)

    async def list_contacts(self, query: ContactQuery) -> Page:
        return await self.inner.list_contacts(query)

    async def fetch_contacts(self, query: ContactQuery) -> Any:
        return await self.inner.fetch_contacts(query)

    def read_contacts(self, fetched: Any, *, max_contacts: int | None = None) -> Page:
        self.reading.set()
        self.release.wait(30)
        return self.inner.read_contacts(fetched, max_contacts=max_contacts)

    async def list_labels(self) -> list[str]:
        return []

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_keys_are_answered_and_q_quits_while_a_page_is_read(server: DemoServer) -> None:
    server.faults.add(parse_fault("many:20000x*"))
    held = HeldRead(ContactsClient(server.connection(), retry=FAST_RETRY, timeout=30))
    app = LiveDeskApp(server.connection(), client=held, clock=lambda: FIXED_NOW)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, held.reading.is_set)
            await pilot.press("question_mark")
            await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
            assert app.page is None, "the help opened while the page was being read"
            await pilot.press("escape", "q")
            await wait_until(pilot, lambda: not app.is_running)
            assert app.page is None, "quitting did not wait for the read"
    finally:
        held.release.set()


async def test_a_million_contacts_on_one_page_show_the_first_thousand(server: DemoServer) -> None:
    """About 31 MB, a second or more to read (the test takes as long): read whole, a page of
    that many rows was refused as a bad response, and built whole it would take gigabytes."""
    server.faults.add(parse_fault("many:1000000x*"))
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.page is not None or app.error is not None, timeout=60)
        assert app.error is None
        assert len(app.query_one("#contacts", ContactsTable).contacts) == MAX_ROWS
        assert app.page is not None and app.page.omitted == 1_000_000 - MAX_ROWS
        await pilot.press("q")
        await wait_until(pilot, lambda: not app.is_running)


async def test_a_page_too_long_shows_its_first_rows_and_says_so(server: DemoServer) -> None:
    server.faults.add(parse_fault("many:5000x*"))
    notices = Notices()
    app = make_app(server)
    async with app.run_test(size=(100, 24), notifications=True, message_hook=notices.hook) as pilot:
        await wait_for_page(pilot, app, 1)
        table = app.query_one("#contacts", ContactsTable)
        assert len(table.contacts) == MAX_ROWS == 1000
        assert table.contacts[0].name == "c1"
        assert app.page is not None and app.page.omitted == 4000
        assert notices.titled("Page too long") == [
            "The server sent 5,000 contacts on one page, ignoring the page size asked for; "
            "the first 1,000 are shown."
        ]
        assert "first 1,000 of this page's 5,000" in app.status_text()
        await pilot.pause(0.2)
        assert list_requests(server) == [1], "the next page, as long, is not asked for ahead"


async def test_a_read_in_a_daemon_thread_returns_or_raises_as_it_would_inline() -> None:
    assert await in_daemon_thread(lambda: 6 * 7) == 42

    def broken() -> int:
        raise ValueError("bad body")

    with pytest.raises(ValueError, match="bad body"):
        await in_daemon_thread(broken)
    slow = asyncio.ensure_future(in_daemon_thread(lambda: sum(range(10**6))))
    slow.cancel()
    with pytest.raises(asyncio.CancelledError):
        await slow
