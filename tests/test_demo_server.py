"""The demo API over real loopback HTTP in its LiveDesk dialect: credentials, every query
parameter, encoding and keep-alive, latency, lifecycle, silence, and 100,000 contacts.

Expected results come from the data set through this suite's own reading of the rules
(``demo_http``), never from the server's code.
"""

from __future__ import annotations

import json
import re
import socket
import threading
from typing import Any

import httpx
import pytest
from demo_http import (
    AUTH,
    PATH,
    SORT_KEYS,
    basic,
    expected_ids,
    fetch_all,
    http,
    matches_search,
    open_socket,
    read_response,
    read_to_eof,
    request_bytes,
    server,
    split_response,
    value_for,
)

from livedesk_tui.api.connection import Secret
from livedesk_tui.demo.catalogue import DemoContact
from livedesk_tui.demo.dataset import generate_contacts, hostile_contacts
from livedesk_tui.demo.faults import parse_fault
from livedesk_tui.demo.server import DEMO_API_KEY, DEMO_API_SECRET, DemoServer

__all__ = ["http", "server"]  # fixtures shared from demo_http


# --- authentication -------------------------------------------------------------------------


def test_good_credentials_list_contacts(http: httpx.Client, server: DemoServer) -> None:
    response = http.get(PATH)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    body = response.json()
    assert body["meta"] == {"count": 1000, "current_page": "1"}
    assert [row["id"] for row in body["payload"]] == [c.raw["id"] for c in server.contacts[:15]]
    assert body["payload"][0] == server.contacts[0].raw


@pytest.mark.parametrize(
    "auth",
    [
        None,
        ("demo-key", "wrong"),
        ("wrong", DEMO_API_SECRET),
        ("", ""),
        ("demo-key:demo", "secret"),
    ],
)
def test_missing_or_wrong_credentials_are_refused(server: DemoServer, auth: Any) -> None:
    response = httpx.get(server.base_url + PATH, auth=auth)
    assert response.status_code == 401
    assert isinstance(response.json()["error"], str) and response.json()["error"]
    assert server.requests[-1].status == 401


@pytest.mark.parametrize(
    "header", ["Bearer demo-key", "Basic !!!notbase64", "Basic", basic() + "x"]
)
def test_malformed_authorization_is_refused(server: DemoServer, header: str) -> None:
    response = httpx.get(server.base_url + PATH, headers={"Authorization": header})
    assert response.status_code == 401


def test_a_server_with_its_own_key_pair(demo_server: DemoServer) -> None:
    with DemoServer(contacts=5, api_key="k", api_secret="s:with:colons") as own:
        assert httpx.get(own.base_url + PATH, auth=("k", "s:with:colons")).status_code == 200
        assert httpx.get(own.base_url + PATH, auth=AUTH).status_code == 401


def test_unknown_paths_and_methods_are_404(http: httpx.Client) -> None:
    for path in (
        "/",
        "/api/v2/accounts",
        "/api/v2/accounts/contacts/1",
        "/api/v1/accounts/1/contacts",
    ):
        response = http.get(path)
        assert response.status_code == 404
        assert response.json() == {"error": "Resource could not be found"}
    assert http.post(PATH, json={"name": "x"}).status_code == 404
    assert http.get(PATH + "/").status_code == 200


# --- sorting --------------------------------------------------------------------------------


@pytest.mark.parametrize("key", SORT_KEYS)
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_each_sort_key_both_directions_with_empties_last(
    http: httpx.Client, server: DemoServer, key: str, direction: str
) -> None:
    rows = fetch_all(http, {"sort": key, "direction": direction})
    assert [row["id"] for row in rows] == expected_ids(server.contacts, key, direction == "desc")
    values = [value_for(row, key) for row in rows]
    first_empty = values.index(None) if None in values else len(values)
    assert all(v is None for v in values[first_empty:])  # no value after the first empty
    present = values[:first_empty]
    assert present == sorted(present, reverse=direction == "desc")
    if key in {"name", "company", "city", "country"}:
        assert len(set(present)) < len(present)  # ties exist, so their order is tested too


