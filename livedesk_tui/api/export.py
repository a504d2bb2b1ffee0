"""Stream every contact matching a query to CSV, JSON or JSON Lines.

Page 1 tells the total and the page size the server really uses; pages 2 to ``concurrency``
are asked for at the same time, the others ``concurrency`` at a time as answers come in, and
every page is written strictly in the server's order, holding at most ``2 x concurrency``
answers in memory. JSON and JSON Lines carry each contact exactly as the server sent it (the
formats are listed in ``formats``, each one's writer is in ``writers``).

Repeated rows. A contact created while the export runs shifts later pages by one, so the
server sends a row again, byte for byte. Such an exact repeat (the same id and the same JSON
text) is written once: the file holds every row the server sent, and the result says how many
repeats were merged. A row that shares an id with an earlier one but differs in content is
another contact (one id given to two people, or a contact that changed between two pages) and
is always written, with a warning saying how many there were: no contact is ever dropped
because of its id. Every such count, and every other shortfall, is a warning in the result,
never passed over in silence.

Paging without end. The number of pages asked for is bounded by what the server's count
allows, plus one (a page past the end, in case the account grew): more full pages than that
stop the export. A page whose every row was already written stops it too (a server ignoring
``page``, or answering pages past the end with its last one, never runs out of pages), as does
an empty page. Nothing is sized by a number the server chose: page numbers are taken one by one.

Chatwoot. Without a sort it lists contacts in no set order (no ``ORDER BY``), so pages fetched
one by one can repeat or skip a contact: ``stable_query`` asks for ``created_at`` ascending
instead, the closest to stable, and says so. A search with labels on Chatwoot 4.10.1 and later
searches every contact (labels are ignored): the export holds what the server sent and says
so in a warning (``LABELS_IGNORED``), rather than pretend the labels were applied.

Write failures (a full disk, a reader that closed the pipe) stop the export with
``OutputFailed``, saying how many contacts were written before it.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable, Iterator
from contextlib import aclosing, contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, TextIO

from .connection import Connection
from .dialects import dialect_for
from .errors import BadResponseError, ErrorKind, LiveDeskError
from .formats import DEFAULT_FORMAT, export_format
from .formats import FORMATS as FORMATS
from .formats import Format as Format
from .models import Contact, ContactQuery, Page
from .source import ContactsSource
from .writers import CSV_COLUMNS as CSV_COLUMNS
from .writers import Writer
from .writers import csv_row as csv_row
from .writers import spreadsheet_safe as spreadsheet_safe

LABELS_IGNORED = (
    "this server (Chatwoot 4.10.1 or later) does not apply labels to a search: the export "
    "holds every contact matching the search"
)


def stable_query(query: ContactQuery, connection: Connection) -> tuple[ContactQuery, str | None]:
    """The query an export asks for, and a one-line note when it differs from ``query``.

    A server with no order without a sort (Chatwoot) can repeat or skip contacts across its
    pages: an export with no sort asks for the dialect's ``stable_sort`` ascending (the
    closest to stable) instead.
    """
    dialect = dialect_for(connection)
    stable = dialect.stable_sort
    if stable is None or query.sort:
        return query, None
    note = (
        f"{dialect.title} has no set order without a sort, so pages could repeat or skip "
        f"contacts: exporting sorted by {stable} (oldest first); choose another with --sort"
    )
    return replace(query, sort=stable, direction="asc"), note


@dataclass(frozen=True, slots=True)
class ExportProgress:
    written: int
    pages_done: int
    pages_total: int | None
    contacts_total: int | None


@dataclass(slots=True)
class ExportResult:
    written: int = 0
    pages: int = 0
    total_reported: int | None = None
    duplicates: int = 0
    """Rows the server sent again exactly as before (merged: written once)."""
    shared_ids: int = 0
    """Rows written although an earlier, different row had the same id."""
    warnings: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.warnings


class ExportFailed(LiveDeskError):
    """A page could not be fetched even after retries; what was written so far is known."""

    def __init__(self, cause: LiveDeskError, result: ExportResult, page: int) -> None:
        super().__init__(
            f"Export stopped at page {page}: {cause} "
            f"({result.written} contacts written before it).",
            status=cause.status,
        )
        self.kind = cause.kind
        self.cause = cause
        self.result = result
        self.page = page


class OutputFailed(LiveDeskError):
    """The export could not be written (a full disk, a closed pipe); the count so far is known.

    Exit code 2: the place written to is at fault, not the server.
    """

    kind = ErrorKind.CONFIG

    def __init__(self, cause: OSError, result: ExportResult) -> None:
        super().__init__(
            f"Cannot write the export: {cause.strerror or cause} "
            f"({result.written} contacts written before it)."
        )
        self.cause = cause
        self.result = result


def writer_for(fmt: Format, out: TextIO) -> Writer:
    """The writer of format ``fmt`` (see ``formats.REGISTRY``), writing to ``out``."""
    return export_format(fmt).writer(out)


# --- the engine -------------------------------------------------------------------------


async def export_contacts(
    source: ContactsSource,
    query: ContactQuery,
    out: TextIO,
    *,
    fmt: Format = DEFAULT_FORMAT,
    concurrency: int = 4,
    progress: Callable[[ExportProgress], None] | None = None,
) -> ExportResult:
    """Write every contact matching ``query`` to ``out``; return what was written and missed.

    Raises ``ExportFailed`` when a page still fails after the client's retries; the output then
    holds every contact of the pages before it, in order.
    """
    writer = writer_for(fmt, out)
    result = _Tally(writer, progress)
    # Pages 2..concurrency are asked for together with page 1 rather than after it: the slots
    # would otherwise idle for a whole round trip. Their answers are right whatever page size
    # the server turns out to use (a server that ignores page_size serves page N of its own
    # size). A search is not asked ahead (search is rate limited on Chatwoot).
    ahead: dict[int, asyncio.Future[Any]] = {}
    if not query.search:
        for number in range(2, max(1, concurrency) + 1):
            ahead[number] = asyncio.ensure_future(_fetch_raw(source, query.at_page(number), result))
    try:
        first = await _fetch(source, query.at_page(1), result)
        return await _export_rest(source, query, first, result, concurrency, ahead)
    finally:
        await _drop(ahead.values())


async def _export_rest(
    source: ContactsSource,
    query: ContactQuery,
    first: Page,
    result: _Tally,
    concurrency: int,
    ahead: dict[int, asyncio.Future[Any]],
) -> ExportResult:
    result.result.total_reported = first.total
    page_size = first.page_size
    result.begin()
    result.take(first)
    last = first.page_count
    page_number = 1
    previous = first
    ended = False
    if last is not None and last > 1 and first.has_more is None:
        # A full last page means asking for the one after it (the account may have grown):
        # that request rides in the window with the others instead of waiting its own turn.
        full = first.total is not None and page_size > 0 and first.total % page_size == 0
        end = last + 1 if full else last
        window = _fetch_window(source, query, range(2, end + 1), concurrency, result, ahead)
        async with aclosing(window):
            async for page in window:
                if not page.contacts:  # nothing after an empty page, whatever the count said
                    ended = True
                    break
                result.take(page)
                previous = page
                page_number = page.number
    # Keep going while pages come back full: the account may have grown since page 1.
    while not ended and _may_have_more(previous, page_size, page_number, last):
        page_number += 1
        result.allow(page_number)
        page = await _fetch(source, query.at_page(page_number), result)
        if not page.contacts:
            break
        result.take(page)
        previous = page
    result.end()
    result.finish()
    return result.result


def _may_have_more(page: Page, page_size: int, number: int, last: int | None) -> bool:
    if page.has_more is not None:
        return page.has_more
    if last is not None and number < last:
        return False
    return len(page.contacts) >= page_size and page_size > 0


@contextmanager
def _failing_at(page: int, tally: _Tally) -> Iterator[None]:
    """Turn an API error on ``page`` into ``ExportFailed`` with what was written so far."""
    try:
        yield
    except LiveDeskError as exc:
        raise ExportFailed(exc, tally.result, page) from exc


async def _fetch(source: ContactsSource, query: ContactQuery, tally: _Tally) -> Page:
    with _failing_at(query.page, tally):
        return await source.list_contacts(query)


async def _fetch_raw(source: ContactsSource, query: ContactQuery, tally: _Tally) -> Any:
    """The answer for one page, read later by ``_read``; the page itself for a source that
    cannot fetch without reading."""
    fetch = getattr(source, "fetch_contacts", None)
    if fetch is None:
        return await _fetch(source, query, tally)
    with _failing_at(query.page, tally):
        return await fetch(query)


def _read(source: ContactsSource, fetched: Any, tally: _Tally) -> Page:
    if isinstance(fetched, Page):
        return fetched
    with _failing_at(fetched.query.page, tally):
        return source.read_contacts(fetched)  # type: ignore[attr-defined]


async def _fetch_window(
    source: ContactsSource,
    query: ContactQuery,
    numbers: range,
    concurrency: int,
    tally: _Tally,
    ahead: dict[int, asyncio.Future[Any]] | None = None,
) -> AsyncGenerator[Page, None]:
    """Yield pages in order while ``concurrency`` requests stay in flight.

    Each of ``concurrency`` fetchers takes the next page number as soon as its answer is in,
    whatever the writer is doing: reading a page (parsing its JSON) takes a few milliseconds,
    and a request that waited for it would stretch every round trip by as much. For the same
    reason pages are read in a worker thread, one at a time and in order. Answers are
    read in page order; at most ``2 x concurrency`` of them are in flight or held unread.
    A failed page fails when its turn comes, after every page before it was written.
    ``ahead`` holds requests already started for some of the numbers; they are taken from it.
    ``numbers`` is walked lazily (twice: by the fetchers and in order here), never listed: its
    end comes from the server's count.
    """
    loop = asyncio.get_running_loop()
    todo = iter(numbers)
    answers: dict[int, asyncio.Future[Any]] = {}
    started = ahead if ahead is not None else {}
    width = max(1, concurrency)
    room = asyncio.Semaphore(2 * width)

    async def fetcher() -> None:
        for number in todo:
            await room.acquire()
            answer = answers.setdefault(number, loop.create_future())
            request: Awaitable[Any] | None = started.pop(number, None)
            try:
                if request is None:
                    request = _fetch_raw(source, query.at_page(number), tally)
                answer.set_result(await request)
            except Exception as exc:
                answer.set_exception(exc)
                return

    fetchers = [asyncio.ensure_future(fetcher()) for _ in range(width)]
    try:
        for number in numbers:
            try:
                fetched = await answers.setdefault(number, loop.create_future())
            except ExportFailed as failed:  # told in its turn: count what was written before it
                raise ExportFailed(failed.cause, tally.result, failed.page) from failed.cause
            del answers[number]
            room.release()
            # Read (parse) off the event loop: answers arriving meanwhile are taken in at once
            # and the next requests leave on time, instead of waiting for a whole page's parse.
            yield await asyncio.to_thread(_read, source, fetched, tally)
    finally:
        for task in fetchers:
            task.cancel()
        await asyncio.gather(*fetchers, return_exceptions=True)
        for answer in answers.values():  # failures nobody reached: retrieved, not reported
            if answer.done() and not answer.cancelled():
                answer.exception()


async def _drop(requests: Iterable[asyncio.Future[Any]]) -> None:
    """Cancel requests nobody will read, and wait for them to end."""
    pending = list(requests)
    for request in pending:
        request.cancel()
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)


class _Tally:
    """Counts, de-duplicates, bounds the paging and reports progress as pages are written."""

    def __init__(self, writer: Writer, progress: Callable[[ExportProgress], None] | None) -> None:
        self.writer = writer
        self.progress = progress
        self.result = ExportResult()
        self.ids: set[str] = set()
        self.rows: set[bytes] = set()
        """A digest of each row written (its key and its text), to know an exact repeat."""
        self.pages_total: int | None = None
        self.page_size = 0
        self.limit: int | None = None
        """The last page the server's count allows asking for (one past its end)."""
        self.changed = False
        self.labels_ignored = False

    def begin(self) -> None:
        with _writing(self):
            self.writer.begin()

    def end(self) -> None:
        with _writing(self):
            self.writer.end()
            self.writer.out.flush()

    def allow(self, number: int) -> None:
        """Refuse to ask for page ``number`` when the server's count allows no such page."""
        if self.limit is not None and number > self.limit:
            total = self.result.total_reported
            raise ExportFailed(
                BadResponseError(
                    f"the server keeps sending full pages past the {total:,} contacts it "
                    "counted; stopped rather than ask for pages without end"
                ),
                self.result,
                number,
            )

    def take(self, page: Page) -> None:
        if page.labels_ignored and not self.labels_ignored:
            self.labels_ignored = True
            self.result.warnings.append(LABELS_IGNORED)
        if self.pages_total is None:
            self.pages_total = page.page_count
            self.page_size = page.page_size
        count = page.page_count
        if count is not None and (self.limit is None or count > page.number):
            self.limit = max(self.limit or 0, count + 1)
        self._check(page)
        written = self.result.written
        with _writing(self):
            for contact in page.contacts:
                self._write(contact)
        if page.contacts and self.result.written == written:
            raise ExportFailed(
                BadResponseError(
                    "every contact on it was already exported from an earlier page (the server "
                    "ignores the page asked for, or answers past the end with its last page); "
                    "stopped rather than ask for pages without end"
                ),
                self.result,
                page.number,
            )
        self.result.pages += 1
        if self.progress is not None:
            self.progress(
                ExportProgress(
                    written=self.result.written,
                    pages_done=self.result.pages,
                    pages_total=self.pages_total,
                    contacts_total=self.result.total_reported,
                )
            )

    def _write(self, contact: Contact) -> None:
        key = contact.key
        text = contact.raw_json or json.dumps(contact.raw, ensure_ascii=False, sort_keys=True)
        row = hashlib.blake2b(f"{key}\0{text}".encode(), digest_size=16).digest()
        if row in self.rows:
            self.result.duplicates += 1
            return
        if key in self.ids:
            self.result.shared_ids += 1
        self.rows.add(row)
        self.ids.add(key)
        self.writer.write(contact)
        self.result.written += 1

    def _check(self, page: Page) -> None:
        """Note a short page before the last, or a total that changed since page 1."""
        rows = len(page.contacts)
        if rows < self.page_size and not page.is_last:
            self.result.warnings.append(
                f"page {page.number} had {rows} of {self.page_size} contacts; "
                "contacts may have been deleted or hidden while exporting"
            )
        first = self.result.total_reported
        if page.total is not None and first is not None and page.total != first:
            if not self.changed:
                self.result.warnings.append(
                    f"the account changed while exporting (page 1 counted {first} contacts, "
                    f"page {page.number} counted {page.total}); run the export again for an "
                    "exact copy"
                )
            self.changed = True

    def finish(self) -> None:
        total = self.result.total_reported
        written = self.result.written
        if total is not None and written < total:
            self.result.warnings.append(
                f"the server reported {total} matching contacts but {written} were exported"
            )
        if self.result.duplicates:
            self.result.warnings.append(
                f"{self.result.duplicates} contacts appeared twice, exactly alike (the list "
                "shifted while exporting), and were written once"
            )
        if self.result.shared_ids:
            self.result.warnings.append(
                f"{self.result.shared_ids} contacts share an id with an earlier, different "
                "contact (one id given to two people, or a contact changed while exporting); "
                "all of them were written"
            )


@contextmanager
def _writing(tally: _Tally) -> Iterator[None]:
    """Turn a failed write (a full disk, a closed pipe) into ``OutputFailed``."""
    try:
        yield
    except OSError as exc:
        raise OutputFailed(exc, tally.result) from exc


def render(fmt: Format, contacts: Iterable[Contact]) -> str:
    """The whole export of ``contacts`` as text (for small in-memory uses and tests)."""
    buffer = io.StringIO()
    writer = writer_for(fmt, buffer)
    writer.begin()
    for contact in contacts:
        writer.write(contact)
    writer.end()
    return buffer.getvalue()
