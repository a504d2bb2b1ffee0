"""One table of faults, each run through both the export command and the TUI.

A row names a misbehaviour of the server or of the network, and what must follow from it: the
export's exit code, the words of its one-line message (and the server's own words, when it
sent any), whether the failing request was tried again, and how the TUI tells it (a dialog for
credentials, a notice and the status line otherwise). Every row runs twice, over real loopback
HTTP against the demo server:

- ``export``: ``livedesk_tui.cli.main(["export", ...])`` in process, ``--retries 1``, to a
  file. The fault hits page 2 of 10: a failure must leave page 1 in ``FILE.partial`` and no
  ``FILE``; a tolerated fault must give every contact.
- ``tui``: the app as ``livedesk-tui`` builds it (its own client, through ``open_client`` with
  the row's ``timeout``), two tries a request. Once page 1 is on screen the fault is injected
  and ``r`` reloads: the message is shown, page 1 stays on screen, the app still answers keys,
  and once the server behaves again ``r`` brings the page back.

README.md's "Reliability" table is this table, as these tests observed it.
"""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from textual.notifications import Notify
from textual.widgets import Static
from tui_fixtures import FIXED_NOW, screen_text, shown_ids, utc, wait_for_page, wait_until

from livedesk_tui.api.client import RetryPolicy
from livedesk_tui.api.models import ContactQuery
from livedesk_tui.cli import main
from livedesk_tui.demo.faults import parse_fault
from livedesk_tui.demo.server import DEMO_API_KEY, DEMO_API_SECRET, DemoServer
from livedesk_tui.tui.app import LiveDeskApp
from livedesk_tui.tui.screens.error import ErrorScreen

__all__ = ["utc"]

pytestmark = pytest.mark.usefixtures("utc")

CONTACTS = 200
EXPORT_PAGE_SIZE = 20
"""Ten pages for the export; the fault hits page 2 of them."""
EXPORT_FAULT_PAGE = 2
TUI_RETRY = RetryPolicy(attempts=2, backoff=0.01)


@dataclass(frozen=True, slots=True)
class Row:
    """One fault and everything that must follow from it."""

    name: str
    spec: str | None
    """A demo server fault in ``parse_fault``'s notation; ``None``: nothing listens at all."""
    exit_code: int
    """The export's exit code."""
    says: str
    """Words of the message: in the export's error line, the TUI's notice or dialog, and its
    status line (empty for a tolerated fault)."""
    retried: bool
    """Whether the failing request is sent again before the failure is reported."""
    server_said: str = ""
    """The server's own words, shown after the message (export line, TUI notice or dialog)."""
    dialog: bool = False
    """The TUI asks in a dialog (retry, close, quit) instead of a notice."""
    timeout: float | None = None
    """Seconds the client waits for an answer (only where the fault is silence)."""

    @property
    def tolerated(self) -> bool:
        return self.exit_code == 0


ROWS: tuple[Row, ...] = (
    Row(
        "401 unauthorised",
        "401x*",
        3,
        "refused the API key pair (HTTP 401)",
        retried=False,
        server_said="Invalid API key or secret",
        dialog=True,
    ),
    Row(
        "403 forbidden",
        "403x*",
        3,
        "no permission to list contacts (HTTP 403)",
        retried=False,
        server_said="You do not have permission to access contacts",
        dialog=True,
    ),
    Row(
        "404 not found",
        "404x*",
        2,
        "has no contacts API at this address (HTTP 404)",
        retried=False,
        server_said="Resource could not be found",
    ),
    Row(
        "429 without Retry-After",
        "429x*",
        4,
        "is rate limiting requests (HTTP 429). Wait",
        retried=True,
        server_said="Retry later",
    ),
    Row(
        "429 with Retry-After: 0",
        "429:retry-after=0x*",
        4,
        "(HTTP 429); it asks to wait 0 s",
        retried=True,
        server_said="Retry later",
    ),
    Row(
        "429 with Retry-After: 3600",
        "429:retry-after=3600x*",
        4,
        "(HTTP 429); it asks to wait 3600 s",
        retried=False,
        server_said="Retry later",
    ),
    Row(
        "500 server error",
        "500x*",
        4,
        "had a server error (HTTP 500)",
        retried=True,
        server_said="Internal Server Error",
    ),
    Row(
        "502 with an HTML page",
        "html:502x*",
        4,
        "had a server error (HTTP 502)",
        retried=True,
        server_said="502 Bad Gateway",
    ),
    Row("200, not JSON", "not_jsonx*", 5, "could not be read: it is not JSON (HTTP 200", False),
    Row("200, JSON cut short", "truncatedx*", 5, "the JSON is malformed or cut short", False),
    Row(
        "200, payload not a list",
        "wrong_shape:payload_not_listx*",
        5,
        "'payload' should be a list of contacts but is a dict",
        retried=False,
    ),
    Row("200, meta missing", "wrong_shape:meta_missingx*", 5, "'meta' is missing", False),
    Row(
        "200, count negative",
        "wrong_shape:count_negativex*",
        5,
        "'meta.count' is not a count: -1",
        retried=False,
    ),
    Row("200, count a numeric string", "wrong_shape:count_stringx*", 0, "", retried=False),
    Row(
        "200, not an object",
        "wrong_shape:not_objectx*",
        5,
        "expected a JSON object, got list",
        retried=False,
    ),
    Row("connection dropped mid-body", "dropx*", 4, "broke off mid-response", retried=True),
    Row("connection closed, no answer", "closex*", 4, "broke off mid-response", retried=True),
    Row(
        "server never answers",
        "hang:10x*",
        4,
        "Timed out waiting for an answer",
        retried=True,
        timeout=0.4,
    ),
    Row("connection refused", None, 4, "Could not connect to 127.0.0.1", retried=True),
    Row("one page of ten fails once", "500x1", 0, "", retried=True),
)


