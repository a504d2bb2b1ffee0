"""The Chatwoot client and export judged by Chatwoot's own published API document.

Every other test talks to the demo server, whose idea of Chatwoot is this project's. Here the
requests go to Stoplight Prism serving ``tests/openapi/swagger-4.15.0.json`` with ``--errors``:
a request that breaks the document (a path it lacks, a query value outside an enum, no
``api_access_token``) is answered with an error, and one that passes gets the document's
example. Where the document and the real server differ (the project's API notes, API.md,
"Chatwoot, as its source behaves": 4 sort keys listed, no ``labels``, ``include_contact_inboxes``
or ``has_more``) the test asserts the difference as it stands rather than skipping it; where
the client differs from what API.md says the server does, a strict xfail names the fix.

Prism is installed by ``make test`` into ``.venv/node``; without Node.js or that install the
module is skipped with the reason (the document check alone still runs).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from prism_server import SPEC, PrismServer, PrismUnavailable, find_prism

from livedesk_tui.api.client import ContactsClient, RetryPolicy
from livedesk_tui.api.connection import Connection, Secret
from livedesk_tui.api.errors import ApiError, AuthError, NotFoundError
from livedesk_tui.api.models import SORT_KEYS, ContactQuery

SPEC_SHA256 = "e7896faca2a6a333f8c566cef19060bed0d9db915ed71e1fc500aab1f77bae64"
"""Of Chatwoot v4.15.0's ``swagger/swagger.json``, as ``tests/openapi/README.md`` records."""
ACCOUNT_ID = 7
TOKEN = "prism-test-token"
CONTACTS_PATH = f"/api/v1/accounts/{ACCOUNT_ID}/contacts"
ONE_TRY = RetryPolicy(attempts=1)
EXPORT_TIMEOUT = 30.0
"""Seconds an export may run against Prism: it takes under one; an export that keeps paging
through the same example answer is stopped here and reported, not waited for."""

DOCUMENT: dict[str, Any] = json.loads(SPEC.read_text(encoding="utf-8"))

# What the 4.15 controller declares as sort keys (API.md, "Chatwoot, as its source behaves":
# the document's four, plus created_at, company_name (company before 4.13), city, country).
SERVER_SORT_KEYS = frozenset(
    {
        "name",
        "email",
        "phone_number",
        "last_activity_at",
        "created_at",
        "company_name",
        "city",
        "country",
    }
)


def _parameter(path: str, name: str) -> dict[str, Any]:
    """The document's declaration of query parameter ``name`` on ``GET path``, refs resolved."""
    operation = DOCUMENT["paths"][path]["get"]
    for entry in operation.get("parameters", []):
        if "$ref" in entry:
            entry = DOCUMENT["components"]["parameters"][entry["$ref"].rsplit("/", 1)[-1]]
        if entry.get("name") == name:
            return entry
    raise KeyError(f"GET {path} declares no parameter {name!r}")


def _declared_names(path: str) -> set[str]:
    names = set()
    for entry in DOCUMENT["paths"][path]["get"].get("parameters", []):
        if "$ref" in entry:
            entry = DOCUMENT["components"]["parameters"][entry["$ref"].rsplit("/", 1)[-1]]
        names.add(entry["name"])
    return names


SPEC_LIST_PATH = "/api/v1/accounts/{account_id}/contacts"
SPEC_SORTS: list[str] = _parameter(SPEC_LIST_PATH, "sort")["schema"]["enum"]
SPEC_SORT_KEYS = {value.removeprefix("-") for value in SPEC_SORTS}
SORTS_IN_SPEC = [key for key in SORT_KEYS if key in SPEC_SORT_KEYS]
SORTS_NOT_IN_SPEC = [key for key in SORT_KEYS if key not in SPEC_SORT_KEYS]


# --- Prism, and the client's requests as they went --------------------------------------


@pytest.fixture(scope="module")
def prism(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrismServer]:
    try:
        command = find_prism()
    except PrismUnavailable as exc:
        pytest.skip(f"no check against Chatwoot's API document: {exc}")
    server = PrismServer(command, tmp_path_factory.mktemp("prism") / "prism.log").start()
    try:
        yield server
    finally:
        server.stop()


