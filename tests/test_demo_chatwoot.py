"""The demo server in its Chatwoot dialect: paths, token, fixed page size, sort prefix,
search with ``has_more``, the labels list."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from demo_http import (
    AUTH,
    PATH,
    expected_ids,
    matches_search,
    value_for,
)

from livedesk_tui.demo.catalogue import LABEL_TITLES
from livedesk_tui.demo.faults import Fault
from livedesk_tui.demo.server import DEMO_API_KEY, DemoServer


@pytest.fixture(scope="module")
def chatwoot() -> Iterator[DemoServer]:
    with DemoServer(contacts=300, seed=3, dialect="chatwoot", account_id=42) as running:
        yield running


@pytest.fixture
def cw(chatwoot: DemoServer) -> Iterator[httpx.Client]:
    headers = {"api_access_token": DEMO_API_KEY}
    with httpx.Client(base_url=chatwoot.base_url, headers=headers, timeout=10) as client:
        yield client


CW = "/api/v1/accounts/42"


# --- the Chatwoot dialect -------------------------------------------------------------------


def test_chatwoot_lists_fifteen_a_page_whatever_is_asked(
    cw: httpx.Client, chatwoot: DemoServer
) -> None:
    body = cw.get(CW + "/contacts", params={"page_size": 50}).json()
    assert len(body["payload"]) == 15
    assert body["meta"] == {"count": 300, "current_page": 1}
    assert [r["id"] for r in body["payload"]] == [c.raw["id"] for c in chatwoot.contacts[:15]]


def test_chatwoot_current_page_echoes_the_raw_parameter(cw: httpx.Client) -> None:
    assert cw.get(CW + "/contacts").json()["meta"]["current_page"] == 1
    assert cw.get(CW + "/contacts", params={"page": 2}).json()["meta"]["current_page"] == "2"
    junk = cw.get(CW + "/contacts", params={"page": "abc"}).json()
    assert junk["meta"]["current_page"] == "abc"
    assert junk["payload"] == cw.get(CW + "/contacts").json()["payload"]


def test_chatwoot_authentication(chatwoot: DemoServer) -> None:
    url = chatwoot.base_url + CW + "/contacts"
    missing = httpx.get(url)
    assert missing.status_code == 401
    assert missing.json() == {"errors": ["You need to sign in or sign up before continuing."]}
    assert httpx.get(url, auth=AUTH).status_code == 401  # Basic auth is not Chatwoot's
    wrong = httpx.get(url, headers={"api_access_token": "nope"})
    assert (wrong.status_code, wrong.json()) == (401, {"error": "Invalid Access Token"})


def test_chatwoot_other_accounts_and_paths_are_404(cw: httpx.Client) -> None:
    for path in (
        "/api/v1/accounts/7/contacts",
        "/api/v1/accounts/x/labels",
        PATH,
        "/api/v1/accounts/42/inboxes",
    ):
        response = cw.get(path)
        assert response.status_code == 404
        assert response.json() == {"error": "Resource could not be found"}


@pytest.mark.parametrize(
    ("key", "store_key"),
    [("name", "name"), ("last_activity_at", "last_activity_at"), ("company_name", "company")],
)
def test_chatwoot_sorts_by_prefix_and_ignores_direction(
    cw: httpx.Client, chatwoot: DemoServer, key: str, store_key: str
) -> None:
    def ids(params: dict) -> list[int]:
        out = []
        for page in range(1, 40):
            rows = cw.get(CW + "/contacts", params={**params, "page": page}).json()["payload"]
            if not rows:
                return out
            out.extend(row["id"] for row in rows)
        return out

    descending = expected_ids(chatwoot.contacts, store_key, True)
    if key == "name":  # the database's default null order: contacts without one come first
        empty = {c.raw["id"] for c in chatwoot.contacts if value_for(c.raw, "name") is None}
        assert empty
        descending = sorted(empty) + [i for i in descending if i not in empty]
    assert ids({"sort": "-" + key}) == descending
    assert ids({"sort": key, "direction": "desc"}) == expected_ids(
        chatwoot.contacts, store_key, False
    )


def test_chatwoot_labels_filter_and_list(cw: httpx.Client, chatwoot: DemoServer) -> None:
    expected = [c.raw["id"] for c in chatwoot.contacts if {"vip", "partner"} & set(c.labels)]
    body = cw.get(CW + "/contacts", params=[("labels[]", "vip"), ("labels[]", "partner")]).json()
    assert body["meta"]["count"] == len(expected)
    assert [r["id"] for r in body["payload"]] == expected[:15]
    labels = cw.get(CW + "/labels").json()["payload"]
    assert [label["title"] for label in labels] == list(LABEL_TITLES)
    assert all(isinstance(label["id"], int) and label["color"].startswith("#") for label in labels)


def test_chatwoot_list_ignores_q_and_search_needs_it(cw: httpx.Client) -> None:
    assert cw.get(CW + "/contacts", params={"q": "zzzz"}).json()["meta"]["count"] == 300
    for params in ({}, {"q": ""}, {"q": "  "}):
        response = cw.get(CW + "/contacts/search", params=params)
        assert response.status_code == 422
        assert isinstance(response.json()["message"], str)


def test_chatwoot_search_counts_the_page_and_says_has_more(
    cw: httpx.Client, chatwoot: DemoServer
) -> None:
    needle = "e"
    expected = [c.raw["id"] for c in chatwoot.contacts if matches_search(c.raw, needle)]
    assert len(expected) > 30
    seen: list[int] = []
    page = 1
    while True:
        body = cw.get(CW + "/contacts/search", params={"q": needle, "page": page}).json()
        rows = body["payload"]
        assert body["meta"]["count"] == len(rows)
        assert body["meta"]["current_page"] == str(page)
        seen.extend(row["id"] for row in rows)
        if not body["meta"]["has_more"]:
            break
        assert len(rows) == 15
        page += 1
    assert seen == expected
    first = cw.get(CW + "/contacts/search", params={"q": needle}).json()["meta"]
    assert first == {"count": 15, "current_page": 1, "has_more": True}


def test_chatwoot_faults_and_connection(chatwoot: DemoServer) -> None:
    conn = chatwoot.connection()
    assert (conn.dialect, conn.account_id) == ("chatwoot", 42)
    chatwoot.faults.add(Fault("status", status=401))
    try:
        response = httpx.get(
            chatwoot.base_url + CW + "/contacts", headers={"api_access_token": DEMO_API_KEY}
        )
        assert (response.status_code, response.json()) == (401, {"error": "Invalid Access Token"})
    finally:
        chatwoot.faults.clear()
