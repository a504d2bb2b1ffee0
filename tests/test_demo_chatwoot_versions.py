"""The demo server playing Chatwoot 4.8 to 4.15: the sort keys each version declares, null
order, an order without a sort that is not stable, search and its meta before and after
4.10.1, a case-sensitive identifier, and rack-attack's fixed-window rate limit.

Expectations are this suite's own reading of API.md's "Chatwoot, as its source behaves",
never the server's code.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from demo_http import chatwoot_search_matches, most_common_label, value_for

from livedesk_tui.demo.catalogue import DemoContact
from livedesk_tui.demo.dataset import generate_contacts
from livedesk_tui.demo.serve import banner, serve_cli
from livedesk_tui.demo.server import DEMO_API_KEY, DemoServer
from livedesk_tui.demo.throttle import FixedWindow

DATASET = generate_contacts(120, seed=5)
CW = "/api/v1/accounts/1"
NULLS_FIRST_DESCENDING = {"name", "email", "phone_number"}


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, DemoServer]]:
    versions = ("4.8", "4.10.0", "4.10.1", "4.12", "4.13", "4.15")
    running = {
        version: DemoServer(dataset=DATASET, dialect="chatwoot", chatwoot_version=version)
        for version in versions
    }
    for server in running.values():
        server.start()
    try:
        yield running
    finally:
        for server in running.values():
            server.stop()


_CLIENTS: dict[str, httpx.Client] = {}


@pytest.fixture(scope="module", autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    for client in _CLIENTS.values():
        client.close()
    _CLIENTS.clear()


def get(server: DemoServer, path: str, params: Any = None) -> httpx.Response:
    """One request on the server's kept-alive connection (a new one each time is slow)."""
    client = _CLIENTS.get(server.base_url)
    if client is None:
        headers = {"api_access_token": DEMO_API_KEY}
        client = httpx.Client(base_url=server.base_url, headers=headers, timeout=10)
        _CLIENTS[server.base_url] = client
    return client.get(CW + path, params=params)


def all_ids(server: DemoServer, params: dict[str, Any], path: str = "/contacts") -> list[int]:
    ids: list[int] = []
    for page in range(1, 40):
        rows = get(server, path, {**params, "page": page}).json()["payload"]
        if not rows:
            return ids
        ids.extend(row["id"] for row in rows)
    raise AssertionError("more pages than the data set has")


def ordered(key: str, descending: bool) -> list[int]:
    """Chatwoot's order: nulls last, but first for name, email and phone descending; ties by
    id (the demo's own tie-breaker, so the expectation is exact)."""
    nulls_first = descending and key in NULLS_FIRST_DESCENDING

    def compare(a: DemoContact, b: DemoContact) -> int:
        va, vb = value_for(a.raw, key), value_for(b.raw, key)
        if (va is None) != (vb is None):
            return (-1 if va is None else 1) if nulls_first else (1 if va is None else -1)
        if va is not None and va != vb:
            smaller = va < vb
            return (1 if smaller else -1) if descending else (-1 if smaller else 1)
        return a.raw["id"] - b.raw["id"]

    return [c.raw["id"] for c in sorted(DATASET, key=functools.cmp_to_key(compare))]


DEFAULT_ORDER = [c.raw["id"] for c in DATASET]


# --- sort keys --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "declared", "ignored"),
    [
        ("4.8", "company", "company_name"),
        ("4.12", "company", "company_name"),
        ("4.13", "company_name", "company"),
        ("4.15", "company_name", "company"),
    ],
)
def test_the_company_key_is_the_one_the_version_declares(
    servers: dict[str, DemoServer], version: str, declared: str, ignored: str
) -> None:
    server = servers[version]
    assert all_ids(server, {"sort": "-" + declared}) == ordered("company", True)
    assert all_ids(server, {"sort": declared}) == ordered("company", False)
    response = get(server, "/contacts", {"sort": "-" + ignored})
    assert response.status_code == 200  # an undeclared key is no error...
    assert all_ids(server, {"sort": "-" + ignored}) == DEFAULT_ORDER  # ...and no order


@pytest.mark.parametrize("version", ["4.8", "4.15"])
def test_a_comma_separated_sort_is_applied_by_the_key_the_version_declares(
    servers: dict[str, DemoServer], version: str
) -> None:
    server = servers[version]
    assert all_ids(server, {"sort": "-company_name,-company"}) == ordered("company", True)
    assert all_ids(server, {"sort": "company_name,company"}) == ordered("company", False)


