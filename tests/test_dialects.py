"""Each server kind is one dialect object, and everything that speaks to a server asks it.

The client, the first page asked for ahead of time and the export's choice of sort take their
paths, parameters, credentials and wording from ``dialect_for(connection)``: a dialect of a
test's own (a Chatwoot that spells a sort another way, calls its credentials otherwise) shows
up in what every one of them sends and says, which it would not if any of them still decided
by the dialect's name.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

import pytest

from livedesk_tui.api import dialects
from livedesk_tui.api.client import ContactsClient, RetryPolicy
from livedesk_tui.api.connection import Connection, Secret
from livedesk_tui.api.dialects import Chatwoot, LiveDesk, dialect_for
from livedesk_tui.api.errors import ApiError, AuthError
from livedesk_tui.api.export import stable_query
from livedesk_tui.api.first_page import FirstPage
from livedesk_tui.api.models import ContactQuery
from livedesk_tui.demo.faults import Fault
from livedesk_tui.demo.server import DemoServer

FAST = RetryPolicy(attempts=1)
QUERIES = [
    ContactQuery(),
    ContactQuery(page_size=40, labels=("vip",), include_inboxes=False),
    ContactQuery(labels=("vip", "billing"), sort="company", direction="desc"),
    ContactQuery(sort="name", search="a"),
]


@pytest.fixture(scope="module", params=["livedesk", "chatwoot"])
def server(request: pytest.FixtureRequest) -> Iterator[DemoServer]:
    with DemoServer(contacts=60, dialect=request.param) as running:
        yield running


class NewerChatwoot(Chatwoot):
    """A Chatwoot that knows only the newer company key and calls its token otherwise."""

    __slots__ = ()

    SORT_KEYS: ClassVar[dict[str, tuple[str, ...]]] = {"company": ("company_name",)}
    credentials_name: ClassVar[str] = "personal token"


def sent(server: DemoServer) -> list[tuple[str, list[tuple[str, str]]]]:
    return [(r.path, r.params) for r in server.requests]


def test_the_name_gives_the_class() -> None:
    with DemoServer(contacts=1, dialect="chatwoot") as chatwoot, DemoServer(contacts=1) as live:
        assert type(dialect_for(chatwoot.connection())) is Chatwoot
        assert type(dialect_for(live.connection())) is LiveDesk
        with pytest.raises(ValueError, match="no dialect"):
            dialect_for(replace(live.connection(), dialect="zendesk"))  # type: ignore[arg-type]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.describe() or "plain")
def test_the_client_and_the_first_page_send_the_dialects_request(
    server: DemoServer, query: ContactQuery
) -> None:
    server.reset()
    dialect = dialect_for(server.connection())
    asked = query.with_page_size(dialect.page_size(query))
    assert FirstPage(server.connection(), query, env={}).start().wait(5) is not None

    async def ordinary() -> None:
        async with ContactsClient(server.connection(), retry=FAST) as client:
            await client.list_contacts(query)

    asyncio.run(ordinary())
    assert sent(server) == [dialect.list_request(asked)] * 2


def test_a_dialect_of_its_own_is_what_every_caller_asks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(dialects.DIALECT_CLASSES, "chatwoot", NewerChatwoot)
    query = ContactQuery(sort="company", direction="desc")
    with DemoServer(contacts=20, dialect="chatwoot", chatwoot_version="4.15") as server:
        connection = server.connection()
        assert FirstPage(connection, query, env={}).start().wait(5) is not None

        async def ordinary() -> None:
            async with ContactsClient(connection, retry=FAST) as client:
                await client.list_contacts(query)
            wrong = replace(connection, api_key=Secret("not-the-token"))
            async with ContactsClient(wrong, retry=FAST) as client:
                await client.list_contacts(query)

        with pytest.raises(AuthError) as refused:
            asyncio.run(ordinary())
        sorts = [dict(params).get("sort") for _, params in sent(server)]
    assert sorts == ["-company_name"] * 3
    assert "refused the personal token (HTTP 401)" in str(refused.value)


def test_the_export_asks_the_dialect_for_a_stable_sort(monkeypatch: pytest.MonkeyPatch) -> None:
    class Unordered(LiveDesk):
        __slots__ = ()
        stable_sort: ClassVar[str | None] = "id"

    with DemoServer(contacts=1) as server:
        assert stable_query(ContactQuery(), server.connection()) == (ContactQuery(), None)
        monkeypatch.setitem(dialects.DIALECT_CLASSES, "livedesk", Unordered)
        query, note = stable_query(ContactQuery(), server.connection())
    assert (query.sort, query.direction) == ("id", "asc")
    assert note is not None and note.startswith("LiveDesk has no set order without a sort")


def test_the_api_layer_branches_on_no_dialect_name() -> None:
    api = Path(dialects.__file__).parent
    branching = re.compile(r"dialect\s*(==|!=)|(==|!=)\s*[\"'](livedesk|chatwoot)[\"']")
    found = [
        f"{path.name}:{number}"
        for path in sorted(api.glob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if branching.search(line)
    ]
    assert found == []


WORDING = {
    "livedesk": (
        "{host} refused the API key pair (HTTP 401). Check the key from the demo server.",
        "{host} has no contacts API at this address (HTTP 404); check the base URL and its "
        "data centre.",
    ),
    "chatwoot": (
        "{host} refused the access token (HTTP 401): it is wrong or revoked, its user is not a "
        "member of account 1, the account is suspended, or a reverse proxy in front of Chatwoot "
        "drops the api_access_token header for its underscore (nginx needs "
        "underscores_in_headers on). Check the token from the demo server.",
        "{host} has no contacts API at this address (HTTP 404); check the account id.",
    ),
}


def test_a_refusal_and_a_missing_api_are_worded_by_the_dialect(server: DemoServer) -> None:
    server.reset()
    connection = server.connection()
    refused, missing = (line.format(host=connection.host) for line in WORDING[connection.dialect])
    wrong = replace(connection, api_key=Secret("wrong"), api_secret=Secret("wrong"))

    async def failing(to: Connection) -> str:
        async with ContactsClient(to, retry=FAST) as client:
            with pytest.raises(ApiError) as caught:
                await client.list_contacts(ContactQuery())
        return caught.value.message

    assert asyncio.run(failing(wrong)) == refused
    server.faults.add(Fault(kind="status", status=404, times=None))
    assert asyncio.run(failing(connection)) == missing
