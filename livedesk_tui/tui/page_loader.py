"""Load pages through one contacts source, sharing requests and remembering the results.

Two parts of the app may want the same page at once: the prefetch of the next page, and the
user paging onto it before it arrived. They share one request. A request lives while someone
still waits for it: when every waiter has been cancelled (the user paged on, the filters
changed) the request is cancelled too, so superseded loads cost nothing more.

An answer is read (its JSON parsed, its contacts built) in a thread, not on the loop, and at
most ``MAX_ROWS`` contacts of it are built: a server that ignores the page size can send a
million on one page, and the screen would stop answering keys for the seconds that takes. The
thread is a daemon: quitting meanwhile does not wait for a read nobody wants any more.

Nothing here knows about Textual; it runs on whatever asyncio loop calls it.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, TypeVar

from ..api.errors import LiveDeskError
from ..api.first_page import Answer, FirstPage
from ..api.models import ContactQuery, Page
from ..api.paging import served_page_size
from ..api.parse import parse_page
from ..api.source import ContactsSource
from .page_cache import PageCache

READ_AT_ONCE = 256 * 1024
"""Bytes of a first page read on the event loop when it is in before the first frame (a
page of 15 to 100 contacts: a few milliseconds); a larger one is read in a thread."""
MAX_ROWS = 1000
"""The most contacts of one page kept for the table (pages have 100 at most; a page of more
shows its first ``MAX_ROWS`` and counts the rest in ``Page.omitted``)."""

T = TypeVar("T")


@dataclass(slots=True)
class _Request:
    task: asyncio.Task[Page]
    waiters: int = 0


class PageLoader:
    """Pages for queries: from the cache when seen before, else from the source.

    Args:
        open_source: Makes the source on first use (building the HTTP client imports httpx,
            which the first frame does not need).
        cache: Where pages are remembered; a fresh ``PageCache`` when not given.
    """

    def __init__(
        self,
        open_source: Callable[[], Awaitable[ContactsSource]],
        *,
        cache: PageCache | None = None,
        first_page: FirstPage | None = None,
    ) -> None:
        self._open_source = open_source
        self._first_page = first_page
        self._served_size: int | None = None
        """The page size the first page showed the server uses, for the source once open."""
        self._opening: asyncio.Task[ContactsSource] | None = None
        self._inflight: dict[ContactQuery, _Request] = {}
        self.cache = cache if cache is not None else PageCache()
        self.requests_started = 0
        """How many requests went to the source (a figure for tests and benchmarks)."""

    def cached(self, query: ContactQuery) -> Page | None:
        """The page for ``query`` if it can be shown now: seen before, or the first page
        asked for as the process started, in already and small enough to read at once (so the
        first frame can hold it, as it would a page built in)."""
        page = self.cache.get(query)
        if page is None and self._first_page is not None:
            page = self._ready_first_page(query)
        return page

    def in_flight(self, query: ContactQuery) -> bool:
        return query in self._inflight

    async def source(self) -> ContactsSource:
        """The source, opened once; a failed open is tried again on the next call."""
        if self._opening is None:
            self._opening = asyncio.ensure_future(self._open_source())
        opening = self._opening
        try:
            return await asyncio.shield(opening)
        except Exception:
            if opening.done() and self._opening is opening:
                self._opening = None
            raise

    async def load(self, query: ContactQuery, *, refresh: bool = False) -> Page:
        """The page for ``query``; ``refresh`` skips the cache (a request in flight is fresh
        enough and is shared)."""
        if not refresh:
            page = self.cache.get(query)
            if page is not None:
                return page
        request = self._inflight.get(query)
        if request is None:
            request = _Request(asyncio.ensure_future(self._fetch(query)))
            self._inflight[query] = request
            request.task.add_done_callback(partial(self._settle, query, request))
        request.waiters += 1
        try:
            return await asyncio.shield(request.task)
        finally:
            request.waiters -= 1
            if request.waiters == 0 and not request.task.done():
                request.task.cancel()

    def invalidate(self, filters: ContactQuery) -> None:
        """Forget the cached pages of these filters (a reload wants fresh data)."""
        self.cache.invalidate(filters)

    def cancel_other_filters(self, filters: ContactQuery) -> None:
        """Cancel requests for any other filters: their answers are no longer wanted."""
        wanted = filters.filters
        for query, request in list(self._inflight.items()):
            if query.filters != wanted:
                request.task.cancel()

    async def aclose(self) -> None:
        """Cancel what is in flight and close the source if it was opened."""
        tasks = [request.task for request in self._inflight.values()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        opening, self._opening = self._opening, None
        if opening is None:
            return
        if not opening.done():
            opening.cancel()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            source = await opening
            await source.aclose()

    async def _fetch(self, query: ContactQuery) -> Page:
        early = await self._from_first_page(query)
        if early is not None:
            self.cache.put(early)
            return early
        source = await self.source()
        if self._served_size is not None:
            adopt = getattr(source, "adopt_page_size", None)
            if adopt is not None:
                adopt(self._served_size)
            self._served_size = None
        self.requests_started += 1
        fetch = getattr(source, "fetch_contacts", None)
        read = getattr(source, "read_contacts", None)
        if fetch is None or read is None:  # a source that cannot fetch without reading
            page = await source.list_contacts(query)
        else:
            fetched = await fetch(query)
            page = await in_daemon_thread(partial(read, fetched, max_contacts=MAX_ROWS))
        self.cache.put(page)
        return page

    def _ready_first_page(self, query: ContactQuery) -> Page | None:
        first = self._first_page
        if first is None or not first.matches(query):
            return None
        answer = first.take_if_ready(READ_AT_ONCE)
        if answer is None:
            return None
        self._first_page = None
        try:
            page, self._served_size = read_answer(answer, query)
        except LiveDeskError:
            return None
        self.cache.put(page)
        return page

    async def _from_first_page(self, query: ContactQuery) -> Page | None:
        """The page asked for as the process started, if this is it and it came in clean.

        Read without the source, so the first page needs neither the HTTP stack nor the
        client; anything wrong with it (``None``) is left to an ordinary request, which
        retries and reports failures as every other request does.
        """
        first = self._first_page
        if first is None or not first.matches(query):
            return None
        self._first_page = None
        answer = await first.answer()
        if answer is None:
            return None
        try:
            page, served = await in_daemon_thread(partial(read_answer, answer, query))
        except LiveDeskError:
            return None
        self._served_size = served
        return page

    def _settle(self, query: ContactQuery, request: _Request, task: asyncio.Task[Page]) -> None:
        if self._inflight.get(query) is request:
            del self._inflight[query]
        if not task.cancelled():
            task.exception()  # mark it retrieved: every waiter has seen it already


def read_answer(answer: Answer, query: ContactQuery) -> tuple[Page, int | None]:
    """The page in an answer to ``query`` asked for ahead of time, and the page size it shows
    the server uses (``None``: the size asked for)."""
    page = parse_page(answer.body, answer.asked, max_contacts=MAX_ROWS)
    served = served_page_size(page)
    return replace(page, query=query, page_size=served or page.page_size), served


async def in_daemon_thread(work: Callable[[], T]) -> T:
    """``work()`` in a thread of its own; cancelling the wait leaves it to finish unobserved.

    Unlike ``asyncio.to_thread`` the thread is a daemon, so the interpreter does not wait for
    it at exit: quitting during the read of a huge page is immediate.
    """
    loop = asyncio.get_running_loop()
    done: asyncio.Future[T] = loop.create_future()

    def settle(outcome: Callable[[Any], None], value: Any) -> None:
        if not done.done():
            outcome(value)

    def run() -> None:
        try:
            result = work()
        except BaseException as error:  # handed to the waiter, which raises it
            with contextlib.suppress(RuntimeError):  # the loop closed: nobody waits
                loop.call_soon_threadsafe(settle, done.set_exception, error)
        else:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(settle, done.set_result, result)

    threading.Thread(target=run, name="livedesk-read-page", daemon=True).start()
    return await done
