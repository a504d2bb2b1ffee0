"""The app against a demo server speaking Chatwoot: fifteen a page, account paths, descending
sort as a minus prefix, search pages that only say whether more follow, and labels listed by
the server as suggestions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from tui_fixtures import (
    FIXED_NOW,
    Notices,
    expected_ids,
    make_app,
    shown_ids,
    utc,
    wait_for_page,
    wait_until,
)

from livedesk_tui.api.models import ContactQuery
from livedesk_tui.demo.catalogue import LABEL_TITLES
from livedesk_tui.demo.faults import parse_fault
from livedesk_tui.demo.server import DemoServer
from livedesk_tui.tui.app import LiveDeskApp
from livedesk_tui.tui.widgets.filter_sidebar import FilterSidebar

__all__ = ["utc"]

pytestmark = pytest.mark.usefixtures("utc")

CHATWOOT_PAGE = 15


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(contacts=100, seed=3, dialect="chatwoot", account_id=7) as running:
        yield running


@pytest.fixture(autouse=True)
def clean_server(server: DemoServer) -> None:
    server.reset()


def served(server: DemoServer, query: ContactQuery) -> list[Any]:
    return expected_ids(server, query.with_page_size(CHATWOOT_PAGE))


def search_matches(server: DemoServer, term: str) -> int:
    return len(server.store.select(search=term))


async def test_pages_through_the_account_fifteen_at_a_time(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        assert shown_ids(app) == served(server, ContactQuery())
        assert app.status_text().startswith("page 1 of 7 · 100 contacts · all contacts")
        await pilot.press("n")
        await wait_for_page(pilot, app, 2)
        assert shown_ids(app) == served(server, ContactQuery(page=2))
        await pilot.press("greater_than_sign")
        await wait_for_page(pilot, app, 7)
        assert len(shown_ids(app)) == 100 - 6 * CHATWOOT_PAGE
        paths = {record.path for record in server.requests}
        assert paths == {"/api/v1/accounts/7/contacts", "/api/v1/accounts/7/labels"}


async def test_descending_sort_is_asked_for_with_a_minus(server: DemoServer) -> None:
    query = ContactQuery(sort="name", direction="desc")
    app = make_app(server, initial_query=query)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        assert shown_ids(app) == served(server, query)
        asked = [r for r in server.requests if r.path.endswith("/contacts")]
        assert ("sort", "-name") in asked[-1].params
        await pilot.press("d")  # ascending: the plain key
        await wait_for_page(pilot, app, 1, direction="asc")
        assert shown_ids(app) == served(server, replace(query, direction="asc"))
        asked = [r for r in server.requests if r.path.endswith("/contacts")]
        assert ("sort", "name") in asked[-1].params


async def test_search_pages_say_more_until_the_last(server: DemoServer) -> None:
    term = "example"
    matches = search_matches(server, term)
    pages = -(-matches // CHATWOOT_PAGE)
    assert pages >= 3, "the search should span several pages"
    notices = Notices()
    app = make_app(server, initial_query=ContactQuery(search=term))
    async with app.run_test(size=(80, 24), notifications=True, message_hook=notices.hook) as pilot:
        await wait_for_page(pilot, app, 1)
        assert app.page is not None and app.page.total is None and app.page.has_more
        assert app.status_text().startswith(f"page 1 · more · search '{term}'")
        seen = list(shown_ids(app))
        for number in range(2, pages + 1):
            await pilot.press("n")
            await wait_for_page(pilot, app, number)
            seen.extend(shown_ids(app))
        assert app.status_text().startswith(f"page {pages} (last) · search '{term}'")
        assert len(seen) == len(set(seen)) == matches
        assert {r.path for r in server.requests if "search" in r.path} == {
            "/api/v1/accounts/7/contacts/search"
        }
        await pilot.press("n")  # the last page is known now: no request past it
        await wait_until(pilot, lambda: notices.messages[-1:] == ["Already on the last page."])
        assert app.contact_query.page == pages


async def test_label_suggestions_come_from_the_server(server: DemoServer) -> None:
    app = make_app(server, label_suggestions=("from-config",))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        sidebar = app.query_one("#sidebar", FilterSidebar)
        await wait_until(pilot, lambda: len(sidebar.suggester.labels) > 1)
        assert sidebar.suggester.labels[0] == "from-config"
        assert set(sidebar.suggester.labels[1:]) == set(LABEL_TITLES)
        assert any(r.path == "/api/v1/accounts/7/labels" for r in server.requests)


async def test_a_search_whose_labels_the_server_ignored_says_so(server: DemoServer) -> None:
    query = ContactQuery(search="example", labels=("vip",))
    notices = Notices()
    app = make_app(server, initial_query=query)
    async with app.run_test(size=(100, 24), notifications=True, message_hook=notices.hook) as pilot:
        await wait_for_page(pilot, app, 1)
        assert app.page is not None and app.page.labels_ignored
        assert "labels not applied: this server searches every contact" in app.status_text()
        await wait_until(pilot, lambda: bool(notices.seen))
        title, text, severity = notices.seen[-1]
        assert (title, severity) == ("Labels not applied", "warning")
        assert text.startswith("This server (Chatwoot 4.10.1 or later) does not apply labels")


async def test_an_old_search_counts_its_pages_and_applies_labels() -> None:
    with DemoServer(contacts=100, seed=3, dialect="chatwoot", chatwoot_version="4.8") as old:
        term = "example"
        matches = len(old.store.select(search=term))
        app = make_app(old, initial_query=ContactQuery(search=term))
        async with app.run_test(size=(100, 24)) as pilot:
            await wait_for_page(pilot, app, 1)
            pages = -(-matches // CHATWOOT_PAGE)
            assert app.status_text().startswith(f"page 1 of {pages} · {matches} contacts")
        labelled = make_app(old, initial_query=ContactQuery(search=term, labels=("vip",)))
        async with labelled.run_test(size=(100, 24)) as pilot:
            await wait_for_page(pilot, labelled, 1)
            assert labelled.page is not None and not labelled.page.labels_ignored
            assert "labels not applied" not in labelled.status_text()


async def test_the_status_line_says_while_it_waits_for_the_rate_limit(server: DemoServer) -> None:
    from livedesk_tui.api.client import ContactsClient, RetryPolicy

    server.faults.add(parse_fault("429@page=1"))  # Retry later, no Retry-After
    policy = RetryPolicy(attempts=3, backoff=0.01, rate_window=0.6)
    client = ContactsClient(server.connection(), retry=policy, timeout=5.0)
    app = LiveDeskApp(server.connection(), client=client, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 24)) as pilot:
        said = f"{server.connection().host} is rate limiting requests (HTTP 429); waiting"
        await wait_until(pilot, lambda: said in app.status_text())
        assert "0.6-second window" in app.status_text()
        await wait_for_page(pilot, app, 1)
        assert "rate limiting" not in app.status_text()
    assert [r.status for r in server.requests if r.page == 1][:2] == [429, 200]


async def test_an_export_from_the_app_asks_chatwoot_for_a_stable_order_and_says_so(
    server: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    notices = Notices()
    app = make_app(server)
    async with app.run_test(size=(80, 24), notifications=True, message_hook=notices.hook) as pilot:
        await wait_for_page(pilot, app, 1)
        await pilot.press("e")
        await wait_until(pilot, lambda: app.screen.focused is not None)
        await pilot.press("ctrl+u", *"all.jsonl", "enter")
        await wait_until(pilot, lambda: bool(notices.titled("Export done")))
        assert notices.titled("Sorted by creation")
    exported = [r for r in server.requests if r.path.endswith("/contacts") and r.page]
    assert exported and all(("sort", "created_at") in r.params for r in exported[-7:])
    assert (tmp_path / "all.jsonl").read_text(encoding="utf-8").count("\n") == 100
