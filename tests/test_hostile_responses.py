"""Answers meant to hurt the client: too big, too deep, too slow, numbers past Python's limits,
and exception texts that could carry a secret. Whatever the server sends, the client ends with
a ``LiveDeskError`` (or a page it could read), in bounded time and bounded memory.

The size classes run in a child process under an address-space limit, each case measured with
``tracemalloc``: a client that reads a body without bound fails there (``MemoryError``, or the
peak over the bound) instead of taking the machine's memory with it. That process takes a few
seconds, most of them walking a page of 300,000 rows with every allocation traced.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import os
import socket
import subprocess
import sys
import textwrap
import threading
import zlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any

import pytest

from livedesk_tui.api.client import MAX_BODY_BYTES, ContactsClient, RetryPolicy
from livedesk_tui.api.connection import Connection, Secret
from livedesk_tui.api.errors import BadResponseError, LiveDeskError, NetworkError, ServerError
from livedesk_tui.api.models import MAX_COUNT, ContactQuery
from livedesk_tui.demo.catalogue import DemoContact
from livedesk_tui.demo.dataset import generate_contacts
from livedesk_tui.demo.faults import Fault, parse_fault
from livedesk_tui.demo.server import DemoServer

ONCE = RetryPolicy(attempts=1)
PEAK_BOUND = 3 * MAX_BODY_BYTES
"""What reading one answer may cost at its peak: the body once as bytes and once as text,
and change (the cap is 32 MiB; a client reading without bound is far past it)."""

# --- size: in a child process, under a memory limit -------------------------------------------

_PROBE = textwrap.dedent(
    """
    import asyncio, gc, json, resource, sys, tracemalloc
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
    from livedesk_tui.api.client import ContactsClient, RetryPolicy
    from livedesk_tui.api.models import ContactQuery
    from livedesk_tui.demo.faults import Fault, parse_fault
    from livedesk_tui.demo.server import DemoServer

    async def case(server, spec, max_contacts):
        server.reset()
        server.faults.add(parse_fault(spec + "x*"))
        gc.collect()  # what an earlier case left is not this one's cost
        tracemalloc.reset_peak()
        async with ContactsClient(
            server.connection(), retry=RetryPolicy(attempts=1), timeout=20
        ) as api:
            try:
                fetched = await api.fetch_contacts(ContactQuery())
                page = api.read_contacts(fetched, max_contacts=max_contacts)
                del fetched
                got = {"page": len(page.contacts), "omitted": page.omitted, "total": page.total}
            except BaseException as exc:
                got = {"error": type(exc).__name__, "message": str(exc)[:300]}
        got["peak"] = tracemalloc.get_traced_memory()[1]
        return got

    async def main():
        cases = json.loads(sys.argv[1])
        with DemoServer(contacts=50) as server:
            server.faults.add(parse_fault("bomb:gzip"))  # made once, before measuring
            server.faults.add(parse_fault("bomb:deflate"))
            await case(server, "bomb:gzip", None)
            await case(server, "bomb:deflate", None)
            tracemalloc.start()
            results = {}
            for spec, max_contacts in cases:
                results[spec] = await case(server, spec, max_contacts)
        print(json.dumps(results))

    asyncio.run(main())
    """
)

SIZE_CASES: dict[str, int | None] = {
    "huge_length": None,
    "endless": None,
    "bomb:gzip": None,
    "bomb:deflate": None,
    "many:300000": 100,
}


@pytest.fixture(scope="module")
def size_runs() -> dict[str, dict[str, Any]]:
    """Every size case in one child process (its start costs more than a case)."""
    env = {**os.environ, "MALLOC_ARENA_MAX": "2"}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(list(SIZE_CASES.items()))],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.parametrize("spec", ["huge_length", "endless", "bomb:gzip", "bomb:deflate"])
def test_a_body_past_the_cap_is_refused_in_bounded_memory(
    size_runs: dict[str, dict[str, Any]], spec: str
) -> None:
    got = size_runs[spec]
    assert got.get("error") == "BadResponseError", got
    assert f"larger than {MAX_BODY_BYTES // 2**20} MiB" in got["message"]
    assert "\n" not in got["message"]
    assert got["peak"] < PEAK_BOUND, got


def test_a_huge_content_length_is_refused_before_reading(size_runs: dict[str, Any]) -> None:
    got = size_runs["huge_length"]
    assert "1000000000000" in got["message"] or "says it is" in got["message"], got
    assert got["peak"] < MAX_BODY_BYTES // 4, "refused at the header, not after 32 MiB"


def test_a_page_of_a_great_many_contacts_is_read_in_part(size_runs: dict[str, Any]) -> None:
    """Building a contact for each of 300,000 rows would take hundreds of MB; 100 are built."""
    got = size_runs["many:300000"]
    assert got.get("page") == 100, got
    assert got["omitted"] == 300_000 - 100
    assert got["total"] == 300_000
    assert got["peak"] < PEAK_BOUND, got


# --- shape, numbers and time: over loopback, in process ------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(dataset=generate_contacts(60, seed=5)) as running:
        yield running


@pytest.fixture
async def client(server: DemoServer) -> AsyncIterator[ContactsClient]:
    server.reset()
    async with ContactsClient(server.connection(), retry=ONCE, timeout=5) as api:
        yield api


async def _outcome(client: ContactsClient, server: DemoServer, spec: str) -> Any:
    server.faults.add(parse_fault(spec + "x*"))
    try:
        return await asyncio.wait_for(client.list_contacts(ContactQuery()), 30)
    except LiveDeskError as exc:
        return exc


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("deep", "nested too deeply"),
        ("deep:3000", "nested too deeply"),
        ("count:1e400", "'meta.count' is not a count"),
        ("count:1e30", "'meta.count' is not a count"),
        ("count:" + "9" * 5000, "'meta.count' is not a count"),
        ('count:"' + "9" * 5000 + '"', "'meta.count' is not a count"),
        (f"count:{MAX_COUNT + 1}", "'meta.count' is not a count"),
        ("count:NaN", "'meta.count' is not a count"),
        ("count:-Infinity", "'meta.count' is not a count"),
        ("count:1e308", "'meta.count' is not a count"),
        ("count:[1]", "'meta.count' is not a count"),
    ],
    ids=lambda value: value[:24] if isinstance(value, str) and value.startswith(("d", "c")) else "",
)
async def test_an_unreadable_shape_is_a_bad_response(
    client: ContactsClient, server: DemoServer, spec: str, words: str
) -> None:
    got = await _outcome(client, server, spec)
    assert isinstance(got, BadResponseError), got
    assert words in got.message and got.exit_code == 5
    assert "\n" not in str(got) and len(str(got)) < 400


@pytest.mark.parametrize(
    ("spec", "total"), [("count:1", 15), ('count:"60"', 60), (f"count:{MAX_COUNT}", MAX_COUNT)]
)
async def test_a_count_in_bounds_is_read(
    client: ContactsClient, server: DemoServer, spec: str, total: int
) -> None:
    got = await _outcome(client, server, spec)
    assert not isinstance(got, Exception), got
    assert got.total == total and len(got.contacts) == 15
    assert got.page_count == -(-total // 15)


async def test_an_id_past_the_digit_limit_is_kept_as_text(
    client: ContactsClient, server: DemoServer
) -> None:
    got = await _outcome(client, server, "bignum")
    assert not isinstance(got, Exception), got
    first = got.contacts[0]
    assert first.id == "9" * 5000
    assert '"id":' + "9" * 5000 + "," in first.raw_json
    assert len(got.contacts) == 15 and got.contacts[1].id == server.contacts[1].raw["id"]


@pytest.mark.parametrize(
    "value",
    [10**400, -(10**400), 1e308, float("inf"), "1" + "0" * 5000, "1e400", "-1e400"],
    ids=[
        "int-1e400",
        "int-minus-1e400",
        "1e308",
        "inf-literal",
        "5000-digit-text",
        "e400",
        "-e400",
    ],
)
async def test_numbers_past_every_limit_in_any_field_give_a_page(value: Any) -> None:
    fields = ("id", "created_at", "last_activity_at", "blocked", "name", "email")
    raw = {name: value for name in fields}
    raw["additional_attributes"] = {"company_name": value, "city": value}
    raw["contact_inboxes"] = [{"source_id": value, "inbox": {"id": value, "name": value}}]
    odd = DemoContact(raw=raw)
    with DemoServer(dataset=[odd, *generate_contacts(3, seed=1)]) as running:
        async with ContactsClient(running.connection(), retry=ONCE, timeout=5) as api:
            page = await api.list_contacts(ContactQuery())
    assert len(page.contacts) == 4
    contact = page.contacts[0]
    assert contact.created_at is None and contact.last_activity_at is None
    assert isinstance(contact.display_name, str) and isinstance(contact.company, str)
    assert isinstance(contact.key, str)


async def test_a_dripping_answer_ends_within_the_timeout(server: DemoServer) -> None:
    server.reset()
    server.faults.add(parse_fault("drip:0.1x*"))
    async with ContactsClient(server.connection(), retry=ONCE, timeout=0.5) as api:
        with pytest.raises(NetworkError, match="Timed out waiting for an answer") as caught:
            await asyncio.wait_for(api.list_contacts(ContactQuery(page_size=5)), 15)
    assert caught.value.retryable and caught.value.exit_code == 4


async def test_a_dripping_answer_is_tried_again_each_within_the_timeout(
    server: DemoServer,
) -> None:
    server.reset()
    server.faults.add(parse_fault("drip:0.1x1"))
    retry = RetryPolicy(attempts=2, backoff=0.01)
    async with ContactsClient(server.connection(), retry=retry, timeout=0.5) as api:
        page = await asyncio.wait_for(api.list_contacts(ContactQuery(page_size=5)), 15)
    assert len(page.contacts) == 5
    assert [r.fault for r in server.requests] == ["drip", None]


# --- secrets in exception texts -------------------------------------------------------------


SECRETS = ("tok\nen-s3cr3t-4a7f", "tok\x00en-s3cr3t-4a7f", "tok\ren-s3cr3t-4a7f")


@pytest.mark.parametrize("key", SECRETS, ids=["newline", "nul", "cr"])
@pytest.mark.parametrize("dialect", ["chatwoot", "livedesk"])
async def test_a_credential_http_cannot_carry_never_reaches_the_message(
    key: str, dialect: str, caplog: pytest.LogCaptureFixture
) -> None:
    with DemoServer(contacts=5, dialect=dialect) as running:
        connection = running.connection()
        connection = replace(connection, api_key=Secret(key), api_secret=Secret(key))
        with caplog.at_level(logging.DEBUG, logger="livedesk_tui"):
            async with ContactsClient(
                connection, retry=RetryPolicy(attempts=3, backoff=0.01)
            ) as api:
                try:
                    await api.list_contacts(ContactQuery())
                except LiveDeskError as exc:
                    told = f"{exc} {exc!r} {exc.detail}"
                else:
                    told = ""
        asked = len(running.requests)
    logged = " ".join(record.getMessage() for record in caplog.records)
    for text in (told, logged):
        assert "s3cr3t" not in text and "4a7f" not in text
    if dialect == "chatwoot":  # the token goes in a header as it is: it cannot be sent at all
        assert "could not be sent" in told and asked == 0
        assert "retry" not in logged, "a request that cannot be sent is not tried again"


async def test_connection_refused_names_the_reason_not_the_exception_text() -> None:
    with DemoServer(contacts=1) as gone:
        connection = replace(gone.connection(), base_url=gone.base_url + "/s3cr3t-path")
    async with ContactsClient(connection, retry=ONCE) as api:
        with pytest.raises(NetworkError) as caught:
            await api.list_contacts(ContactQuery())
    assert str(caught.value) == (
        f"Could not connect to {connection.host}: connection refused. Is the base URL right?"
    )


# --- answers no demo server fault sends: a small hostile server of these tests' own ----------


class RawServer:
    """Answers every request on 127.0.0.1 with the same bytes: a head, then ``body`` (an
    iterable of chunks, sent as they come) and a close."""

    def __init__(self, head: bytes, body: Any = ()) -> None:
        self.head, self.body = head, body
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.05)  # so the accept loop sees the stop
        self.port = self.sock.getsockname()[1]
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> RawServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.thread.join(10)
        self.sock.close()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.settimeout(10)
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                conn.sendall(self.head)
                for chunk in self.body:
                    if self.stopping.is_set():
                        return
                    conn.sendall(chunk)
            except OSError:
                return

    def connection(self) -> Connection:
        return Connection(f"http://127.0.0.1:{self.port}", Secret("k"), Secret("s"))


PAGE = b'{"meta":{"count":1},"payload":[{"id":7,"name":"Ada"}]}'


def _head(status: str, *headers: str) -> bytes:
    return ("\r\n".join([f"HTTP/1.1 {status}", *headers, "", ""])).encode()


def _chunked_forever(limit: int = 200 << 20) -> Iterator[bytes]:
    """Chunks of a body without end (bounded, so a client that reads it all ends too)."""
    chunk = b"x" * 65536
    frame = b"%x\r\n%s\r\n" % (len(chunk), chunk)
    for _ in range(limit // len(chunk)):
        yield frame


async def _ask(server: RawServer, attempts: int = 1) -> Any:
    retry = RetryPolicy(attempts=attempts, backoff=0.01)
    async with ContactsClient(server.connection(), retry=retry, timeout=20) as api:
        try:
            return await asyncio.wait_for(api.list_contacts(ContactQuery()), 60)
        except LiveDeskError as exc:
            return exc


async def test_an_error_answer_without_end_is_told_by_its_status() -> None:
    head = _head(
        "503 Service Unavailable", "Transfer-Encoding: chunked", "Content-Type: text/plain"
    )
    with RawServer(head, _chunked_forever()) as hostile:
        got = await _ask(hostile)
    assert isinstance(got, ServerError) and got.status == 503 and got.retryable, got
    assert "had a server error (HTTP 503)" in got.message


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("gzip", gzip.compress(PAGE)),
        ("x-gzip", gzip.compress(PAGE)),
        ("deflate", zlib.compress(PAGE)),
        ("deflate", zlib.compress(PAGE)[2:-4]),  # raw deflate, as some servers send it
        ("identity", PAGE),
    ],
    ids=["gzip", "x-gzip", "deflate", "raw-deflate", "identity"],
)
async def test_the_encodings_asked_for_are_read(encoding: str, body: bytes) -> None:
    head = _head("200 OK", f"Content-Encoding: {encoding}", f"Content-Length: {len(body)}")
    with RawServer(head, [body]) as server:
        got = await _ask(server)
    assert not isinstance(got, Exception), got
    assert [c.name for c in got.contacts] == ["Ada"]


@pytest.mark.parametrize(
    ("encoding", "words"),
    [
        ("br", "encoded as br, which this client did not ask for"),
        ("zstd", "encoded as zstd"),
        ("gzip, gzip", "encoded as gzip, gzip"),
        ("\x1b[31mred", "encoded as"),
    ],
    ids=["br", "zstd", "twice", "escape"],
)
async def test_an_encoding_not_asked_for_is_refused(encoding: str, words: str) -> None:
    head = _head("200 OK", f"Content-Encoding: {encoding}", f"Content-Length: {len(PAGE)}")
    with RawServer(head, [PAGE]) as server:
        got = await _ask(server)
    assert isinstance(got, BadResponseError), got
    assert words in got.message and "\x1b" not in got.message


async def test_a_body_that_does_not_inflate_is_a_bad_response() -> None:
    junk = b"\x1f\x8b\x08\x00not gzip at all"
    head = _head("200 OK", "Content-Encoding: gzip", f"Content-Length: {len(junk)}")
    with RawServer(head, [junk]) as server:
        got = await _ask(server)
    assert isinstance(got, BadResponseError) and "could not be decoded" in got.message, got


@pytest.mark.parametrize(
    "length", ["9" * 5000, "99999999999999999999"], ids=["5000-digits", "20-digits"]
)
async def test_a_content_length_too_long_to_be_a_number_ends_in_an_error(length: str) -> None:
    with RawServer(_head("200 OK", f"Content-Length: {length}"), [PAGE]) as server:
        got = await _ask(server)
    assert isinstance(got, LiveDeskError), got
    assert "\n" not in str(got) and len(str(got)) < 300
    if len(length) < 100:  # h11 itself refuses a length of thousands of digits
        assert isinstance(got, BadResponseError)
        assert "(it says it is more than 10^18 bytes)" in got.message


async def test_the_client_asks_only_for_encodings_it_inflates_itself(server: DemoServer) -> None:
    server.reset()
    seen: list[str] = []

    async def note(request: Any) -> None:
        seen.append(request.headers["accept-encoding"])

    async with ContactsClient(server.connection(), retry=ONCE) as api:
        api._http.event_hooks["request"].append(note)  # the header as sent
        await api.list_contacts(ContactQuery())
    assert seen == ["gzip, deflate"]


@pytest.mark.parametrize(
    "value",
    ["1e400", "inf", "nan", "9" * 400, "Mon, 01 Jan 99999 00:00:00 GMT"],
    ids=["1e400", "inf", "nan", "400-digits", "year-99999"],
)
async def test_a_retry_after_that_is_no_time_is_not_waited_for(
    server: DemoServer, value: str
) -> None:
    server.reset()
    server.faults.add(Fault(kind="status", status=429, retry_after=value))
    retry = RetryPolicy(attempts=2, backoff=0.01, max_wait=5)
    async with ContactsClient(server.connection(), retry=retry, timeout=5) as api:
        page = await asyncio.wait_for(api.list_contacts(ContactQuery()), 20)
    assert len(page.contacts) == 15 and len(server.requests) == 2
