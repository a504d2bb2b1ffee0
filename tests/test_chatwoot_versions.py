"""The client and the export against Chatwoot as teams run it (4.8 to 4.15), each version
played by the demo server: the company sort key, search with and without ``has_more``, labels a
search ignores, a page size that stays 15, the rate limit's fixed minute, every refusal a 401,
and an order without a sort that is not stable.
"""

from __future__ import annotations

import functools
import io
import json
import time
from collections.abc import Iterator
from email.utils import formatdate
from typing import Any

import pytest
from demo_http import chatwoot_search_matches, most_common_label, value_for

from livedesk_tui.api.client import ContactsClient, RetryPolicy, server_clock
from livedesk_tui.api.dialects import dialect_for
from livedesk_tui.api.errors import AuthError, RateLimitedError
from livedesk_tui.api.export import LABELS_IGNORED, export_contacts, stable_query
from livedesk_tui.api.models import ContactQuery
from livedesk_tui.demo.catalogue import DemoContact
from livedesk_tui.demo.dataset import generate_contacts
from livedesk_tui.demo.faults import parse_fault
from livedesk_tui.demo.server import DemoServer

FAST = RetryPolicy(attempts=2, backoff=0.01)
DATASET = generate_contacts(100, seed=11)
VERSIONS = ("4.8", "4.10.0", "4.10.1", "4.12", "4.13", "4.15")


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, DemoServer]]:
    running = {
        version: DemoServer(
            dataset=DATASET, dialect="chatwoot", account_id=7, chatwoot_version=version
        )
        for version in VERSIONS
    }
    for server in running.values():
        server.start()
    try:
        yield running
    finally:
        for server in running.values():
            server.stop()


@pytest.fixture(autouse=True)
def _fresh(servers: dict[str, DemoServer]) -> None:
    for server in servers.values():
        server.reset()


def company_order(descending: bool) -> list[int]:
    """This suite's own reading: company names compared casefolded, empties last, ties by id."""

    def compare(a: DemoContact, b: DemoContact) -> int:
        va, vb = value_for(a.raw, "company"), value_for(b.raw, "company")
        if (va is None) != (vb is None):
            return 1 if va is None else -1
        if va is not None and va != vb:
            return (1 if va < vb else -1) if descending else (-1 if va < vb else 1)
        return a.raw["id"] - b.raw["id"]

    return [c.raw["id"] for c in sorted(DATASET, key=functools.cmp_to_key(compare))]


async def every_page(client: ContactsClient, query: ContactQuery) -> list[Any]:
    ids: list[Any] = []
    page = await client.list_contacts(query)
    ids.extend(c.id for c in page.contacts)
    while not page.is_last:
        page = await client.list_contacts(query.at_page(page.number + 1))
        ids.extend(c.id for c in page.contacts)
    return ids


# --- the company sort key ---------------------------------------------------------------------


@pytest.mark.parametrize("direction", ["asc", "desc"])
@pytest.mark.parametrize("version", ["4.8", "4.12", "4.13", "4.15"])
async def test_the_company_sort_sorts_on_every_version(
    servers: dict[str, DemoServer], version: str, direction: str
) -> None:
    server = servers[version]
    query = ContactQuery(sort="company", direction=direction)  # type: ignore[arg-type]
    async with ContactsClient(server.connection(), retry=FAST) as client:
        ids = await every_page(client, query)
    assert ids == company_order(direction == "desc")


def test_the_company_key_is_sent_both_ways_and_other_keys_as_they_are(
    servers: dict[str, DemoServer],
) -> None:
    dialect = dialect_for(servers["4.15"].connection())
    _, up = dialect.list_request(ContactQuery(sort="company"))
    _, down = dialect.list_request(ContactQuery(sort="company", direction="desc"))
    _, name = dialect.list_request(ContactQuery(sort="name", direction="desc"))
    assert ("sort", "company_name,company") in up
    assert ("sort", "-company_name,-company") in down
    assert ("sort", "-name") in name