@pytest.mark.parametrize("key", ["name", "email", "phone_number", "city", "country", "created_at"])
@pytest.mark.parametrize("descending", [False, True])
def test_nulls_come_first_only_for_name_email_and_phone_descending(
    servers: dict[str, DemoServer], key: str, descending: bool
) -> None:
    expected = ordered(key, descending)
    empties = [c.raw["id"] for c in DATASET if value_for(c.raw, key) is None]
    if key != "created_at":
        assert empties, f"the data set should have contacts without {key}"
        at_front = set(expected[: len(empties)]) == set(empties)
        assert at_front == (descending and key in NULLS_FIRST_DESCENDING)
    assert all_ids(servers["4.15"], {"sort": ("-" if descending else "") + key}) == expected


def test_an_unknown_sort_key_is_ignored_in_every_version(servers: dict[str, DemoServer]) -> None:
    for server in servers.values():
        assert all_ids(server, {"sort": "-shoe_size"}) == DEFAULT_ORDER


# --- no sort: no order ------------------------------------------------------------------------


def test_without_a_sort_paging_repeats_and_skips_contacts() -> None:
    with DemoServer(dataset=DATASET, dialect="chatwoot", unstable_order=True) as server:
        listed = all_ids(server, {})
        assert len(listed) == len(DATASET)  # as many rows as contacts...
        assert len(set(listed)) < len(listed)  # ...some of them twice...
        assert set(DEFAULT_ORDER) - set(listed)  # ...and some never
        again = all_ids(server, {})
        assert again == listed  # deterministic, so a test can rely on it
        by_creation = all_ids(server, {"sort": "created_at"})
        assert by_creation == ordered("created_at", False)  # a sort makes it whole


# --- search -----------------------------------------------------------------------------------


def company_word() -> str:
    """A word of a company name that no name, e-mail, phone or identifier holds."""
    for contact in DATASET:
        company = (contact.raw.get("additional_attributes") or {}).get("company_name")
        for word in str(company or "").split():
            if (
                len(word) > 3
                and not any(chatwoot_search_matches(c.raw, word, company=False) for c in DATASET)
                and sum(chatwoot_search_matches(c.raw, word, company=True) for c in DATASET)
            ):
                return word
    raise AssertionError("no company word found only in company names")


@pytest.mark.parametrize("version", ["4.10.1", "4.15"])
def test_search_since_4_10_1_ignores_labels_and_counts_the_page(
    servers: dict[str, DemoServer], version: str
) -> None:
    server = servers[version]
    needle = "a"
    expected = [
        c.raw["id"] for c in DATASET if chatwoot_search_matches(c.raw, needle, company=False)
    ]
    label = most_common_label(DATASET)
    assert len(expected) > 15
    assert len([c for c in DATASET if label in c.labels]) < len(expected)
    found = all_ids(server, {"q": needle, "labels[]": label}, "/contacts/search")
    assert found == expected  # every match, labelled or not
    meta = get(server, "/contacts/search", {"q": needle, "labels[]": label}).json()["meta"]
    assert meta == {"count": 15, "current_page": 1, "has_more": True}
    assert all_ids(server, {"q": company_word()}, "/contacts/search") == []


@pytest.mark.parametrize("version", ["4.8", "4.10.0"])
def test_search_up_to_4_10_0_applies_labels_matches_companies_and_counts_all(
    servers: dict[str, DemoServer], version: str
) -> None:
    server = servers[version]
    needle = "a"
    label = most_common_label(DATASET)
    expected = [
        c.raw["id"]
        for c in DATASET
        if label in c.labels and chatwoot_search_matches(c.raw, needle, company=True)
    ]
    assert len(expected) > 15
    found = all_ids(server, {"q": needle, "labels[]": label}, "/contacts/search")
    assert found == expected
    meta = get(server, "/contacts/search", {"q": needle, "labels[]": label}).json()["meta"]
    assert meta == {"count": len(expected), "current_page": 1}
    word = company_word()
    by_company = [
        c.raw["id"] for c in DATASET if chatwoot_search_matches(c.raw, word, company=True)
    ]
    assert by_company and all_ids(server, {"q": word}, "/contacts/search") == by_company