@dataclass(frozen=True)
class Exchange:
    """One request as it went out and what Prism made of it."""

    request: httpx.Request
    status: int
    headers: httpx.Headers
    body: bytes

    @property
    def params(self) -> list[tuple[str, str]]:
        return list(self.request.url.params.multi_items())

    def violations(self) -> list[str]:
        """Prism's complaints: the ``sl-violations`` header, or a problem+json body's list."""
        found: list[Any] = []
        header = self.headers.get("sl-violations")
        if header:
            found.extend(json.loads(header))
        if self.headers.get("content-type", "").startswith("application/problem+json"):
            problem = json.loads(self.body)
            found.extend(problem.get("validation") or [problem.get("title", "?")])
        return [
            f"{'.'.join(v.get('location', []))}: {v.get('code', '')} {v.get('message', '')}"
            if isinstance(v, dict)
            else str(v)
            for v in found
        ]

    def json(self) -> Any:
        return json.loads(self.body)


class Recorder(httpx.AsyncBaseTransport):
    """httpx's own transport, keeping each request and Prism's answer to it."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.exchanges: list[Exchange] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        try:
            body = b"".join([chunk async for chunk in response.aiter_raw()])
        finally:
            await response.aclose()
        self.exchanges.append(Exchange(request, response.status_code, response.headers, body))
        # A stream, not content=: the client reads the raw stream, which content= has consumed.
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=httpx.ByteStream(body),
            request=request,
        )

    async def aclose(self) -> None:
        await self._inner.aclose()

    @property
    def last(self) -> Exchange:
        return self.exchanges[-1]


@dataclass
class Chatwoot:
    client: ContactsClient
    sent: Recorder


def _connection(prism: PrismServer, token: str = TOKEN, **changes: Any) -> Connection:
    fields: dict[str, Any] = {
        "base_url": prism.base_url,
        "api_key": Secret(token),
        "dialect": "chatwoot",
        "account_id": ACCOUNT_ID,
    }
    fields.update(changes)
    return Connection(**fields)


@pytest.fixture
async def chatwoot(prism: PrismServer) -> AsyncIterator[Chatwoot]:
    sent = Recorder()
    async with ContactsClient(_connection(prism), retry=ONE_TRY, transport=sent) as client:
        yield Chatwoot(client, sent)


def assert_meets_the_document(exchange: Exchange) -> None:
    assert exchange.status == 200 and not exchange.violations(), (
        f"GET {exchange.request.url.path}?{exchange.request.url.query.decode()} breaks "
        f"Chatwoot's API document: HTTP {exchange.status} {exchange.violations()}"
    )


def assert_rejected_for(exchange: Exchange, location: str, code: str) -> None:
    wanted = f"{location}: {code}"
    assert exchange.status in {400, 422}, f"HTTP {exchange.status}, not a rejection"
    assert any(v.startswith(wanted) for v in exchange.violations()), exchange.violations()


def example_payload(exchange: Exchange) -> list[dict[str, Any]]:
    """The contacts of the document's example, as Prism sent them."""
    payload = exchange.json()["payload"]
    assert isinstance(payload, list) and payload, "the document's example lists no contact"
    return payload


# --- the document itself ----------------------------------------------------------------


