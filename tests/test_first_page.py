"""The first page asked for ahead of time: the same request as the client's, or none at all."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest

from livedesk_tui.api.client import ContactsClient
from livedesk_tui.api.first_page import FirstPage
from livedesk_tui.api.models import ContactQuery
from livedesk_tui.api.parse import parse_page
from livedesk_tui.demo.faults import parse_fault
from livedesk_tui.demo.server import DemoServer

QUERY = ContactQuery(labels=("vip", "billing"), sort="name", direction="desc", search="a")


@pytest.fixture(scope="module", params=["livedesk", "chatwoot"])
def server(request: pytest.FixtureRequest) -> Iterator[DemoServer]:
    with DemoServer(contacts=120, dialect=request.param) as running:
        yield running


@pytest.fixture(autouse=True)
def _clean(server: DemoServer) -> Iterator[None]:
    server.reset()
    yield
    server.reset()


def test_it_is_the_request_the_client_sends(server: DemoServer) -> None:
    answer = FirstPage(server.connection(), QUERY, env={}).start().wait(5)
    assert answer is not None
    early = server.requests[-1]

    async def ordinary() -> None:
        async with ContactsClient(server.connection()) as client:
            await client.list_contacts(QUERY)

    asyncio.run(ordinary())
    later = server.requests[-1]
    assert (early.path, early.params, early.status) == (later.path, later.params, later.status)
    page = parse_page(answer.body, answer.asked)
    assert page.contacts and page.number == 1


def test_it_asks_for_page_one_whatever_page_it_is_given(server: DemoServer) -> None:
    answer = FirstPage(server.connection(), ContactQuery(page=4), env={}).start().wait(5)
    assert answer is not None and answer.asked.page == 1
    assert server.requests[-1].page == 1


def test_the_answer_is_given_once(server: DemoServer) -> None:
    first = FirstPage(server.connection(), ContactQuery(), env={}).start()
    assert first.matches(ContactQuery())
    assert not first.matches(ContactQuery(page=2))
    assert first.wait(5) is not None
    assert not first.matches(ContactQuery())
    assert first.wait(5) is None


@pytest.mark.parametrize(
    "spec", ["500", "401", "429", "html:502", "close", "drop"], ids=lambda spec: spec
)
def test_anything_but_a_clean_answer_is_left_to_the_ordinary_request(
    server: DemoServer, spec: str
) -> None:
    server.faults.add(parse_fault(spec))
    assert FirstPage(server.connection(), ContactQuery(), env={}).start().wait(5) is None


@pytest.mark.parametrize("spec", ["huge_length", "endless", "bomb:gzip", "drip:0.2"])
def test_a_body_too_big_too_slow_or_compressed_is_left_to_the_ordinary_request(
    server: DemoServer, spec: str
) -> None:
    server.faults.add(parse_fault(spec))
    started = time.monotonic()
    first = FirstPage(server.connection(), ContactQuery(), env={}, deadline=1.0).start()
    assert first.wait(10) is None
    assert time.monotonic() - started < 5


def test_a_server_that_does_not_answer_in_time_is_left_to_the_ordinary_request(
    server: DemoServer,
) -> None:
    server.faults.add(parse_fault("hang:5"))
    started = time.monotonic()
    first = FirstPage(server.connection(), ContactQuery(), env={}, deadline=0.3).start()
    assert first.wait(5) is None
    assert time.monotonic() - started < 4


def test_nothing_listening_is_left_to_the_ordinary_request(server: DemoServer) -> None:
    connection = server.connection()
    stopped = DemoServer(contacts=1).start()
    stopped.stop()
    from dataclasses import replace

    gone = replace(connection, base_url=stopped.base_url)
    assert FirstPage(gone, ContactQuery(), env={}).start().wait(5) is None


def test_answer_on_an_event_loop(server: DemoServer) -> None:
    async def main() -> int:
        first = FirstPage(server.connection(), ContactQuery(), env={}).start()
        answer = await first.answer()
        assert answer is not None
        return len(parse_page(answer.body, answer.asked).contacts)

    assert asyncio.run(main()) == 15


def test_the_client_takes_its_first_page_from_the_head_start(server: DemoServer) -> None:
    query = ContactQuery(sort="created_at")
    first = FirstPage(server.connection(), query, env={}).start()

    async def run() -> list[int | None]:
        async with ContactsClient(server.connection(), first_page=first) as client:
            second = await client.list_contacts(query.at_page(2))  # asked for first: not it
            page = await client.list_contacts(query)
            again = await client.list_contacts(query)
            return [len(second.contacts), len(page.contacts), len(again.contacts)]

    assert asyncio.run(run()) == [15, 15, 15]
    pages = [record.page for record in server.requests]
    assert sorted(pages) == [1, 1, 2], "page 1 once ahead of time, once more when asked again"


def test_the_client_asks_again_when_the_head_start_failed(server: DemoServer) -> None:
    server.faults.add(parse_fault("500"))
    first = FirstPage(server.connection(), ContactQuery(), env={}).start()

    async def run() -> int:
        async with ContactsClient(server.connection(), first_page=first) as client:
            return len((await client.list_contacts(ContactQuery())).contacts)

    assert asyncio.run(run()) == 15
    assert [record.status for record in server.requests] == [500, 200]
