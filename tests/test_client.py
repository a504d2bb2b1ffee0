"""ContactsClient against the demo server over real loopback HTTP: queries, paging, failures."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace

import pytest

from livedesk_tui.api.client import ContactsClient, RetryPolicy
from livedesk_tui.api.connection import Secret
from livedesk_tui.api.errors import (
    AuthError,
    BadResponseError,
    ForbiddenError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    RejectedError,
    ServerError,
)
from livedesk_tui.api.models import SORT_KEYS, Contact, ContactQuery
from livedesk_tui.demo.dataset import generate_contacts
from livedesk_tui.demo.faults import Fault
from livedesk_tui.demo.server import DemoServer

FAST = RetryPolicy(attempts=3, backoff=0.01)
DATASET = generate_contacts(200, seed=11)


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(dataset=DATASET) as running:
        yield running


@pytest.fixture
async def client(server: DemoServer) -> AsyncIterator[ContactsClient]:
    server.reset()
    async with ContactsClient(server.connection(), retry=FAST, timeout=2.0) as api:
        yield api


def labels_of(contact: Contact) -> tuple[str, ...]:
    by_id = {demo.raw["id"]: demo.labels for demo in DATASET}
    return by_id[contact.id]


async def all_pages(client: ContactsClient, query: ContactQuery) -> list[Contact]:
    contacts: list[Contact] = []
    page = await client.list_contacts(query.at_page(1))
    contacts.extend(page.contacts)
    while not page.is_last:
        page = await client.list_contacts(query.at_page(page.number + 1))
        contacts.extend(page.contacts)
    return contacts


async def test_first_page_has_fifteen_and_the_total(client: ContactsClient) -> None:
    page = await client.list_contacts(ContactQuery())
    assert len(page.contacts) == 15
    assert page.total == len(DATASET)
    assert page.page_count == -(-len(DATASET) // 15)
    assert all(c.contact_inboxes is not None for c in page.contacts)


async def test_paging_lists_every_contact_exactly_once(client: ContactsClient) -> None:
    contacts = await all_pages(client, ContactQuery(sort="created_at", page_size=40))
    ids = [c.id for c in contacts]
    assert sorted(ids) == sorted(d.raw["id"] for d in DATASET)
    assert len(ids) == len(set(ids))


async def test_labels_match_any_of_several(client: ContactsClient) -> None:
    wanted = ("vip", "billing")
    contacts = await all_pages(client, ContactQuery(labels=wanted, page_size=100))
    expected = {d.raw["id"] for d in DATASET if set(d.labels) & set(wanted)}
    assert expected, "the data set should have contacts with these labels"
    assert {c.id for c in contacts} == expected
    single = await all_pages(client, ContactQuery(labels=("vip",), page_size=100))
    assert {c.id for c in single} == {d.raw["id"] for d in DATASET if "vip" in d.labels}
    assert len(single) < len(contacts)


def _sort_value(contact: Contact, key: str) -> str:
    values = {
        "name": contact.name,
        "email": contact.email,
        "phone_number": contact.phone_number,
        "company": contact.company,
        "city": contact.city,
        "country": contact.country,
        "created_at": contact.created_at.isoformat() if contact.created_at else "",
        "last_activity_at": contact.last_activity_at.isoformat()
        if contact.last_activity_at
        else "",
    }
    return values[key]


@pytest.mark.parametrize("key", SORT_KEYS)
@pytest.mark.parametrize("direction", ["asc", "desc"])
async def test_each_sort_key_both_ways_with_empties_last(
    client: ContactsClient, server: DemoServer, key: str, direction: str
) -> None:
    contacts = await all_pages(client, ContactQuery(sort=key, direction=direction, page_size=100))  # type: ignore[arg-type]
    values = [_sort_value(c, key) for c in contacts]
    filled = [v for v in values if v]
    assert values[: len(filled)] == filled, "empty values must come last"
    folded = [v.casefold() for v in filled]
    assert folded == sorted(folded, reverse=direction == "desc")
    sent = server.requests[-1].params
    assert ("sort", key) in sent and ("direction", direction) in sent


async def test_search_matches_name_email_phone_identifier(client: ContactsClient) -> None:
    target = next(d.raw for d in DATASET if d.raw.get("email"))
    page = await client.list_contacts(ContactQuery(search=target["email"].upper()))
    assert target["id"] in {c.id for c in page.contacts}
    assert all(target["email"].lower() in c.email.lower() for c in page.contacts)


async def test_inboxes_left_out_when_not_asked_for(client: ContactsClient) -> None:
    page = await client.list_contacts(ContactQuery(include_inboxes=False))
    assert page.contacts and all(c.contact_inboxes is None for c in page.contacts)
    assert all("contact_inboxes" not in c.raw for c in page.contacts)


async def test_page_past_the_end_is_empty_with_the_total(client: ContactsClient) -> None:
    page = await client.list_contacts(ContactQuery(page=999))
    assert page.contacts == ()
    assert page.total == len(DATASET)


async def test_ignored_page_size_is_detected_and_adopted() -> None:
    with DemoServer(dataset=DATASET, ignore_page_size=True) as stubborn:
        async with ContactsClient(stubborn.connection(), retry=FAST) as api:
            first = await api.list_contacts(ContactQuery(page_size=100))
            assert len(first.contacts) == 15
            assert first.page_size == 15
            assert first.page_count == -(-len(DATASET) // 15)
            contacts = await all_pages(api, ContactQuery(page_size=100))
            assert ("page_size", "15") in stubborn.requests[-1].params
    assert sorted(c.id for c in contacts) == sorted(d.raw["id"] for d in DATASET)


async def test_wrong_key_pair_is_an_auth_error_naming_the_origin_not_the_secret(
    server: DemoServer,
) -> None:
    server.reset_log()
    wrong = replace(
        server.connection(),
        api_secret=Secret("wrong-secret-9f8e7d"),
        origin="env LIVEDESK_API_SECRET",
    )
    async with ContactsClient(wrong, retry=FAST) as api:
        with pytest.raises(AuthError) as caught:
            await api.list_contacts(ContactQuery())
    error = caught.value
    assert error.status == 401 and error.exit_code == 3
    assert "env LIVEDESK_API_SECRET" in error.message
    assert "wrong-secret-9f8e7d" not in str(error) + repr(error)
    assert len(server.requests) == 1, "401 is not retried"


@pytest.mark.parametrize(
    ("fault", "error_type", "exit_code"),
    [
        (Fault(kind="status", status=403, times=None), ForbiddenError, 3),
        (Fault(kind="status", status=404, times=None), NotFoundError, 2),
        (Fault(kind="not_json", times=None), BadResponseError, 5),
        (Fault(kind="truncated", times=None), BadResponseError, 5),
        (Fault(kind="wrong_shape", shape="payload_not_list", times=None), BadResponseError, 5),
        (Fault(kind="wrong_shape", shape="meta_missing", times=None), BadResponseError, 5),
        (Fault(kind="wrong_shape", shape="count_negative", times=None), BadResponseError, 5),
    ],
)
async def test_failures_that_are_not_retried(
    client: ContactsClient, server: DemoServer, fault: Fault, error_type: type, exit_code: int
) -> None:
    server.faults.add(fault)
    with pytest.raises(error_type) as caught:
        await client.list_contacts(ContactQuery())
    assert caught.value.exit_code == exit_code
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    "fault",
    [
        Fault(kind="status", status=429, retry_after="0"),
        Fault(kind="status", status=429),
        Fault(kind="status", status=500),
        Fault(kind="html", status=502),
        Fault(kind="drop"),
        Fault(kind="close"),
    ],
    ids=["429-retry-after", "429-no-header", "500", "502-html", "drop", "close"],
)
async def test_passing_faults_are_retried_and_recover(
    client: ContactsClient, server: DemoServer, fault: Fault
) -> None:
    fired = server.faults.fired
    server.faults.add(fault)
    page = await client.list_contacts(ContactQuery())
    assert len(page.contacts) == 15
    assert len(server.requests) >= 2
    assert server.faults.fired == fired + 1


async def test_a_count_sent_as_a_numeric_string_is_read(
    client: ContactsClient, server: DemoServer
) -> None:
    server.faults.add(Fault(kind="wrong_shape", shape="count_string"))
    page = await client.list_contacts(ContactQuery())
    assert page.total == len(DATASET)
    assert len(page.contacts) == 15


@pytest.mark.parametrize(
    ("fault", "error_type", "words"),
    [
        (Fault(kind="status", status=500, times=None), ServerError, "HTTP 500"),
        (Fault(kind="html", status=502, times=None), ServerError, "502 Bad Gateway"),
        (Fault(kind="status", status=429, times=None), RateLimitedError, "rate limiting"),
        (Fault(kind="drop", times=None), NetworkError, "broke off"),
    ],
)
async def test_lasting_faults_give_up_after_the_retries(
    client: ContactsClient, server: DemoServer, fault: Fault, error_type: type, words: str
) -> None:
    server.faults.add(fault)
    with pytest.raises(error_type) as caught:
        await client.list_contacts(ContactQuery())
    assert words in str(caught.value)
    assert caught.value.exit_code == 4
    assert len(server.requests) == FAST.attempts


async def test_long_retry_after_is_reported_not_waited(
    client: ContactsClient, server: DemoServer
) -> None:
    server.faults.add(Fault(kind="status", status=429, retry_after="3600", times=None))
    with pytest.raises(RateLimitedError) as caught:
        await client.list_contacts(ContactQuery())
    assert caught.value.retry_after == 3600
    assert "3600 s" in caught.value.message
    assert len(server.requests) == 1


async def test_a_server_that_never_answers_times_out(server: DemoServer) -> None:
    server.faults.clear()
    server.faults.add(Fault(kind="hang", times=None, hang_seconds=5))
    try:
        async with ContactsClient(
            server.connection(), retry=RetryPolicy(attempts=1), timeout=0.3
        ) as api:
            with pytest.raises(NetworkError, match="Timed out"):
                await api.list_contacts(ContactQuery())
    finally:
        server.faults.clear()


async def test_connection_refused_is_a_network_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with DemoServer(contacts=1) as running:
        connection = replace(running.connection(), base_url=f"http://127.0.0.1:{port}")
    async with ContactsClient(connection, retry=RetryPolicy(attempts=2, backoff=0.01)) as api:
        with pytest.raises(NetworkError, match="Could not connect") as caught:
            await api.list_contacts(ContactQuery())
    assert caught.value.exit_code == 4


@pytest.mark.parametrize(
    ("status", "said"), [(400, "Bad Request"), (422, "Unprocessable Entity"), (405, "")]
)
async def test_a_request_the_server_rejects_is_not_tried_again(
    client: ContactsClient, server: DemoServer, status: int, said: str
) -> None:
    server.faults.add(Fault(kind="status", status=status, times=None))
    with pytest.raises(RejectedError) as caught:
        await client.list_contacts(ContactQuery())
    error = caught.value
    assert len(server.requests) == 1, f"{status} will not change by asking again"
    assert error.message == f"{server.connection().host} rejected the request (HTTP {status})."
    assert error.status == status and error.exit_code == 2 and not error.retryable
    if said:
        assert str(error).endswith(f"(server said: {said})")
    assert "\n" not in str(error)


@pytest.mark.parametrize("status", [408, 425])
async def test_a_client_error_that_means_not_now_is_tried_again(
    client: ContactsClient, server: DemoServer, status: int
) -> None:
    server.faults.add(Fault(kind="status", status=status))
    page = await client.list_contacts(ContactQuery())
    assert len(page.contacts) == 15 and len(server.requests) == 2


async def test_a_big_page_is_read_in_part_with_the_rest_counted(
    client: ContactsClient, server: DemoServer
) -> None:
    server.faults.add(Fault(kind="many", rows=25_000))
    fetched = await client.fetch_contacts(ContactQuery())
    page = await asyncio.to_thread(client.read_contacts, fetched, max_contacts=40)
    assert [c.id for c in page.contacts] == list(range(1, 41))
    assert page.omitted == 25_000 - 40
    assert page.total == 25_000
    whole = client.read_contacts(fetched, max_contacts=30_000)
    assert len(whole.contacts) == 25_000 and whole.omitted == 0


async def test_a_page_too_long_to_read_whole_is_a_bad_response(
    client: ContactsClient, server: DemoServer
) -> None:
    server.faults.add(Fault(kind="many", rows=25_000))
    with pytest.raises(BadResponseError, match="more than 10,000 contacts"):
        await client.list_contacts(ContactQuery())


async def test_read_contacts_reads_every_row_by_default(
    client: ContactsClient, server: DemoServer
) -> None:
    fetched = await client.fetch_contacts(ContactQuery(page_size=20))
    page = client.read_contacts(fetched)
    assert len(page.contacts) == 20 and page.omitted == 0
    assert client.read_contacts(fetched, max_contacts=0).omitted == 20
