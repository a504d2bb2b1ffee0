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
  the row's ``timeout``), two tries a request. With page 1 on screen the fault is injected and
  ``r`` reloads: the message is shown, page 1 stays on screen, the app still answers keys, and
  once the server behaves again ``r`` brings the page back. The rows run one after another in
  one app (each undoes its fault), noted by a module fixture and judged row by row.

README.md's "Reliability" table is this table, as these tests observed it (run them with
``FAULT_MATRIX_RECORD=FILE`` to have each observation written to FILE).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from textual.notifications import Notify
from textual.widgets import Static
from tui_fixtures import FIXED_NOW, screen_text, shown_ids, utc, wait_for_page, wait_until

from livedesk_tui.api.client import RetryPolicy
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
    Row(
        "400 bad request",
        "400x*",
        2,
        "rejected the request (HTTP 400)",
        retried=False,
        server_said="Bad Request",
    ),
    Row(
        "422 unprocessable",
        "422x*",
        2,
        "rejected the request (HTTP 422)",
        retried=False,
        server_said="Unprocessable Entity",
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
    Row(
        "200, Content-Length of a terabyte",
        "huge_lengthx*",
        5,
        "sent a response larger than 32 MiB (it says it is 1,000,000,000,000 bytes)",
        retried=False,
    ),
    Row("200, chunked without end", "endlessx*", 5, "sent a response larger than 32 MiB", False),
    Row(
        "200, gzip bomb (1 MB to 1 GiB)",
        "bomb:gzipx*",
        5,
        "sent a response larger than 32 MiB",
        retried=False,
    ),
    Row("200, JSON nested 100,000 deep", "deepx*", 5, "it is nested too deeply", False),
    Row("200, count 1e400", "count:1e400x*", 5, "'meta.count' is not a count: inf", False),
    Row(
        "200, count 10**30",
        "count:1000000000000000000000000000000x*",
        5,
        "'meta.count' is not a count: a number of 31 digits",
        retried=False,
    ),
    Row("connection dropped mid-body", "dropx*", 4, "broke off mid-response", retried=True),
    Row(
        "connection closed, no answer",
        "closex*",
        4,
        "closed the connection without answering",
        retried=True,
    ),
    Row(
        "server never answers",
        "hang:10x*",
        4,
        "Timed out waiting for an answer",
        retried=True,
        timeout=0.4,
    ),
    Row(
        "answer dripped a byte at a time",
        "drip:0.2x*",
        4,
        "Timed out waiting for an answer",
        retried=True,
        timeout=0.4,
    ),
    Row("connection refused", None, 4, "Could not connect to 127.0.0.1", retried=True),
    Row("one page of ten fails once", "500x1", 0, "", retried=True),
)


def record(channel: str, row: Row, **observed: Any) -> None:
    """With ``FAULT_MATRIX_RECORD=FILE``, append what a run observed (how README.md's
    "Reliability" table was written)."""
    target = os.environ.get("FAULT_MATRIX_RECORD")
    if target:
        line = json.dumps({"channel": channel, "row": row.name, **observed}, ensure_ascii=False)
        with open(target, "a", encoding="utf-8") as out:
            out.write(re.sub(r"127\.0\.0\.1:\d+", "HOST", line) + "\n")


def _ids(rows: tuple[Row, ...]) -> list[str]:
    return [row.name for row in rows]


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(contacts=CONTACTS, seed=3) as running:
        yield running


@pytest.fixture(autouse=True)
def _clean(server: DemoServer) -> Iterator[None]:
    server.reset()
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
    tries = asked(server, EXPORT_FAULT_PAGE) if row.spec else 1 + min(1, retry_warnings(caplog))
    record("export", row, exit_code=code, stderr=err.strip(), tries=tries)

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
        assert not target.exists(), "an incomplete export never looks complete"
        written = EXPORT_PAGE_SIZE * (failed_at - 1)
        assert f"({written} contacts written before it)" in err
        if written:
            assert f"Partial output to {partial} holds the pages before it." in err
            lines = partial.read_text(encoding="utf-8").splitlines()
            assert [json.loads(line)["id"] for line in lines] == expected[:written]
        else:  # nothing to keep: no empty partial file left behind
            assert "Nothing was written, so no partial file was kept." in err
            assert not partial.exists()
    if row.spec is not None:
        assert asked(server, EXPORT_FAULT_PAGE) == (2 if row.retried else 1)
    else:  # nothing to ask how often it was asked: the client's own word (several pages
        # start at once, and each is tried again)
        assert (retry_warnings(caplog) > 0) == row.retried


# --- the TUI --------------------------------------------------------------------------------


@dataclass(slots=True)
class Seen:
    """What one row did to the app, noted while it ran (the tests below judge it)."""

    first: list[Any]
    """The ids on screen before the fault."""
    tries: int = 0
    error: bool = False
    dialog: bool = False
    notices: list[str] = field(default_factory=list)
    told: str = ""
    status: str = ""
    shown: list[Any] = field(default_factory=list)
    """The ids on screen once the failure was told."""
    table_line: str = ""
    running: bool = False
    back: list[Any] = field(default_factory=list)
    """The ids on screen after ``r`` with the server well again."""
    back_error: bool = True
    back_status: str = ""
    problem: str = ""
    """What went wrong while driving the row, if anything did."""


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def retries(self) -> int:
        return sum(1 for message in self.messages if "retry 1 of" in message)


def _dialog_text(app: LiveDeskApp) -> str:
    """The words of the dialog on top, lines joined as a person reads them."""
    parts = [str(static.content) for static in app.screen.query(Static)]
    return " ".join(" ".join(parts).split())


