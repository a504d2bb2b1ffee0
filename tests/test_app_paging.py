"""The app against the demo server: the first page, paging keys, the cursor, cache and prefetch,
rapid paging, and a slow server that must not freeze the keys."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tui_fixtures import (
    expected_ids,
    list_requests,
    make_app,
    screen_text,
    shown_ids,
    table_row_keys,
    utc,
    wait_for_page,
    wait_until,
)

from livedesk_tui.api.models import ContactQuery
from livedesk_tui.demo.server import DemoServer
from livedesk_tui.tui.widgets.contacts_table import ContactsTable

__all__ = ["utc"]

pytestmark = pytest.mark.usefixtures("utc")


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer(contacts=1000, seed=7) as running:
        yield running


def table(app) -> ContactsTable:
    return app.query_one("#contacts", ContactsTable)


async def test_first_page_shows_the_servers_first_fifteen(server: DemoServer) -> None:
    app = make_app(server, fast=False)  # the app opens its own client, as the CLI does
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        first = expected_ids(server, ContactQuery())
        assert len(first) == 15
        assert shown_ids(app) == first
        assert table_row_keys(app) == [str(i) for i in first]
        assert table(app).row_count == 15
        assert app.status_text().startswith("page 1 of 67 · 1,000 contacts · all contacts")
        assert app.focused is table(app)


async def test_paging_keys_move_through_the_pages(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        steps = [
            ("n", 2),
            ("n", 3),
            ("p", 2),
            ("greater_than_sign", 67),
            ("p", 66),
            ("less_than_sign", 1),
        ]
        for key, number in steps:
            await pilot.press(key)
            await wait_for_page(pilot, app, number)
            assert shown_ids(app) == expected_ids(server, ContactQuery(page=number)), key
            assert app.status_text().startswith(f"page {number} of 67 · 1,000 contacts")
        assert table(app).row_count == 15
        await pilot.press("greater_than_sign")
        await wait_for_page(pilot, app, 67)
        assert table(app).row_count == 10  # 1,000 = 66 x 15 + 10


async def test_go_to_page_asks_for_a_number(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        await pilot.press("g")
        await pilot.press("4", "2", "enter")
        await wait_for_page(pilot, app, 42)
        assert shown_ids(app) == expected_ids(server, ContactQuery(page=42))
        # beyond the last page goes to the last; escape leaves the page alone
        await pilot.press("g", "9", "9", "9", "enter")
        await wait_for_page(pilot, app, 67)
        await pilot.press("g", "3", "escape")
        await pilot.pause()
        assert app.contact_query.page == 67


async def test_previous_on_the_first_page_stays_put(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        server.reset_log()
        await pilot.press("p", "less_than_sign")
        await pilot.pause()
        assert app.contact_query.page == 1
        assert 1 not in list_requests(server)


async def test_paging_keeps_the_cursor_row_and_a_new_filter_resets_it(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        await pilot.press("j", "j", "down", "j", "k")  # row 3
        assert table(app).cursor_row == 3
        await pilot.press("n")
        await wait_for_page(pilot, app, 2)
        assert table(app).cursor_row == 3
        assert table(app).highlighted_contact.id == expected_ids(server, app.contact_query)[3]
        # the last page has 10 rows: the cursor is clamped to the last one
        await pilot.press(*["down"] * 10)
        assert table(app).cursor_row == 13
        await pilot.press("greater_than_sign")
        await wait_for_page(pilot, app, 67)
        assert table(app).cursor_row == 9
        # a new filter starts at the top
        await pilot.press("d")
        await wait_for_page(pilot, app, 1)
        assert table(app).cursor_row == 0


async def test_pages_seen_before_come_from_memory(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        await wait_until(pilot, lambda: app.loader.cached(ContactQuery(page=2)) is not None)
        await pilot.press("greater_than_sign")
        await wait_for_page(pilot, app, 67)
        server.reset_log()
        await pilot.press("less_than_sign")
        await wait_for_page(pilot, app, 1)
        await pilot.press("greater_than_sign")
        await wait_for_page(pilot, app, 67)
        await pilot.pause(0.05)
        assert list_requests(server) == []
        assert shown_ids(app) == expected_ids(server, ContactQuery(page=67))


async def test_the_next_page_is_prefetched(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        await wait_until(pilot, lambda: 2 in list_requests(server))
        await wait_until(pilot, lambda: app.loader.cached(ContactQuery(page=2)) is not None)
        server.reset_log()
        await pilot.press("n")
        await wait_for_page(pilot, app, 2)
        assert shown_ids(app) == expected_ids(server, ContactQuery(page=2))
        await wait_until(pilot, lambda: 3 in list_requests(server))
        assert 2 not in list_requests(server)  # page 2 came from the prefetch
        # the last page has no next page to fetch
        await pilot.press("greater_than_sign")
        await wait_for_page(pilot, app, 67)
        await pilot.pause(0.1)
        assert 68 not in list_requests(server)


async def press_n_ten_times(
    server: DemoServer, latency_ms: int, *, at_once: bool = False
) -> list[int | None]:
    """Press n ten times from page 1; check the end state; return the pages requested.

    ``at_once`` queues the ten presses together (a held key), rather than one by one.
    """
    server.latency_ms = latency_ms
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        await wait_until(pilot, lambda: app.loader.cached(ContactQuery(page=2)) is not None)
        server.reset_log()
        shown: list[tuple[ContactQuery, ContactQuery, list[object]]] = []
        contacts_table = table(app)
        show = contacts_table.show_contacts

        def spy(contacts, **kwargs) -> None:
            shown.append((app.page.query, app.contact_query, [c.id for c in contacts]))
            show(contacts, **kwargs)

        contacts_table.show_contacts = spy  # type: ignore[method-assign]
        if at_once:
            for _ in range(10):
                app.simulate_key("n")
        else:
            await pilot.press(*["n"] * 10)
        await wait_for_page(pilot, app, 11)
        await wait_until(pilot, lambda: 12 in list_requests(server))
        await pilot.pause(latency_ms / 1000 + 0.1)  # stragglers arrive now: they must be dropped
        assert app.page.number == 11
        assert shown_ids(app) == expected_ids(server, ContactQuery(page=11))
        assert app.status_text().startswith("page 11 of 67")
        for page_query, current, ids in shown:  # only the page asked for is ever shown
            assert page_query == current
            assert ids == expected_ids(server, page_query)
        assert shown[-1][0].page == 11
        return list_requests(server)


async def test_rapid_paging_ends_on_the_right_page(server: DemoServer) -> None:
    # the server answers faster than the keys come: every page is prefetched in time, each
    # is asked for once, and nothing beyond the next page is fetched
    pages = await press_n_ten_times(server, latency_ms=30)
    assert len(pages) == len(set(pages)), pages
    assert set(pages) <= set(range(3, 13)), pages


async def test_rapid_paging_on_a_slow_server_skips_the_pages_passed(server: DemoServer) -> None:
    # the keys come faster than the answers: only the last page (and its next) are asked for
    pages = await press_n_ten_times(server, latency_ms=300, at_once=True)
    assert 11 in pages and 12 in pages
    assert len(pages) <= 4, pages


async def test_keys_keep_working_while_a_request_is_slow(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        first = shown_ids(app)
        server.latency_ms = 5000  # far longer than the checks below take
        await pilot.press("greater_than_sign")
        await wait_until(pilot, lambda: "loading page 67" in app.status_text())
        # the old page stays, the cursor moves, the help opens and closes
        assert shown_ids(app) == first
        await pilot.press("down", "down")
        assert table(app).cursor_row == 2
        await pilot.press("question_mark")
        assert app.screen.__class__.__name__ == "HelpScreen"
        await pilot.press("escape")
        assert app.screen is app.screen_stack[0]
        assert app.page.number == 1
        # leaving the slow page is instant, and a later try is quick again
        server.latency_ms = 0
        await pilot.press("less_than_sign")
        await wait_for_page(pilot, app, 1)
        assert app.pending is None
        await pilot.press("greater_than_sign")
        await wait_for_page(pilot, app, 67)
        assert shown_ids(app) == expected_ids(server, ContactQuery(page=67))


async def test_the_first_load_says_it_is_loading(server: DemoServer) -> None:
    server.latency_ms = 5000  # the page stays on its way for the whole test
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: "loading page 1…" in app.status_text())
        assert "Loading contacts…" in screen_text(app)
        assert app.focused is table(app)
        await pilot.press("question_mark")  # the keys answer before any data arrived
        assert app.screen.__class__.__name__ == "HelpScreen"
        await pilot.press("escape")
        assert app.page is None and app.pending is not None
