"""The page cache and loader behind the app: bounded LRU, shared requests, cancellation of
requests nobody waits for any more, and closing. A source whose answers the test releases by
hand makes the timing exact; the app tests cover the real client over loopback."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest

from livedesk_tui.api.connection import Connection
from livedesk_tui.api.errors import ServerError
from livedesk_tui.api.models import Contact, ContactQuery, Page
from livedesk_tui.tui.page_cache import PageCache
from livedesk_tui.tui.page_loader import PageLoader


def page_for(query: ContactQuery) -> Page:
    contacts = tuple(Contact.from_json({"id": query.page * 100 + i}) for i in range(3))
    return Page(query=query, contacts=contacts, total=300, page_size=query.page_size)


@dataclass
class GatedSource:
    """Answers each request when the test sets its gate; counts requests and closing."""

    connection: Connection = field(default_factory=lambda: Connection("http://127.0.0.1:1"))
    gates: dict[ContactQuery, asyncio.Event] = field(default_factory=dict)
    asked: list[ContactQuery] = field(default_factory=list)
    cancelled: list[ContactQuery] = field(default_factory=list)
    fail: bool = False
    closed: bool = False

    def gate(self, query: ContactQuery) -> asyncio.Event:
        return self.gates.setdefault(query, asyncio.Event())

    def effective_page_size(self, query: ContactQuery) -> int:
        return query.page_size

    async def list_contacts(self, query: ContactQuery) -> Page:
        self.asked.append(query)
        try:
            await self.gate(query).wait()
        except asyncio.CancelledError:
            self.cancelled.append(query)
            raise
        if self.fail:
            raise ServerError("the server had a server error (HTTP 500).", status=500)
        return page_for(query)

    async def list_labels(self) -> list[str]:
        return []

    async def aclose(self) -> None:
        self.closed = True


def loader_for(source: GatedSource, **kwargs) -> PageLoader:
    async def open_source() -> GatedSource:
        return source

    return PageLoader(open_source, **kwargs)


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def test_cache_is_bounded_and_least_recently_used_goes_first() -> None:
    cache = PageCache(capacity=3)
    queries = [ContactQuery(page=n) for n in range(1, 5)]
    for query in queries[:3]:
        cache.put(page_for(query))
    assert cache.get(queries[0]) is not None  # page 1 is now the most recent
    cache.put(page_for(queries[3]))
    assert len(cache) == 3
    assert queries[1] not in cache  # page 2 was the least recently used
    assert all(q in cache for q in (queries[0], queries[2], queries[3]))


def test_cache_invalidates_one_set_of_filters() -> None:
    cache = PageCache()
    plain = [ContactQuery(page=n) for n in (1, 2)]
    labelled = ContactQuery(labels=("vip",))
    for query in [*plain, labelled]:
        cache.put(page_for(query))
    assert cache.invalidate(ContactQuery(page=7)) == 2
    assert labelled in cache and not any(q in cache for q in plain)


async def test_a_page_is_fetched_once_and_then_comes_from_memory() -> None:
    source = GatedSource()
    loader = loader_for(source)
    query = ContactQuery(page=2)
    source.gate(query).set()
    first = await loader.load(query)
    again = await loader.load(query)
    assert again is first
    assert source.asked == [query]
    assert loader.requests_started == 1
    fresh = await loader.load(query, refresh=True)
    assert fresh is not first
    assert source.asked == [query, query]


async def test_two_waiters_share_one_request() -> None:
    source = GatedSource()
    loader = loader_for(source)
    query = ContactQuery(page=3)
    one = asyncio.ensure_future(loader.load(query))
    two = asyncio.ensure_future(loader.load(query))
    await settle()
    assert loader.in_flight(query)
    source.gate(query).set()
    assert await one is await two
    assert source.asked == [query]
    assert not loader.in_flight(query)


async def test_a_request_nobody_waits_for_is_cancelled() -> None:
    source = GatedSource()
    loader = loader_for(source)
    query = ContactQuery(page=4)
    waiter = asyncio.ensure_future(loader.load(query))
    await settle()
    waiter.cancel()
    await settle()
    assert source.cancelled == [query]
    assert not loader.in_flight(query)
    assert loader.cached(query) is None


async def test_a_request_outlives_one_of_two_waiters() -> None:
    source = GatedSource()
    loader = loader_for(source)
    query = ContactQuery(page=5)
    leaving = asyncio.ensure_future(loader.load(query))
    staying = asyncio.ensure_future(loader.load(query))
    await settle()
    leaving.cancel()
    await settle()
    assert source.cancelled == []
    source.gate(query).set()
    assert (await staying).number == 5
    assert loader.cached(query) is not None


async def test_requests_for_other_filters_are_cancelled() -> None:
    source = GatedSource()
    loader = loader_for(source)
    old = ContactQuery(page=2)
    new = ContactQuery(labels=("vip",))
    waiter = asyncio.ensure_future(loader.load(old))
    await settle()
    loader.cancel_other_filters(new)
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert source.cancelled == [old]


async def test_errors_reach_every_waiter_and_are_not_cached() -> None:
    source = GatedSource(fail=True)
    loader = loader_for(source)
    query = ContactQuery()
    waiters = [asyncio.ensure_future(loader.load(query)) for _ in range(2)]
    await settle()
    source.gate(query).set()
    for waiter in waiters:
        with pytest.raises(ServerError):
            await waiter
    assert loader.cached(query) is None
    source.fail = False
    assert (await loader.load(query)).number == 1


async def test_a_failed_open_is_tried_again() -> None:
    attempts: list[int] = []
    source = GatedSource()

    async def open_source() -> GatedSource:
        attempts.append(1)
        if len(attempts) == 1:
            raise ServerError("cannot open")
        return source

    loader = PageLoader(open_source)
    query = ContactQuery()
    source.gate(query).set()
    with pytest.raises(ServerError):
        await loader.load(query)
    assert (await loader.load(query)).number == 1
    assert len(attempts) == 2


async def test_closing_cancels_requests_and_closes_the_source() -> None:
    source = GatedSource()
    loader = loader_for(source)
    query = ContactQuery(page=9)
    waiter = asyncio.ensure_future(loader.load(query))
    await settle()
    await loader.aclose()
    assert source.closed
    assert source.cancelled == [query]
    with pytest.raises(asyncio.CancelledError):
        await waiter


async def test_closing_an_unused_loader_opens_nothing() -> None:
    opened: list[int] = []

    async def open_source() -> GatedSource:
        opened.append(1)
        return GatedSource()

    await PageLoader(open_source).aclose()
    assert opened == []


# --- the first page, asked for as the process started ---------------------------------------


class AdoptingSource(GatedSource):
    """A gated source that records the page size it is told the server uses."""

    adopted: list[int]

    def __init__(self) -> None:
        super().__init__()
        self.adopted = []

    def adopt_page_size(self, size: int) -> None:
        self.adopted.append(size)


def _opened(loader: PageLoader) -> bool:
    return loader._opening is not None  # the loader's own state, not Textual's


async def test_the_first_page_comes_from_the_head_start_without_opening_the_source() -> None:
    from livedesk_tui.api.first_page import FirstPage
    from livedesk_tui.demo.server import DemoServer

    with DemoServer(contacts=40) as server:
        first = FirstPage(server.connection(), ContactQuery(), env={}).start()
        source = AdoptingSource()
        loader = loader_for(source, first_page=first)
        page = await loader.load(ContactQuery())
        assert [c.raw["id"] for c in page.contacts] == [c.raw["id"] for c in server.contacts[:15]]
        assert page.total == 40 and page.query == ContactQuery()
        assert not _opened(loader) and loader.requests_started == 0
        assert len(server.requests) == 1
        assert loader.cached(ContactQuery()) is page
        # the head start is used once: a reload goes to the source
        reload = asyncio.ensure_future(loader.load(ContactQuery(), refresh=True))
        await settle()
        assert source.asked == [ContactQuery()]
        source.gate(ContactQuery()).set()
        await reload
        assert source.adopted == []


async def test_a_failed_head_start_is_asked_again_the_ordinary_way() -> None:
    from livedesk_tui.api.first_page import FirstPage
    from livedesk_tui.demo.faults import parse_fault
    from livedesk_tui.demo.server import DemoServer

    with DemoServer(contacts=40) as server:
        server.faults.add(parse_fault("500"))
        first = FirstPage(server.connection(), ContactQuery(), env={}).start()
        source = AdoptingSource()
        loader = loader_for(source, first_page=first)
        load = asyncio.ensure_future(loader.load(ContactQuery()))
        for _ in range(200):
            await asyncio.sleep(0.01)
            if source.asked:
                break
        assert source.asked == [ContactQuery()]
        source.gate(ContactQuery()).set()
        page = await load
        assert page.contacts[0].raw["id"] == 100  # the source's page, not the server's


async def test_a_page_size_the_head_start_saw_ignored_is_told_to_the_source() -> None:
    from livedesk_tui.api.first_page import FirstPage
    from livedesk_tui.demo.server import DemoServer

    with DemoServer(contacts=40, ignore_page_size=True) as server:
        query = ContactQuery(page_size=10)
        first = FirstPage(server.connection(), query, env={}).start()
        source = AdoptingSource()
        loader = loader_for(source, first_page=first)
        page = await loader.load(query)
        assert len(page.contacts) == 15 and page.page_size == 15 and page.page_count == 3
        following = asyncio.ensure_future(loader.load(query.at_page(2)))
        await settle()
        assert source.adopted == [15], "told before the source is asked for anything"
        source.gate(query.at_page(2)).set()
        await following


async def test_the_browser_shows_the_head_start_before_it_opens_its_client() -> None:
    """The first row needs no HTTP client (importing httpx costs start-up): the client is
    opened only after the first page is painted, for the labels and the next page."""
    from tui_fixtures import FIXED_NOW, wait_for_page

    from livedesk_tui.api.first_page import FirstPage
    from livedesk_tui.demo.server import DemoServer
    from livedesk_tui.tui.app import LiveDeskApp
    from livedesk_tui.tui.messages import PageLoaded

    opened_at_first_page: list[bool] = []

    def hook(message: object) -> None:
        if isinstance(message, PageLoaded) and not opened_at_first_page:
            opened_at_first_page.append(_opened(app.loader))

    with DemoServer(contacts=40, dialect="chatwoot") as server:
        first = FirstPage(server.connection(), ContactQuery(), env={}).start()
        app = LiveDeskApp(server.connection(), clock=lambda: FIXED_NOW, first_page=first)
        async with app.run_test(size=(80, 24), message_hook=hook) as pilot:
            await wait_for_page(pilot, app, 1)
            for _ in range(100):
                if any(r.path.endswith("/labels") for r in server.requests):
                    break
                await pilot.pause(0.02)
        assert opened_at_first_page == [False]
        paths = [r.path for r in server.requests]
        assert paths[0] == "/api/v1/accounts/1/contacts"  # the head start
        assert paths.index("/api/v1/accounts/1/labels") > 0, "labels after the first page"