def test_sort_data_really_has_empties_for_every_key_but_creation(server: DemoServer) -> None:
    for key in SORT_KEYS:
        empties = sum(value_for(c.raw, key) is None for c in server.contacts)
        assert empties == 0 if key == "created_at" else empties > 0, key


def test_direction_defaults_to_ascending_and_unknown_sorts_are_ignored(http: httpx.Client) -> None:
    ascending = http.get(PATH, params={"sort": "name"}).json()["payload"]
    assert (
        ascending == http.get(PATH, params={"sort": "name", "direction": "asc"}).json()["payload"]
    )
    assert ascending == http.get(PATH, params={"sort": "name", "direction": "up"}).json()["payload"]
    default = http.get(PATH).json()["payload"]
    assert http.get(PATH, params={"sort": "shoe_size"}).json()["payload"] == default
    assert http.get(PATH, params={"direction": "desc"}).json()["payload"] == default
    assert (
        http.get(PATH, params={"sort": "name", "direction": "DESC"}).json()["payload"] != ascending
    )


# --- labels ---------------------------------------------------------------------------------


def label_ids(server: DemoServer, *labels: str) -> list[int]:
    return [c.raw["id"] for c in server.contacts if set(c.labels) & set(labels)]


@pytest.mark.parametrize(
    ("params", "labels"),
    [
        ([("labels", "vip")], ("vip",)),
        ([("labels[]", "vip")], ("vip",)),
        ([("labels[]", "vip"), ("labels[]", "partner")], ("vip", "partner")),
        ([("labels", "vip"), ("labels", "partner")], ("vip", "partner")),
        ([("labels", "churn-risk"), ("labels[]", "优先")], ("churn-risk", "优先")),
        ([("labels[]", "要フォロー"), ("labels[]", "no-such-label")], ("要フォロー",)),
    ],
)
def test_labels_match_any_in_both_forms(
    http: httpx.Client, server: DemoServer, params: list, labels: tuple[str, ...]
) -> None:
    expected = label_ids(server, *labels)
    assert expected  # the filter has something to find
    response = http.get(PATH, params=[*params, ("page_size", "100")])
    assert response.json()["meta"]["count"] == len(expected)
    rows = []
    for page in range(1, 200):
        payload = http.get(
            PATH, params=[*params, ("page", str(page)), ("page_size", "100")]
        ).json()["payload"]
        if not payload:
            break
        rows.extend(payload)
    assert [row["id"] for row in rows] == expected
    assert all("labels" not in row for row in rows)  # labels live server-side only


def test_an_unknown_label_matches_nothing(http: httpx.Client) -> None:
    body = http.get(PATH, params={"labels[]": "no-such-label"}).json()
    assert body == {"meta": {"count": 0, "current_page": "1"}, "payload": []}


def test_labels_with_sort_and_search_combine(http: httpx.Client, server: DemoServer) -> None:
    wanted = {"trial", "billing"}
    picked = [c for c in server.contacts if wanted & set(c.labels) and matches_search(c.raw, "A")]
    rows = fetch_all(
        http, {"labels[]": sorted(wanted), "q": "A", "sort": "city", "direction": "desc"}
    )
    assert [row["id"] for row in rows] == expected_ids(picked, "city", True)


# --- inboxes, page size, pages --------------------------------------------------------------


def test_inboxes_are_included_by_default_and_absent_when_not_asked_for(
    http: httpx.Client,
) -> None:
    included = http.get(PATH).json()["payload"]
    assert all("contact_inboxes" in row for row in included)
    assert any(row["contact_inboxes"] for row in included)
    assert http.get(PATH, params={"include_contact_inboxes": "true"}).json()["payload"] == included
    for off in ("false", "FALSE", "0"):
        rows = http.get(PATH, params={"include_contact_inboxes": off}).json()["payload"]
        assert [r["id"] for r in rows] == [r["id"] for r in included]
        assert all("contact_inboxes" not in row for row in rows)
        assert [
            {**r, "contact_inboxes": i["contact_inboxes"]}
            for r, i in zip(rows, included, strict=True)
        ] == included


def test_leaving_inboxes_out_does_not_change_the_data(
    http: httpx.Client, server: DemoServer
) -> None:
    http.get(PATH, params={"include_contact_inboxes": "false"})
    assert all("contact_inboxes" in c.raw for c in server.contacts[:15])