async def test_the_client_builds_its_requests_from_the_dialect(
    servers: dict[str, DemoServer],
) -> None:
    server = servers["4.15"]
    query = ContactQuery(sort="company", direction="desc", labels=("vip",))
    async with ContactsClient(server.connection(), retry=FAST) as client:
        await client.list_contacts(query)
    path, params = dialect_for(server.connection()).list_request(query.with_page_size(15))
    assert (server.requests[-1].path, server.requests[-1].params) == (path, params)


# --- search: has_more since 4.10.1, a total before ----------------------------------------------


@pytest.mark.parametrize("version", ["4.8", "4.10.0"])
async def test_an_old_search_pages_by_its_total(
    servers: dict[str, DemoServer], version: str
) -> None:
    server = servers[version]
    needle = "a"
    expected = [
        c.raw["id"] for c in DATASET if chatwoot_search_matches(c.raw, needle, company=True)
    ]
    assert len(expected) > 30
    async with ContactsClient(server.connection(), retry=FAST) as client:
        first = await client.list_contacts(ContactQuery(search=needle))
        assert (first.total, first.has_more, first.page_size) == (len(expected), None, 15)
        assert first.page_count == -(-len(expected) // 15)
        assert await every_page(client, ContactQuery(search=needle)) == expected


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_search_with_labels_says_when_the_server_ignored_them(
    servers: dict[str, DemoServer], version: str
) -> None:
    server = servers[version]
    label = most_common_label(DATASET)
    ignored = version not in {"4.8", "4.10.0"}
    async with ContactsClient(server.connection(), retry=FAST) as client:
        labelled = await client.list_contacts(ContactQuery(search="a", labels=(label,)))
        plain = await client.list_contacts(ContactQuery(search="a"))
        listed = await client.list_contacts(ContactQuery(labels=(label,)))
    assert labelled.labels_ignored is ignored
    assert not plain.labels_ignored and not listed.labels_ignored
    if not ignored:
        assert all(label in DATASET_BY_ID[c.id].labels for c in labelled.contacts)


DATASET_BY_ID = {c.raw["id"]: c for c in DATASET}


@pytest.mark.parametrize(("version", "warned"), [("4.8", False), ("4.15", True)])
async def test_an_export_of_a_search_with_labels_warns_when_they_were_ignored(
    servers: dict[str, DemoServer], version: str, warned: bool
) -> None:
    server = servers[version]
    label = most_common_label(DATASET)
    out = io.StringIO()
    async with ContactsClient(server.connection(), retry=FAST) as client:
        result = await export_contacts(client, ContactQuery(search="a", labels=(label,)), out)
    ids = [json.loads(line)["id"] for line in out.getvalue().splitlines()]
    matching = [
        c.raw["id"]
        for c in DATASET
        if chatwoot_search_matches(c.raw, "a", company=version == "4.8")
    ]
    if warned:
        assert ids == matching  # every match, as the server sent them: said, not hidden
        assert LABELS_IGNORED in result.warnings
        assert "Chatwoot 4.10.1 or later" in LABELS_IGNORED
    else:
        assert ids == [i for i in matching if label in DATASET_BY_ID[i].labels]
        assert result.warnings == []


@pytest.mark.parametrize("version", ["4.8", "4.15"])
async def test_an_export_of_a_search_holds_every_match_once(
    servers: dict[str, DemoServer], version: str
) -> None:
    out = io.StringIO()
    async with ContactsClient(servers[version].connection(), retry=FAST) as client:
        result = await export_contacts(client, ContactQuery(search="a"), out, concurrency=3)
    ids = [json.loads(line)["id"] for line in out.getvalue().splitlines()]
    company = version == "4.8"
    assert ids == [
        c.raw["id"] for c in DATASET if chatwoot_search_matches(c.raw, "a", company=company)
    ]
    assert result.complete, result.warnings


# --- fifteen a page, always -------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", [ContactQuery(), ContactQuery(search="a")], ids=["list", "search"]
)
async def test_a_short_page_before_the_end_keeps_the_page_size_at_fifteen(
    servers: dict[str, DemoServer], query: ContactQuery
) -> None:
    server = servers["4.15"]
    server.faults.add(parse_fault("short:4@page=2"))  # contacts deleted while paging
    async with ContactsClient(server.connection(), retry=FAST) as client:
        await client.list_contacts(query)
        second = await client.list_contacts(query.at_page(2))
        assert len(second.contacts) == 4
        assert second.page_size == 15 and client.effective_page_size(query) == 15
        third = await client.list_contacts(query.at_page(3))
    selection = server.store.select(search=query.search)
    assert [c.id for c in third.contacts] == [
        raw["id"] for raw in server.store.page(selection, 3, 15)
    ]
    if query.search == "":
        assert second.page_count == third.page_count == -(-len(DATASET) // 15)


# --- the rate limit: a fixed minute -----------------------------------------------------------


async def test_a_throttled_request_waits_for_the_next_window_and_says_so() -> None:
    window = 0.4
    policy = RetryPolicy(attempts=3, backoff=0.01, rate_window=window)
    with DemoServer(
        dataset=DATASET[:20], dialect="chatwoot", rate_limit=1, rate_window=window
    ) as server:
        for _ in range(5):  # the two requests may straddle a window's end: then again
            server.reset()
            told: list[tuple[str, float]] = []
            async with ContactsClient(
                server.connection(), retry=policy, on_wait=lambda m, s, to=told: to.append((m, s))
            ) as client:
                await client.list_contacts(ContactQuery())  # the window's one request
                page = await client.list_contacts(ContactQuery(page=2))
            statuses = [r.status for r in server.requests]
            if 429 in statuses:
                break
    assert len(page.contacts) == 5
    assert statuses == [200, 429, 200]  # not tried again within the window it was refused in
    assert len(told) == 1
    message, seconds = told[0]
    assert 0 < seconds <= window + 5
    host = server.connection().host
    assert message.startswith(f"{host} is rate limiting requests (HTTP 429); waiting ")
    assert message.endswith("s for the next 0.4-second window") and "\n" not in message


async def test_the_retry_count_still_bounds_waiting_for_windows() -> None:
    told: list[tuple[str, float]] = []
    policy = RetryPolicy(attempts=2, backoff=0.01, rate_window=0.2)
    with DemoServer(dataset=DATASET[:5], dialect="chatwoot", rate_limit=1, rate_window=3600) as s:
        async with ContactsClient(
            s.connection(), retry=policy, on_wait=lambda m, w: told.append((m, w))
        ) as client:
            await client.list_contacts(ContactQuery())
            with pytest.raises(RateLimitedError, match=r"rate limiting requests \(HTTP 429\)"):
                await client.list_contacts(ContactQuery())
        assert [r.status for r in s.requests] == [200, 429, 429]
    assert len(told) == 1


@pytest.mark.parametrize(
    ("now", "expected"),
    [(119.0, 1.0), (120.0, 60.0), (61.5, 58.5), (59.999, 0.001)],
)
def test_the_wait_is_to_the_next_window_plus_a_little_jitter(now: float, expected: float) -> None:
    policy = RetryPolicy()
    waits = [policy.window_wait(now) for _ in range(50)]
    assert all(expected - 1e-9 <= wait <= expected + 1.0 for wait in waits)
    assert max(waits) <= 65


def test_the_server_clock_comes_from_date_when_it_disagrees_with_ours() -> None:
    local = time.time()
    assert server_clock(formatdate(local, usegmt=True), local) == local  # within its second
    far = formatdate(local - 40, usegmt=True)
    assert abs(server_clock(far, local) - (local - 40)) <= 1
    assert server_clock(None, local) == local
    assert server_clock("yesterday-ish", local) == local
    assert server_clock("Mon, 01 Jan 10000 00:00:00 GMT", local) == local


async def test_livedesk_keeps_its_backoff_for_a_429_without_retry_after() -> None:
    told: list[tuple[str, float]] = []
    policy = RetryPolicy(attempts=3, backoff=0.01, rate_window=3600)
    with DemoServer(dataset=DATASET[:5]) as server:
        server.faults.add(parse_fault("429"))
        async with ContactsClient(
            server.connection(), retry=policy, on_wait=lambda m, w: told.append((m, w))
        ) as client:
            await client.list_contacts(ContactQuery())
    assert all(seconds < 1 for _, seconds in told)


# --- every refusal is a 401 -------------------------------------------------------------------


async def test_a_refused_token_names_every_likely_cause(servers: dict[str, DemoServer]) -> None:
    server = servers["4.15"]
    server.faults.add(parse_fault("401"))
    async with ContactsClient(server.connection(), retry=FAST) as client:
        with pytest.raises(AuthError) as refused:
            await client.list_contacts(ContactQuery())
    message = refused.value.message
    assert message.startswith(f"{server.connection().host} refused the access token (HTTP 401)")
    for cause in (
        "wrong or revoked",
        "not a member of account 7",
        "suspended",
        "api_access_token",
        "underscores_in_headers on",
    ):
        assert cause in message
    assert "\n" not in message
    assert server.connection().api_key.reveal() not in str(refused.value)


# --- no sort, no order: the export asks for one -----------------------------------------------


def test_an_export_without_a_sort_asks_chatwoot_for_created_at(
    servers: dict[str, DemoServer],
) -> None:
    connection = servers["4.15"].connection()
    query, note = stable_query(ContactQuery(), connection)
    assert (query.sort, query.direction) == ("created_at", "asc")
    assert note is not None and "created_at" in note and "\n" not in note
    chosen = ContactQuery(sort="name", direction="desc")
    assert stable_query(chosen, connection) == (chosen, None)
    with DemoServer(contacts=3) as livedesk:
        assert stable_query(ContactQuery(), livedesk.connection()) == (ContactQuery(), None)


async def test_the_stable_sort_exports_every_contact_once_where_no_sort_would_not() -> None:
    async def export(query: ContactQuery) -> list[int]:
        out = io.StringIO()
        async with ContactsClient(server.connection(), retry=FAST) as client:
            await export_contacts(client, query, out, concurrency=2)
        return [json.loads(line)["id"] for line in out.getvalue().splitlines()]

    with DemoServer(dataset=DATASET, dialect="chatwoot", unstable_order=True) as server:
        unsorted = await export(ContactQuery())
        assert sorted(unsorted) != sorted(c.raw["id"] for c in DATASET)  # why it must ask
        stable, _ = stable_query(ContactQuery(), server.connection())
        ids = await export(stable)
    assert sorted(ids) == sorted(c.raw["id"] for c in DATASET) and len(ids) == len(set(ids))


# --- the command line -------------------------------------------------------------------------


def test_demo_server_takes_a_version_a_rate_limit_and_an_unstable_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from livedesk_tui import cli
    from livedesk_tui.demo import serve as demo_server

    given: dict[str, Any] = {}
    monkeypatch.setattr(demo_server, "serve_cli", lambda **kwargs: given.update(kwargs) or 0)
    argv = ["demo-server", "--dialect", "chatwoot", "--chatwoot-version", "4.10.0"]
    assert cli.main([*argv, "--rate-limit", "100", "--unstable-order"]) == 0
    assert (given["chatwoot_version"], given["rate_limit"], given["unstable_order"]) == (
        "4.10.0",
        100,
        True,
    )
    assert cli.main(["demo-server"]) == 0
    assert (given["chatwoot_version"], given["rate_limit"], given["unstable_order"]) == (
        "4.15",
        None,
        False,
    )


def test_an_export_from_chatwoot_without_a_sort_says_it_sorts_by_creation(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from livedesk_tui import cli

    assert cli.main(["--demo", "--dialect", "chatwoot", "export", "--format", "jsonl"]) == 0
    out, err = capsys.readouterr()
    notes = [line for line in err.splitlines() if "created_at" in line]
    assert len(notes) == 1 and notes[0].startswith("livedesk-tui: Chatwoot has no set order")
    stamps = [json.loads(line)["created_at"] for line in out.splitlines()]
    assert len(stamps) == 1000 and stamps == sorted(stamps)
    assert cli.main(["--demo", "--dialect", "chatwoot", "export", "--sort", "name"]) == 0
    assert "created_at" not in capsys.readouterr().err
