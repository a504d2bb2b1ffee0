"""Shared helpers for the TUI tests: a fixed clock and time zone, apps against the demo server,
waiting for the app to settle, and reading what is on screen.

Everything runs against a real ``DemoServer`` over loopback HTTP.
"""

from __future__ import annotations

import html
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.cells import cell_len
from textual.notifications import Notify
from textual.pilot import Pilot
from textual.widgets import Input

from livedesk_tui.api.client import ContactsClient, RetryPolicy
from livedesk_tui.api.connection import Connection
from livedesk_tui.api.models import ContactQuery, Page
from livedesk_tui.demo.catalogue import REFERENCE_NOW
from livedesk_tui.demo.server import DemoServer
from livedesk_tui.tui.app import LiveDeskApp

FIXED_NOW = REFERENCE_NOW
"""The demo data's own "now", so relative times read the same on every run."""

FAST_RETRY = RetryPolicy(attempts=2, backoff=0.01)
STABLE_BASE_URL = "http://127.0.0.1:8765"
"""The address snapshots show, whatever free port the server really listens on."""


@pytest.fixture
def utc() -> Iterator[None]:
    """Local time is UTC while the test runs (times in the detail view are local)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


class _ToPort(httpx.AsyncBaseTransport):
    """Real HTTP to the demo server, whose free port differs from the one the app shows."""

    def __init__(self, port: int) -> None:
        self._port = port
        self._inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(port=self._port)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def stable_client(
    server: DemoServer, connection: Connection | None = None
) -> tuple[Connection, ContactsClient]:
    """A connection showing ``STABLE_BASE_URL`` and a client that reaches ``server`` with it."""
    shown = replace(connection or server.connection(), base_url=STABLE_BASE_URL)
    client = ContactsClient(shown, retry=FAST_RETRY, transport=_ToPort(server.port))
    return shown, client


def make_app(
    server: DemoServer,
    *,
    fast: bool = True,
    connection: Connection | None = None,
    stable: bool = False,
    **kwargs: Any,
) -> LiveDeskApp:
    """The app against ``server`` with a fixed clock; ``fast`` retries quickly on failures."""
    connection = connection or server.connection()
    client = None
    if stable:
        connection, client = stable_client(server, connection)
    elif fast:
        client = ContactsClient(connection, retry=FAST_RETRY, timeout=5.0)
    kwargs.setdefault("clock", lambda: FIXED_NOW)
    return LiveDeskApp(connection, client=client, **kwargs)


async def wait_until(
    pilot: Pilot[Any], condition: Callable[[], bool], *, timeout: float = 10.0
) -> None:
    """Let the app run until ``condition`` holds; fail the test if it never does."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the app did not reach the expected state in time")
        await pilot.pause(0.01)
    await pilot.pause()


async def wait_for_page(
    pilot: Pilot[Any], app: LiveDeskApp, number: int | None = None, **filters: Any
) -> None:
    """Wait until the page for the current query (or page ``number``) is on screen."""

    def shown() -> bool:
        page = app.page
        if page is None or app.pending is not None or page.query != app.contact_query:
            return False
        return number is None or page.number == number

    await wait_until(pilot, shown)


def expected_ids(server: DemoServer, query: ContactQuery) -> list[Any]:
    """The ids the server serves for ``query``, read from its own store."""
    selection = server.store.select(
        labels=query.labels,
        sort=query.sort,
        descending=query.direction == "desc",
        search=query.search,
    )
    return [raw.get("id") for raw in server.store.page(selection, query.page, query.page_size)]


def shown_ids(app: LiveDeskApp) -> list[Any]:
    from livedesk_tui.tui.widgets.contacts_table import ContactsTable

    table = app.query_one("#contacts", ContactsTable)
    return [contact.id for contact in table.contacts]