@pytest.mark.parametrize(
    ("asked", "served"),
    [
        (None, 15),
        ("10", 10),
        ("100", 100),
        ("101", 100),
        ("5000", 100),
        ("0", 1),
        ("-3", 1),
        ("x", 15),
        ("", 15),
    ],
)
def test_page_size_default_and_clamp(http: httpx.Client, asked: str | None, served: int) -> None:
    params = {} if asked is None else {"page_size": asked}
    body = http.get(PATH, params=params).json()
    assert len(body["payload"]) == served
    assert body["meta"]["count"] == 1000


def test_page_size_can_be_ignored_like_chatwoot() -> None:
    contacts = generate_contacts(40, seed=5)
    with (
        DemoServer(dataset=contacts, ignore_page_size=True) as stubborn,
        httpx.Client(base_url=stubborn.base_url, auth=AUTH) as client,
    ):
        body = client.get(PATH, params={"page_size": 30, "page": 2}).json()
    assert [row["id"] for row in body["payload"]] == [c.raw["id"] for c in contacts[15:30]]
    assert body["meta"] == {"count": 40, "current_page": "2"}


def test_pages_tile_the_result_and_past_the_end_is_empty(
    http: httpx.Client, server: DemoServer
) -> None:
    ids = []
    for page in range(1, 68):
        body = http.get(PATH, params={"page": page}).json()
        assert body["meta"] == {"count": 1000, "current_page": str(page)}
        ids.extend(row["id"] for row in body["payload"])
    assert ids == [c.raw["id"] for c in server.contacts]
    for page in (68, 69, 10_000, 10**17):
        body = http.get(PATH, params={"page": page}).json()
        assert body == {"meta": {"count": 1000, "current_page": str(page)}, "payload": []}


@pytest.mark.parametrize("junk", ["abc", "0", "-2", "", "1.5", "²", "1e3"])
def test_a_junk_page_is_page_one(http: httpx.Client, junk: str) -> None:
    first = http.get(PATH).json()
    assert http.get(PATH, params={"page": junk}).json() == first


def test_a_repeated_parameter_takes_its_last_value(http: httpx.Client) -> None:
    body = http.get(PATH, params=[("page", "1"), ("page", "3")]).json()
    assert body["meta"]["current_page"] == "3"


# --- search ---------------------------------------------------------------------------------


def search_ids(server: DemoServer, text: str) -> list[int]:
    return [c.raw["id"] for c in server.contacts if matches_search(c.raw, text)]


@pytest.mark.parametrize("field", ["name", "email", "phone_number", "identifier"])
def test_search_finds_each_field_case_insensitively(
    http: httpx.Client, server: DemoServer, field: str
) -> None:
    source = next(
        c.raw[field]
        for c in server.contacts[100:]
        if isinstance(c.raw[field], str) and len(c.raw[field]) >= 6 and c.raw[field].isascii()
    )
    needle = source[1:6].upper() if field != "phone_number" else source[3:9]
    expected = search_ids(server, needle)
    assert expected
    rows = fetch_all(http, {"q": needle})
    assert [row["id"] for row in rows] == expected
    assert http.get(PATH, params={"q": needle}).json()["meta"]["count"] == len(expected)


def test_search_in_other_scripts_and_with_spaces(http: httpx.Client, server: DemoServer) -> None:
    for needle in ("田中", "Иван", "  tanaka  ", "김"):
        expected = search_ids(server, needle)
        assert expected, needle
        assert [row["id"] for row in fetch_all(http, {"q": needle})] == expected


def test_search_does_not_look_at_other_fields(http: httpx.Client) -> None:
    # company names and cities are not searched
    assert http.get(PATH, params={"q": "Globex Corporation"}).json()["meta"]["count"] == 0
    assert http.get(PATH, params={"q": "no such person anywhere"}).json()["payload"] == []


def test_an_empty_search_lists_everyone(http: httpx.Client) -> None:
    assert http.get(PATH, params={"q": ""}).json()["meta"]["count"] == 1000
    assert http.get(PATH, params={"q": "   "}).json()["meta"]["count"] == 1000