@pytest.mark.parametrize("version", ["4.8", "4.15"])
def test_the_identifier_matches_case_sensitively(
    servers: dict[str, DemoServer], version: str
) -> None:
    contact = next(
        c
        for c in DATASET
        if isinstance(c.raw.get("identifier"), str)
        and c.raw["identifier"] != c.raw["identifier"].lower()
        and not chatwoot_search_matches(c.raw, c.raw["identifier"].lower(), company=True)
    )
    identifier = contact.raw["identifier"]
    server = servers[version]
    assert contact.raw["id"] in all_ids(server, {"q": identifier}, "/contacts/search")
    assert contact.raw["id"] not in all_ids(server, {"q": identifier.lower()}, "/contacts/search")


@pytest.mark.parametrize("q", [None, "", "   "])
def test_a_blank_search_is_422_in_every_version(
    servers: dict[str, DemoServer], q: str | None
) -> None:
    for server in servers.values():
        assert get(server, "/contacts/search", {} if q is None else {"q": q}).status_code == 422


def test_fifteen_a_page_for_the_list_and_the_search(servers: dict[str, DemoServer]) -> None:
    for server in servers.values():
        assert len(get(server, "/contacts", {"page_size": 100}).json()["payload"]) == 15
        search = get(server, "/contacts/search", {"q": "a", "page_size": 5})
        assert len(search.json()["payload"]) == 15


# --- versions ---------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["4.7", "4.16", "5.0", "four", "4", "4.10.1.2", ""])
def test_versions_outside_4_8_to_4_15_are_refused(version: str) -> None:
    with pytest.raises(ValueError, match="Chatwoot"):
        DemoServer(dialect="chatwoot", chatwoot_version=version)


def test_the_newest_version_is_the_default_and_the_banner_names_it() -> None:
    server = DemoServer(contacts=3, dialect="chatwoot")
    assert str(server.chatwoot_version) == "4.15"
    assert "Chatwoot 4.15" in banner(server, contacts=3, faults=[])[0]
    older = DemoServer(contacts=3, dialect="chatwoot", chatwoot_version="4.10.1", rate_limit=5)
    lines = banner(older, contacts=3, faults=[])
    assert "Chatwoot 4.10.1" in lines[0]
    assert any("rate limit 5 a minute" in line for line in lines)


def test_serve_cli_refuses_a_version_it_does_not_play(capsys: pytest.CaptureFixture[str]) -> None:
    code = serve_cli(
        host="127.0.0.1", port=0, contacts=3, latency_ms=0, seed=7, dialect="chatwoot",
        account_id=1, faults=[], hostile=False, chatwoot_version="3.9",
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert "4.8 to 4.15" in err and err.count("\n") == 1


# --- the rate limit ---------------------------------------------------------------------------


def test_past_the_limit_every_request_of_the_window_is_429_retry_later() -> None:
    with DemoServer(dataset=DATASET[:20], dialect="chatwoot", rate_limit=2, rate_window=3600) as s:
        statuses = [get(s, "/contacts") for _ in range(4)]
        assert [r.status_code for r in statuses] == [200, 200, 429, 429]
        throttled = statuses[2]
        assert throttled.text.strip() == "Retry later"
        assert throttled.headers["content-type"].startswith("text/plain")
        assert "retry-after" not in throttled.headers
        assert [r.fault for r in s.requests] == [None, None, "throttled", "throttled"]


def test_windows_are_fixed_and_aligned_to_the_clock() -> None:
    now = [119.5]
    window = FixedWindow(2, 60.0, clock=lambda: now[0])
    assert [window.allow() for _ in range(3)] == [True, True, False]
    now[0] = 119.99  # the same minute (60 to 120): still throttled, retries count too
    assert not window.allow()
    now[0] = 120.0  # the next minute: a new count, whenever the first request came
    assert [window.allow() for _ in range(3)] == [True, True, False]


@pytest.mark.parametrize(("limit", "seconds"), [(0, 60.0), (1, 0.0), (1, float("nan"))])
def test_a_limit_below_one_or_a_window_of_no_time_is_refused(limit: int, seconds: float) -> None:
    with pytest.raises(ValueError, match="rate limit"):
        FixedWindow(limit, seconds)