def _ids(rows: tuple[Row, ...]) -> list[str]:
    return [row.name for row in rows]


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(contacts=CONTACTS, seed=3) as running:
        yield running


@pytest.fixture(autouse=True)
def _clean(server: DemoServer) -> Iterator[None]:
    server.faults.clear()
    server.reset_log()
    yield
    server.faults.clear()


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def add_fault(server: DemoServer, row: Row, page: int) -> None:
    assert row.spec is not None
    fault = parse_fault(row.spec)
    fault.page = page
    server.faults.add(fault)


def asked(server: DemoServer, page: int) -> int:
    """How many times the server was asked for ``page`` (answered or not)."""
    return sum(1 for record in server.requests if record.page == page)


def retry_warnings(caplog: pytest.LogCaptureFixture) -> int:
    return sum(1 for record in caplog.records if "retry 1 of" in record.getMessage())


# --- the export -----------------------------------------------------------------------------


@pytest.mark.parametrize("row", ROWS, ids=_ids(ROWS))
def test_export(
    row: Row,
    server: DemoServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    base_url = server.base_url if row.spec is not None else f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("LIVEDESK_BASE_URL", base_url)
    monkeypatch.setenv("LIVEDESK_API_KEY", DEMO_API_KEY)
    monkeypatch.setenv("LIVEDESK_API_SECRET", DEMO_API_SECRET)
    if row.spec is not None:
        add_fault(server, row, EXPORT_FAULT_PAGE)
    target = tmp_path / "contacts.jsonl"
    partial = tmp_path / "contacts.jsonl.partial"
    argv = ["export", "--page-size", str(EXPORT_PAGE_SIZE), "--retries", "1", "-o", str(target)]
    if row.timeout is not None:
        argv += ["--timeout", str(row.timeout)]
    with caplog.at_level(logging.WARNING, logger="livedesk_tui"):
        code = main(argv)
    out, err = capsys.readouterr()

    assert code == row.exit_code, err
    assert out == ""
    assert err.count("\n") == 1, "one line on stderr, whatever happened"
    expected = [contact.raw["id"] for contact in server.contacts]
    if row.tolerated:
        ids = [json.loads(line)["id"] for line in target.read_text(encoding="utf-8").splitlines()]
        assert ids == expected, "every contact, once, in the server's order"
        assert err == f"Exported {CONTACTS} contacts to {target}.\n"
        assert not partial.exists()
    else:
        failed_at = EXPORT_FAULT_PAGE if row.spec is not None else 1
        assert err.startswith(f"livedesk-tui: Export stopped at page {failed_at}: ")
        assert row.says in err
        if row.server_said:
            assert f"(server said: {row.server_said})" in err
        assert f"Partial output to {partial} holds the pages before it." in err
        assert not target.exists(), "an incomplete export never looks complete"
        lines = partial.read_text(encoding="utf-8").splitlines()
        written = EXPORT_PAGE_SIZE * (failed_at - 1)
        assert [json.loads(line)["id"] for line in lines] == expected[:written]
        assert f"({written} contacts written before it)" in err
    if row.spec is not None:
        assert asked(server, EXPORT_FAULT_PAGE) == (2 if row.retried else 1)
    else:
        assert retry_warnings(caplog) == (1 if row.retried else 0)


# --- the TUI --------------------------------------------------------------------------------


def _dialog_text(app: LiveDeskApp) -> str:
    """The words of the dialog on top, lines joined as a person reads them."""
    parts = [str(static.content) for static in app.screen.query(Static)]
    return " ".join(" ".join(parts).split())


async def _open(app: LiveDeskApp, pilot: Any) -> list[int | None]:
    """Wait for page 1 (and the prefetch of page 2), then use the test's retry policy."""
    await wait_for_page(pilot, app, 1)
    source = await app.loader.source()
    source.retry = TUI_RETRY  # type: ignore[attr-defined]
    second = app.contact_query.at_page(2)
    await wait_until(pilot, lambda: app.loader.cached(second) is not None)
    return shown_ids(app)


@pytest.mark.parametrize("row", ROWS, ids=_ids(ROWS))
async def test_tui(row: Row, server: DemoServer, caplog: pytest.LogCaptureFixture) -> None:
    if row.spec is None:
        await _tui_connection_refused(row, caplog)
        return
    notices: list[str] = []

    def hook(message: Any) -> None:
        if isinstance(message, Notify):
            notices.append(f"{message.notification.title}: {message.notification.message}")

    app = LiveDeskApp(server.connection(), clock=lambda: FIXED_NOW, timeout=row.timeout)
    async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
        first = await _open(app, pilot)
        server.reset_log()
        add_fault(server, row, 1)
        await pilot.press("r")
        if row.tolerated:
            await wait_for_page(pilot, app, 1)
            assert app.error is None and not notices
            assert shown_ids(app) == first
            assert app.status_text().startswith(f"page 1 of 14 · {CONTACTS} contacts")
            assert asked(server, 1) == (2 if row.retried else 1)
            return
        await wait_until(pilot, lambda: app.error is not None)
        assert asked(server, 1) == (2 if row.retried else 1)
        assert app.is_running
        if row.dialog:
            await wait_until(pilot, lambda: isinstance(app.screen, ErrorScreen))
            told = _dialog_text(app)
            assert not notices
            await pilot.press("escape")  # close it: the list is still there
            await wait_until(pilot, lambda: app.screen is app.screen_stack[0])
        else:
            await wait_until(pilot, lambda: bool(notices))
            told = " ".join(notices)
            assert told.startswith("Could not load contacts: ")
            assert told.endswith("Press r to retry.")
        assert row.says in told
        if row.server_said:
            assert row.server_said in told
        status = app.status_text()
        assert status.startswith(f"page 1 of 14 · {CONTACTS} contacts"), "the last good page"
        assert "failed (r to retry): " in status and row.says in status
        assert shown_ids(app) == first
        assert "Could not load" not in screen_text(app).splitlines()[1]  # rows, not a blank
        server.faults.clear()
        await pilot.press("r")  # the app still answers keys: this one brings the page back
        await wait_for_page(pilot, app, 1)
        assert app.error is None
        assert shown_ids(app) == first
        assert "failed" not in app.status_text()


async def _tui_connection_refused(row: Row, caplog: pytest.LogCaptureFixture) -> None:
    """The server goes away after page 1, then comes back on the same port."""
    port = free_port()
    first_server = DemoServer(contacts=CONTACTS, seed=3, port=port).start()
    app = LiveDeskApp(first_server.connection(), clock=lambda: FIXED_NOW)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            first = await _open(app, pilot)
            first_server.stop()
            with caplog.at_level(logging.WARNING, logger="livedesk_tui"):
                await pilot.press("r")
                await wait_until(pilot, lambda: app.error is not None)
            assert retry_warnings(caplog) == (1 if row.retried else 0)
            assert row.says in app.status_text()
            assert shown_ids(app) == first
            with DemoServer(contacts=CONTACTS, seed=3, port=port):
                await pilot.press("r")
                await wait_for_page(pilot, app, 1)
                assert app.error is None
                assert shown_ids(app) == first
                assert app.contact_query == ContactQuery()
    finally:
        first_server.stop()