def test_the_document_is_chatwoots_unchanged() -> None:
    digest = hashlib.sha256(SPEC.read_bytes()).hexdigest()
    assert digest == SPEC_SHA256, "tests/openapi/swagger-4.15.0.json was changed; restore it"
    assert DOCUMENT["info"]["license"]["name"] == "MIT License"
    scheme = DOCUMENT["components"]["securitySchemes"]["userApiKey"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == (
        "apiKey",
        "header",
        "api_access_token",
    )


# --- requests that must meet the document -----------------------------------------------


async def test_first_page_meets_the_document(chatwoot: Chatwoot) -> None:
    page = await chatwoot.client.list_contacts(ContactQuery())
    sent = chatwoot.sent.last
    assert_meets_the_document(sent)
    assert sent.request.url.path == CONTACTS_PATH
    assert sent.request.headers["api_access_token"] == TOKEN
    assert [contact.raw for contact in page.contacts] == example_payload(sent)


async def test_page_two_meets_the_document(chatwoot: Chatwoot) -> None:
    await chatwoot.client.list_contacts(ContactQuery(page=2))
    assert_meets_the_document(chatwoot.sent.last)
    assert ("page", "2") in chatwoot.sent.last.params


@pytest.mark.parametrize("direction", ["asc", "desc"])
@pytest.mark.parametrize("key", SORTS_IN_SPEC)
async def test_sort_the_document_lists_meets_it(
    chatwoot: Chatwoot, key: str, direction: str
) -> None:
    await chatwoot.client.list_contacts(ContactQuery(sort=key, direction=direction))
    sent = chatwoot.sent.last
    assert_meets_the_document(sent)
    wanted = f"-{key}" if direction == "desc" else key
    assert [v for k, v in sent.params if k == "sort"] == [wanted]
    assert not any(k == "direction" for k, _ in sent.params)  # the prefix is the direction


async def test_search_meets_the_document(chatwoot: Chatwoot) -> None:
    page = await chatwoot.client.list_contacts(
        ContactQuery(search="yamada", sort="last_activity_at", direction="desc")
    )
    sent = chatwoot.sent.last
    assert_meets_the_document(sent)
    assert sent.request.url.path == CONTACTS_PATH + "/search"
    assert ("q", "yamada") in sent.params
    assert [contact.raw for contact in page.contacts] == example_payload(sent)


async def test_labels_and_no_inboxes_pass_though_the_document_omits_them(
    chatwoot: Chatwoot,
) -> None:
    """The document declares neither parameter (API.md: the server takes both); Prism lets
    parameters it does not know through, so this checks that nothing declared is broken."""
    assert not {"labels", "labels[]", "include_contact_inboxes"} & _declared_names(SPEC_LIST_PATH)
    await chatwoot.client.list_contacts(
        ContactQuery(labels=("vip", "billing"), include_inboxes=False)
    )
    sent = chatwoot.sent.last
    assert_meets_the_document(sent)
    params = sent.params
    assert [v for k, v in params if k == "labels[]"] == ["vip", "billing"]
    assert ("include_contact_inboxes", "false") in params


async def test_account_labels_meet_the_document(chatwoot: Chatwoot) -> None:
    titles = await chatwoot.client.list_labels()
    sent = chatwoot.sent.last
    assert_meets_the_document(sent)
    assert sent.request.url.path == f"/api/v1/accounts/{ACCOUNT_ID}/labels"
    assert titles == sorted({label["title"] for label in sent.json()["payload"]})


# --- where the document and the server differ --------------------------------------------


@pytest.mark.parametrize("direction", ["asc", "desc"])
@pytest.mark.parametrize("key", SORTS_NOT_IN_SPEC)
async def test_sort_keys_the_document_lacks_are_refused_by_it(
    chatwoot: Chatwoot, key: str, direction: str
) -> None:
    """The document's ``sort`` enum has 4 keys; the client offers 8 (API.md: the 4.15 server
    declares created_at, company_name, city and country as well, and ignores keys it does not
    declare). A server built from the document alone would refuse these requests."""
    with pytest.raises(ApiError) as raised:
        await chatwoot.client.list_contacts(ContactQuery(sort=key, direction=direction))
    assert raised.value.status == 400
    assert_rejected_for(chatwoot.sent.last, "request.query.sort", "enum")


async def test_a_sort_the_document_lacks_is_refused_on_search_too(chatwoot: Chatwoot) -> None:
    """The search call has no 400 in the document, so Prism answers 422 problem+json."""
    with pytest.raises(ApiError) as raised:
        await chatwoot.client.list_contacts(ContactQuery(search="yamada", sort="created_at"))
    assert raised.value.status == 422
    assert_rejected_for(chatwoot.sent.last, "query.sort", "enum")


@pytest.mark.parametrize("key", SORT_KEYS)
async def test_every_sort_names_a_key_chatwoot_4_15_declares(chatwoot: Chatwoot, key: str) -> None:
    """The document's version (4.15) silently ignores a sort key its controller does not
    declare, so a key it lacks gives an unsorted list and no error to notice."""
    with contextlib.suppress(ApiError):  # the document refuses keys it lacks (see above)
        await chatwoot.client.list_contacts(ContactQuery(sort=key, direction="desc"))
    sent = [v for k, v in chatwoot.sent.last.params if k == "sort"]
    keys = {part.removeprefix("-") for value in sent for part in value.split(",")}
    assert keys & SERVER_SORT_KEYS, f"sort={sent} names no key Chatwoot 4.15 sorts by"


# --- the checks can fail: requests the document refuses ----------------------------------


async def test_a_request_without_the_token_is_refused(prism: PrismServer) -> None:
    sent = Recorder()
    async with ContactsClient(
        _connection(prism, token=""), retry=ONE_TRY, transport=sent
    ) as client:
        with pytest.raises(AuthError):
            await client.list_contacts(ContactQuery())
    assert sent.last.status == 401
    assert sent.last.violations() == ["Invalid security scheme used"]


async def test_a_path_the_document_lacks_is_refused(prism: PrismServer) -> None:
    sent = Recorder()
    livedesk = _connection(prism, dialect="livedesk", api_secret=Secret("s"), account_id=None)
    async with ContactsClient(livedesk, retry=ONE_TRY, transport=sent) as client:
        with pytest.raises(NotFoundError):
            await client.list_contacts(ContactQuery())
    assert sent.last.request.url.path == "/api/v2/accounts/contacts"
    assert sent.last.status == 404


async def test_a_refused_request_is_not_retried(prism: PrismServer) -> None:
    sent = Recorder()
    retry = RetryPolicy(attempts=3, backoff=0.01)
    async with ContactsClient(_connection(prism), retry=retry, transport=sent) as client:
        with pytest.raises(ApiError):
            await client.list_contacts(ContactQuery(sort="created_at"))
    assert [exchange.status for exchange in sent.exchanges] == [400]


# --- the export command -----------------------------------------------------------------


def export(prism: PrismServer, output: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """``livedesk-tui export`` against Prism in a process of its own, bounded in time."""
    env = {**os.environ, "LIVEDESK_API_KEY": TOKEN}
    command = [sys.executable, "-m", "livedesk_tui", "--base-url", prism.base_url]
    command += ["--dialect", "chatwoot", "--account-id", str(ACCOUNT_ID)]
    command += ["export", "--format", "jsonl", "-o", str(output), *options]
    try:
        return subprocess.run(
            command,
            env=env,
            capture_output=True,
            text=True,
            timeout=EXPORT_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        asked = [path for _, path in prism.received() if path.startswith(CONTACTS_PATH)]
        pytest.fail(
            f"the export was still running after {EXPORT_TIMEOUT:.0f} s, having asked for "
            f"{len(asked)} pages of the same example answer: it pages without end"
        )


def example_answer(prism: PrismServer, path: str) -> list[dict[str, Any]]:
    answer = httpx.get(
        prism.base_url + path, params={"page": "1"}, headers={"api_access_token": TOKEN}
    )
    assert answer.status_code == 200, answer.text
    payload = answer.json()["payload"]
    assert payload, "the document's example lists no contact"
    return payload


# Without --sort an export from Chatwoot asks for created_at (its only order close to stable),
# which the document lacks (see test_export_with_a_sort_the_document_lacks_stops_at_page_1):
# these name a key the document lists.
@pytest.mark.parametrize(
    "options",
    [
        pytest.param(("--sort", "name"), id="all"),
        pytest.param(("--sort", "last_activity_at", "--direction", "desc"), id="sorted"),
        pytest.param(("--search", "yamada", "--label", "vip", "--sort", "name"), id="search"),
    ],
)
def test_export_of_the_example_ends_with_each_contact_once(
    prism: PrismServer, tmp_path: Path, options: tuple[str, ...]
) -> None:
    """Every page gets the same example (one contact, ``count: 0``): a short first page, so
    the export stops there rather than asking for the same page again and again."""
    path = CONTACTS_PATH + ("/search" if "--search" in options else "")
    expected = example_answer(prism, path)
    before = len(prism.received())
    output = tmp_path / "contacts.jsonl"
    done = export(prism, output, "--retries", "0", "--concurrency", "4", *options)
    asked = [p for _, p in prism.received()[before:] if p == path]
    assert done.returncode == 0, done.stderr
    written = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert written == expected
    assert f"Exported {len(expected):,} contacts to {output}." in done.stderr
    assert 1 <= len(asked) <= 4 + 1, f"{len(asked)} requests for a one-page answer"


def test_export_with_a_sort_the_document_lacks_stops_at_page_1(
    prism: PrismServer, tmp_path: Path
) -> None:
    """The document refuses ``sort=created_at`` (API.md: the 4.15 server sorts by it): the
    export stops on the refusal with one line naming it, and leaves no complete-looking file."""
    output = tmp_path / "contacts.jsonl"
    done = export(prism, output, "--retries", "0", "--sort", "created_at")
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr  # refused as asked: asking again cannot help
    assert len(lines) == 1, done.stderr
    assert "Export stopped at page 1" in lines[0] and "(HTTP 400)" in lines[0]
    assert TOKEN not in done.stderr
    assert not output.exists()
