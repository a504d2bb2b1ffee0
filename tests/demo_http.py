"""Helpers for the demo server tests: this suite's own reading of the ordering and search
rules (so expectations never come from the server's code), and raw HTTP over a socket (so
faults can be seen byte for byte).
"""

from __future__ import annotations

import base64
import functools
import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from livedesk_tui.demo.catalogue import DemoContact
from livedesk_tui.demo.server import DEMO_API_KEY, DEMO_API_SECRET, DemoServer

PATH = "/api/v2/accounts/contacts"
AUTH = (DEMO_API_KEY, DEMO_API_SECRET)
SORT_KEYS = (
    "email",
    "name",
    "phone_number",
    "last_activity_at",
    "created_at",
    "company",
    "city",
    "country",
)
ATTRIBUTE_OF = {"company": "company_name", "city": "city", "country": "country"}


# --- independent expectations ---------------------------------------------------------------


def value_for(raw: dict[str, Any], key: str) -> Any:
    """The sort value, or None for empty (missing, null, blank or of the wrong type)."""
    if key in ATTRIBUTE_OF:
        attrs = raw.get("additional_attributes")
        value = attrs.get(ATTRIBUTE_OF[key]) if isinstance(attrs, dict) else None
    else:
        value = raw.get(key)
    if key in {"created_at", "last_activity_at"}:
        return value if type(value) in {int, float} else None
    if isinstance(value, str) and value.strip() != "":
        return value.casefold()
    return None


def expected_ids(contacts: list[DemoContact], key: str, descending: bool) -> list[int]:
    def compare(a: DemoContact, b: DemoContact) -> int:
        va, vb = value_for(a.raw, key), value_for(b.raw, key)
        if (va is None) != (vb is None):
            return 1 if va is None else -1  # empties last, whatever the direction
        if va is not None and va != vb:
            smaller = va < vb
            return (1 if smaller else -1) if descending else (-1 if smaller else 1)
        return -1 if a.raw["id"] < b.raw["id"] else (1 if a.raw["id"] > b.raw["id"] else 0)

    return [c.raw["id"] for c in sorted(contacts, key=functools.cmp_to_key(compare))]


def matches_search(raw: dict[str, Any], text: str) -> bool:
    needle = text.strip().casefold()
    fields = (raw.get(k) for k in ("name", "email", "phone_number", "identifier"))
    return any(isinstance(f, str) and needle in f.casefold() for f in fields)


def fetch_all(client: httpx.Client, params: dict[str, Any], path: str = PATH) -> list[dict]:
    rows: list[dict] = []
    page = 1
    while True:
        response = client.get(path, params={**params, "page": page, "page_size": 100})
        assert response.status_code == 200, response.text
        payload = response.json()["payload"]
        if not payload:
            return rows
        rows.extend(payload)
        page += 1


# --- raw HTTP over a socket -----------------------------------------------------------------


def basic() -> str:
    return "Basic " + base64.b64encode(f"{DEMO_API_KEY}:{DEMO_API_SECRET}".encode()).decode()


def request_bytes(path: str = PATH, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", f"Authorization: {basic()}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def open_socket(server: DemoServer, timeout: float = 10.0) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=timeout)
    return sock


def read_to_eof(sock: socket.socket) -> bytes:
    chunks = []
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One complete HTTP response off a keep-alive socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed after {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers["content-length"])
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "connection closed mid-body"
        body += chunk
    return status, headers, body


def split_response(data: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def wait_until(condition: Any, limit: float = 20.0) -> None:
    """Poll ``condition`` until it holds; fail the test if it never does."""
    pause = threading.Event()
    for _ in range(int(limit / 0.01)):
        if condition():
            return
        pause.wait(0.01)
    raise AssertionError("the condition never held")


def clean(server: DemoServer) -> Iterator[DemoServer]:
    """Yield a shared server with no faults, no latency and an empty log; check it stayed sane."""
    server.reset()
    yield server
    server.faults.clear()
    server.latency_ms = 0
    assert server.errors == []


@pytest.fixture
def server(demo_server_module: DemoServer) -> Iterator[DemoServer]:
    """The shared 1,000-contact server, with no faults, no latency and an empty log."""
    yield from clean(demo_server_module)


@pytest.fixture
def http(server: DemoServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, auth=AUTH, timeout=10) as client:
        yield client


def chatwoot_search_matches(raw: dict[str, Any], needle: str, *, company: bool) -> bool:
    """Whether Chatwoot's search finds ``raw`` for ``needle``: name, e-mail and phone
    ignoring case, the identifier exactly (and, up to 4.10.0, the company name)."""
    folded = needle.casefold()
    fields = [raw.get(k) for k in ("name", "email", "phone_number")]
    if company:
        fields.append((raw.get("additional_attributes") or {}).get("company_name"))
    if any(isinstance(f, str) and folded in f.casefold() for f in fields):
        return True
    identifier = raw.get("identifier")
    return isinstance(identifier, str) and needle in identifier


def most_common_label(dataset: list[DemoContact]) -> str:
    """The label the most contacts of ``dataset`` have."""
    counts: dict[str, int] = {}
    for contact in dataset:
        for label in contact.labels:
            counts[label] = counts.get(label, 0) + 1
    return max(counts, key=counts.__getitem__)