def table_row_keys(app: LiveDeskApp) -> list[str]:
    from livedesk_tui.tui.widgets.contacts_table import ContactsTable

    table = app.query_one("#contacts", ContactsTable)
    return [str(row.key.value) for row in table.ordered_rows]


def list_requests(server: DemoServer) -> list[int | None]:
    """The pages the server was asked for (contact list requests only), in order."""
    return [record.page for record in server.requests if record.path.endswith("/contacts")]


_TEXT = re.compile(
    r'<text[^>]*?\sx="([\d.]+)"[^>]*?clip-path="url\(#[\w-]+-line-(\d+)\)"[^>]*>(.*?)</text>', re.S
)
_CELL_WIDTH = 12.2  # rich's SVG export: 20 px line height x 0.61 aspect ratio


def screen_text(app: LiveDeskApp) -> str:
    """What the terminal shows now, as lines of text, read from the app's own screenshot."""
    svg = app.export_screenshot()
    lines: dict[int, str] = {}
    for x, number, text in _TEXT.findall(svg):
        row = int(number)
        column = round(float(x) / _CELL_WIDTH)
        line = lines.get(row, "")
        width = cell_len(line)
        if width < column:
            line += " " * (column - width)
        lines[row] = line + html.unescape(text).replace("\xa0", " ")
    return "\n".join(lines.get(n, "").rstrip() for n in range(max(lines, default=-1) + 1))


def raw_screenshot(app: LiveDeskApp) -> str:
    """The screenshot's SVG source, unescaped (any control character would be in it)."""
    return html.unescape(app.export_screenshot())


def no_cursor_blink(app: LiveDeskApp) -> None:
    """Stop text cursors blinking so screenshots are the same every run."""
    for field in app.screen.query(Input):
        field.cursor_blink = False


class ClosingWatch:
    """The real client, noting whether the app closed it."""

    def __init__(self, inner: ContactsClient) -> None:
        self.inner = inner
        self.connection = inner.connection
        self.closed = False

    def effective_page_size(self, query: ContactQuery) -> int:
        return self.inner.effective_page_size(query)

    async def list_contacts(self, query: ContactQuery) -> Page:
        return await self.inner.list_contacts(query)

    async def list_labels(self) -> list[str]:
        return await self.inner.list_labels()

    async def aclose(self) -> None:
        self.closed = True
        await self.inner.aclose()


class Notices:
    """The notifications an app showed, recorded through ``run_test(message_hook=...hook)``."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, str]] = []
        """(title, message, severity) of each, oldest first."""

    def hook(self, message: Any) -> None:
        if isinstance(message, Notify):
            note = message.notification
            self.seen.append((note.title, note.message, note.severity))

    @property
    def messages(self) -> list[str]:
        return [text for _title, text, _severity in self.seen]

    def titled(self, title: str) -> list[str]:
        return [text for got, text, _severity in self.seen if got == title]


def fake_tmux(folder: Path, set_clipboard: str, passthrough: str | None) -> dict[str, str]:
    """``TMUX`` and a ``PATH`` whose ``tmux`` (a script in ``folder``) prints these option
    values (``None``: a tmux older than 3.3, which has no allow-passthrough and passes a wrapped
    sequence on). Called again on the same folder, the options change."""
    folder.mkdir(exist_ok=True)
    answer = (
        'echo "invalid option: allow-passthrough" >&2; exit 1'
        if passthrough is None
        else (f"echo {passthrough}")
    )
    script = folder / "tmux"
    script.write_text(
        "#!/bin/sh\n"
        'case "$*" in\n'
        f'  "show-options -gv set-clipboard") echo {set_clipboard} ;;\n'
        f'  "show-options -gv allow-passthrough") {answer} ;;\n'
        '  *) echo "unexpected: $*" >&2; exit 1 ;;\n'
        "esac\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    return {"TMUX": "/tmp/tmux-1000/default,123,0", "PATH": f"{folder}{os.pathsep}/usr/bin:/bin"}