def test_narrowing_a_search_keeps_it_right(http: httpx.Client, server: DemoServer) -> None:
    for needle in ("s", "sa", "sat", "sato", "sato.", "at"):
        assert [row["id"] for row in fetch_all(http, {"q": needle})] == search_ids(server, needle)


# --- encoding and keep-alive ----------------------------------------------------------------


def test_bodies_are_utf8_with_characters_unescaped(http: httpx.Client) -> None:
    body = http.get(PATH, params={"q": "田中"}).content
    assert "田中".encode() in body
    assert b"\\u" not in body


def test_keep_alive_serves_several_requests_on_one_socket(server: DemoServer) -> None:
    with open_socket(server) as sock:
        for page in (1, 2, 3):
            sock.sendall(request_bytes(f"{PATH}?page={page}"))
            status, headers, body = read_response(sock)
            assert status == 200
            assert json.loads(body)["meta"]["current_page"] == str(page)
            assert headers.get("connection", "keep-alive").lower() != "close"


def test_the_request_log_keeps_no_credentials(http: httpx.Client, server: DemoServer) -> None:
    http.get(PATH, params={"page": 2, "labels[]": "vip"})
    record = server.requests[-1]
    assert (record.method, record.path, record.status, record.page) == ("GET", PATH, 200, 2)
    assert ("labels[]", "vip") in record.params
    text = repr(server.requests)
    assert DEMO_API_SECRET not in text and basic()[6:] not in text


# --- latency and concurrency ----------------------------------------------------------------