async def _open(app: LiveDeskApp, pilot: Any) -> list[Any]:
    """Wait for page 1, then use the test's retry policy."""
    await wait_for_page(pilot, app, 1)
    source = await app.loader.source()
    source.retry = TUI_RETRY  # type: ignore[attr-defined]
    return shown_ids(app)


async def _fail_and_recover(
    app: LiveDeskApp,
    pilot: Any,
    row: Row,
    seen: Seen,
    notices: list[str],
    break_it: Callable[[], Callable[[], Any]],
    tries: Callable[[], int],
) -> Any:
    """``r`` with the fault in place, note what the app tells, then ``r`` once it is gone."""
    mend = break_it()
    await pilot.press("r")
    if row.tolerated:
        await wait_for_page(pilot, app, 1)
    else:
        await wait_until(pilot, lambda: app.error is not None)
        seen.error = True
        seen.dialog = isinstance(app.screen, ErrorScreen)
        if seen.dialog:
            seen.told = _dialog_text(app)
            await pilot.press("escape")  # close it: the list is still there
            await wait_until(pilot, lambda: app.screen is app.screen_stack[0])
        else:
            await wait_until(pilot, lambda: bool(notices))
            seen.told = " ".join(notices)
    seen.notices = list(notices)
    seen.status = app.status_text()
    seen.shown = shown_ids(app)
    seen.table_line = screen_text(app).splitlines()[1]
    seen.running = app.is_running
    seen.tries = tries()
    mended = mend()
    await pilot.press("r")  # the app still answers keys: this one brings the page back
    await wait_for_page(pilot, app, 1)
    seen.back = shown_ids(app)
    seen.back_error = app.error is not None
    seen.back_status = app.status_text()
    return mended


async def _drive_all(server: DemoServer) -> dict[str, Seen]:
    """Every row through the app: one app for the rows that share a timeout (the row's own
    state is undone before the next), one for the server that goes away."""
    seen: dict[str, Seen] = {}
    notices: list[str] = []
    warnings = _Warnings()

    def hook(message: Any) -> None:
        if isinstance(message, Notify):
            notices.append(f"{message.notification.title}: {message.notification.message}")

    logging.getLogger("livedesk_tui").addHandler(warnings)
    try:
        timeouts = sorted({row.timeout or 0.0 for row in ROWS if row.spec is not None})
        for timeout in timeouts:
            rows = [row for row in ROWS if row.spec and (row.timeout or 0.0) == timeout]
            app = LiveDeskApp(server.connection(), clock=lambda: FIXED_NOW, timeout=timeout or None)
            async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
                first = await _open(app, pilot)
                for row in rows:
                    notices.clear()
                    server.reset_log()
                    noted = seen[row.name] = Seen(first)

                    def inject(row: Row = row) -> Any:
                        add_fault(server, row, 1)
                        return server.faults.clear

                    try:
                        await _fail_and_recover(
                            app, pilot, row, noted, notices, inject, lambda: asked(server, 1)
                        )
                    except Exception as exc:  # noted; the row's test reports it
                        noted.problem = f"{type(exc).__name__}: {exc}"
                        server.faults.clear()
        for row in (row for row in ROWS if row.spec is None):
            seen[row.name] = await _server_goes_away(row, notices, hook, warnings)
    finally:
        logging.getLogger("livedesk_tui").removeHandler(warnings)
    return seen


async def _server_goes_away(row: Row, notices: list[str], hook: Any, warnings: _Warnings) -> Seen:
    """Connection refused: the server stops after page 1, then comes back on the same port."""
    port = free_port()
    first_server = DemoServer(contacts=CONTACTS, seed=3, port=port).start()
    app = LiveDeskApp(first_server.connection(), clock=lambda: FIXED_NOW)
    notices.clear()
    try:
        async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
            noted = Seen(await _open(app, pilot))

            def stop() -> Any:
                first_server.stop()
                warnings.messages.clear()
                return lambda: DemoServer(contacts=CONTACTS, seed=3, port=port).start()

            try:
                again = await _fail_and_recover(
                    app, pilot, row, noted, notices, stop, lambda: 1 + min(1, warnings.retries())
                )
                again.stop()
            except Exception as exc:
                noted.problem = f"{type(exc).__name__}: {exc}"
    finally:
        first_server.stop()
    return noted


@pytest.fixture(scope="module")
def tui_runs(server: DemoServer) -> dict[str, Seen]:
    """Every row through the app, once per module (an app's start costs more than a row)."""
    server.faults.clear()
    return asyncio.run(_drive_all(server))


@pytest.mark.parametrize("row", ROWS, ids=_ids(ROWS))
def test_tui(row: Row, tui_runs: dict[str, Seen]) -> None:
    seen = tui_runs[row.name]
    record(
        "tui",
        row,
        told=seen.told,
        status=seen.status,
        tries=seen.tries,
        dialog=seen.dialog,
        problem=seen.problem,
    )
    assert not seen.problem
    assert seen.running
    assert seen.tries == (2 if row.retried else 1)
    assert seen.shown == seen.first, "the last good page stays on screen"
    assert seen.status.startswith(f"page 1 of 14 · {CONTACTS} contacts")
    assert seen.table_line.split()[0:1] != ["Could"], "rows, not a blank table"
    if row.tolerated:
        assert not seen.error and not seen.notices
        assert "failed" not in seen.status
    else:
        assert seen.error
        assert seen.dialog == row.dialog
        if row.dialog:
            assert not seen.notices, "the dialog says it, not a notice as well"
        else:
            assert seen.told.startswith("Could not load contacts: ")
            assert seen.told.endswith("Press r to retry.")
        assert row.says in seen.told
        assert row.server_said in seen.told
        assert "failed (r to retry): " in seen.status and row.says in seen.status
    assert seen.back == seen.first, "r brings the page back once the server behaves"
    assert not seen.back_error and "failed" not in seen.back_status
