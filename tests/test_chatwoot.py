"""The Chatwoot dialect end to end: client and export against the demo server speaking it."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace

import pytest

from livedesk_tui.api.client import ContactsClient, RetryPolicy
from livedesk_tui.api.connection import Secret
from livedesk_tui.api.errors import AuthError, NotFoundError
from livedesk_tui.api.export import export_contacts
from livedesk_tui.api.models import ContactQuery
from livedesk_tui.demo.catalogue import LABEL_TITLES
from livedesk_tui.demo.dataset import generate_contacts
from livedesk_tui.demo.server import DemoServer

FAST = RetryPolicy(attempts=2, backoff=0.01)
DATASET = generate_contacts(100, seed=3)


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(dataset=DATASET, dialect="chatwoot", account_id=7) as running:
        yield running


@pytest.fixture
async def client(server: DemoServer) -> AsyncIterator[ContactsClient]:
    server.reset()
    async with ContactsClient(server.connection(), retry=FAST) as api:
        yield api


async def test_lists_with_the_account_path_and_fifteen_a_page(
    client: ContactsClient, server: DemoServer
) -> None:
    page = await client.list_contacts(ContactQuery(page_size=100))
    assert len(page.contacts) == 15
    assert page.page_size == 15
    assert page.total == len(DATASET)
    assert server.requests[-1].path == "/api/v1/accounts/7/contacts"


async def test_descending_sort_is_a_minus_prefix(
    client: ContactsClient, server: DemoServer
) -> None:
    page = await client.list_contacts(ContactQuery(sort="name", direction="desc"))
    params = server.requests[-1].params
    assert ("sort", "-name") in params
    assert not any(key == "direction" for key, _ in params)
    names = [c.name.casefold() for c in page.contacts if c.name]
    assert names == sorted(names, reverse=True)


async def test_search_pages_by_has_more_until_the_end(
    client: ContactsClient, server: DemoServer
) -> None:
    term = "example"
    expected = {
        d.raw["id"]
        for d in DATASET
        if any(
            term in str(d.raw.get(field) or "").casefold()
            for field in ("name", "email", "phone_number", "identifier")
        )
    }
    assert len(expected) > 15, "the search should span several pages"
    found: list[object] = []
    page = await client.list_contacts(ContactQuery(search=term))
    assert page.total is None and page.has_more is True
    found.extend(c.id for c in page.contacts)
    while not page.is_last:
        page = await client.list_contacts(ContactQuery(search=term).at_page(page.number + 1))
        found.extend(c.id for c in page.contacts)
    assert server.requests[-1].path == "/api/v1/accounts/7/contacts/search"
    assert sorted(found) == sorted(expected)


async def test_labels_come_from_the_account(client: ContactsClient) -> None:
    assert set(await client.list_labels()) == set(LABEL_TITLES)


async def test_missing_token_is_an_auth_error(server: DemoServer) -> None:
    async with ContactsClient(replace(server.connection(), api_key=Secret("")), retry=FAST) as api:
        with pytest.raises(AuthError, match="access token"):
            await api.list_contacts(ContactQuery())


async def test_unknown_account_is_not_found(server: DemoServer) -> None:
    async with ContactsClient(replace(server.connection(), account_id=99), retry=FAST) as api:
        with pytest.raises(NotFoundError, match="account id") as caught:
            await api.list_contacts(ContactQuery())
    assert caught.value.exit_code == 2


@pytest.mark.parametrize("search", ["", "example"])
async def test_export_lists_every_match_exactly_once(client: ContactsClient, search: str) -> None:
    out = io.StringIO()
    result = await export_contacts(
        client, ContactQuery(search=search, page_size=100), out, concurrency=3
    )
    ids = [json.loads(line)["id"] for line in out.getvalue().splitlines()]
    assert len(ids) == len(set(ids)) == result.written
    if not search:
        assert sorted(ids) == sorted(d.raw["id"] for d in DATASET)
    assert result.complete