def test_latency_lets_concurrent_requests_overlap(server: DemoServer) -> None:
    server.latency_ms = 300
    count = 6
    start = threading.Barrier(count)
    statuses: list[int] = []

    def one(page: int) -> None:
        with httpx.Client(base_url=server.base_url, auth=AUTH, timeout=30) as client:
            start.wait()
            statuses.append(client.get(PATH, params={"page": page}).status_code)

    threads = [threading.Thread(target=one, args=(page,)) for page in range(1, count + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [200] * count
    assert sorted(r.page or 0 for r in server.requests) == list(range(1, count + 1))
    assert server.peak_in_flight >= 2  # they were being handled at the same time


def test_latency_can_change_while_running(http: httpx.Client, server: DemoServer) -> None:
    server.latency_ms = 20
    assert http.get(PATH).status_code == 200
    server.latency_ms = 0
    assert http.get(PATH).status_code == 200
    assert len(server.requests) == 2


# --- lifecycle ------------------------------------------------------------------------------


def test_lifecycle_and_connection() -> None:
    server = DemoServer(contacts=3)
    assert not server.running
    assert server.start() is server
    assert server.start() is server  # starting twice does nothing
    assert server.running
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", server.base_url)
    conn = server.connection()
    assert conn.base_url == server.base_url
    assert conn.api_key == Secret(DEMO_API_KEY) and conn.api_secret == Secret(DEMO_API_SECRET)
    assert (conn.dialect, conn.account_id, conn.origin, conn.profile) == (
        "livedesk",
        1,
        "the demo server",
        "demo",
    )
    assert DEMO_API_SECRET not in repr(conn)
    server.stop()
    server.stop()  # idempotent
    assert not server.running
    with pytest.raises(RuntimeError):
        server.start()


def test_stopping_a_server_that_never_started() -> None:
    DemoServer(contacts=1).stop()


def test_only_loopback_and_known_dialects() -> None:
    with pytest.raises(ValueError, match="loopback"):
        DemoServer(contacts=1, host="0.0.0.0")
    with pytest.raises(ValueError, match="dialect"):
        DemoServer(contacts=1, dialect="zendesk")


def test_localhost_and_ipv6_loopback() -> None:
    with DemoServer(contacts=2, host="localhost") as local:
        assert local.base_url.startswith("http://127.0.0.1:")
        assert httpx.get(local.base_url + PATH, auth=AUTH).status_code == 200
    if not socket.has_ipv6:
        return
    try:
        six = DemoServer(contacts=2, host="::1").start()
    except OSError:
        return  # no IPv6 loopback on this machine
    with six:
        assert six.base_url.startswith("http://[::1]:")
        assert httpx.get(six.base_url + PATH, auth=AUTH).status_code == 200


def test_hostile_contacts_come_first_and_serve_as_json(capfd: pytest.CaptureFixture[str]) -> None:
    hostile = hostile_contacts()
    with DemoServer(contacts=20, hostile=True) as server:
        body = httpx.get(server.base_url + PATH, auth=AUTH).json()
        assert [row["id"] for row in body["payload"][: len(hostile)]] == [
            c.raw["id"] for c in hostile
        ]
        assert body["payload"][0] == hostile[0].raw
        assert body["meta"]["count"] == 20 + len(hostile)
        for key in SORT_KEYS:  # wrong types sort as empties, nothing breaks
            rows = httpx.get(
                server.base_url + PATH,
                auth=AUTH,
                params={"sort": key, "direction": "desc", "page_size": 100},
            ).json()["payload"]
            assert [r["id"] for r in rows] == expected_ids_loose(server.contacts, key, True)
        found = httpx.get(server.base_url + PATH, auth=AUTH, params={"q": "calc"}).json()
        assert found["meta"]["count"] >= 1
        assert server.errors == []
    assert capfd.readouterr() == ("", "")


def expected_ids_loose(contacts: list[DemoContact], key: str, descending: bool) -> list[Any]:
    """Like ``expected_ids`` for ids that may be strings of digits."""
    as_int = [DemoContact(raw={**c.raw, "id": int(c.raw["id"])}, labels=c.labels) for c in contacts]
    ids = expected_ids(as_int, key, descending)
    original = {int(c.raw["id"]): c.raw["id"] for c in contacts}
    return [original[i] for i in ids]


def test_the_server_prints_nothing_whatever_happens(
    demo_server: DemoServer, capfd: pytest.CaptureFixture[str]
) -> None:
    for fault in ("drop", "close", "truncated", "html:500", "429", "not_json", "hang:0.1"):
        demo_server.faults.add(parse_fault(fault))
        with open_socket(demo_server) as sock:
            sock.sendall(request_bytes())
            read_to_eof_or_response(sock)
    with open_socket(demo_server) as sock:  # not HTTP at all
        sock.sendall(b"\x16\x03\x01 garbage\r\n\r\n")
        read_to_eof(sock)
    with open_socket(demo_server) as sock:  # hanging up before the answer
        sock.sendall(request_bytes())
    with open_socket(demo_server) as sock:
        sock.sendall(b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
        sock.recv(100)
    httpx.get(demo_server.base_url + PATH)  # 401
    demo_server.stop()
    assert capfd.readouterr() == ("", "")
    assert demo_server.errors == []


def read_to_eof_or_response(sock: socket.socket) -> None:
    sock.settimeout(10)
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return
        data += chunk
        if b"\r\n\r\n" in data:
            _, headers, body = split_response(data)
            if len(body) >= int(headers.get("content-length", "0")):
                return


# --- the 100,000-contact case ---------------------------------------------------------------


def test_a_hundred_thousand_contacts_serve_correctly(large_dataset: list[DemoContact]) -> None:
    server = DemoServer(dataset=large_dataset)
    with server, httpx.Client(base_url=server.base_url, auth=AUTH, timeout=60) as client:
        by_name = [c for c in large_dataset if value_for(c.raw, "name") is not None]
        by_name.sort(key=lambda c: (value_for(c.raw, "name"), c.raw["id"]))
        page = client.get(PATH, params={"sort": "name", "page": 400, "page_size": 50}).json()
        assert [r["id"] for r in page["payload"]] == [c.raw["id"] for c in by_name[19950:20000]]
        newest = sorted(
            (c for c in large_dataset if "vip" in c.labels),
            key=lambda c: (-c.raw["created_at"], c.raw["id"]),
        )
        vip = client.get(
            PATH, params={"labels[]": "vip", "sort": "created_at", "direction": "desc"}
        ).json()
        assert vip["meta"]["count"] == len(newest)
        assert [r["id"] for r in vip["payload"]] == [c.raw["id"] for c in newest[:15]]
        hits = [c.raw["id"] for c in large_dataset if matches_search(c.raw, "yamada")]
        found = client.get(PATH, params={"q": "YAMADA", "page_size": 100}).json()
        assert found["meta"]["count"] == len(hits)
        assert [r["id"] for r in found["payload"]] == hits[:100]
        assert server.errors == []
