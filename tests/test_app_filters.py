"""Filters from the keyboard: labels (with suggestions), sort, direction, search, inboxes; the
rows must be what the demo server returns for the same query."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.widgets import Input, Select, Switch
from tui_fixtures import expected_ids, make_app, shown_ids, utc, wait_for_page, wait_until

from livedesk_tui.api.models import ContactQuery
from livedesk_tui.demo.server import DemoServer
from livedesk_tui.tui.widgets.filter_sidebar import FilterSidebar, LabelSuggester, parse_labels

__all__ = ["utc"]

pytestmark = pytest.mark.usefixtures("utc")


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(contacts=1000, seed=7) as running:
        yield running


@pytest.fixture(autouse=True)
def clean_server(server: DemoServer) -> None:
    server.reset()


def last_params(server: DemoServer) -> list[tuple[str, str]]:
    return [r for r in server.requests if r.path.endswith("/contacts")][-1].params


def sidebar(app) -> FilterSidebar:
    return app.query_one("#sidebar", FilterSidebar)


async def type_text(pilot, text: str) -> None:
    await pilot.press(*text)


async def test_labels_match_any_of_several(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        assert not sidebar(app).display or not app.sidebar_open
        await pilot.press("l")
        assert app.sidebar_open
        assert app.focused is app.query_one("#labels", Input)
        await type_text(pilot, "vip, partner")
        await pilot.press("enter")
        await wait_for_page(pilot, app)
        query = ContactQuery(labels=("vip", "partner"))
        assert app.contact_query == query
        assert shown_ids(app) == expected_ids(server, query)
        labelled = {c.raw["id"] for c in server.contacts if {"vip", "partner"} & set(c.labels)}
        assert set(shown_ids(app)) <= labelled
        assert ("labels[]", "vip") in last_params(server)
        assert ("labels[]", "partner") in last_params(server)
        # done with the filters: back to the table, the sidebar folds away at 80 columns
        assert not app.sidebar_open
        assert app.focused is app.query_one("#contacts")
        assert "labels vip | partner" in app.status_text()
        total = sum(1 for c in server.contacts if {"vip", "partner"} & set(c.labels))
        assert f"{total:,} contacts" in app.status_text()


async def test_label_suggestions_complete_the_label_being_typed(server: DemoServer) -> None:
    app = make_app(server, label_suggestions=["partner", "vip", "要フォロー"])
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        await pilot.press("l")
        await type_text(pilot, "pa")
        field = app.query_one("#labels", Input)
        await wait_until(pilot, lambda: field._suggestion == "partner")
        await pilot.press("right")
        await type_text(pilot, ", V")
        await wait_until(pilot, lambda: field._suggestion == "partner, Vip")
        await pilot.press("backspace")
        await type_text(pilot, "v")
        await pilot.press("right", "enter")
        await wait_for_page(pilot, app)
        assert app.contact_query.labels == ("partner", "vip")


async def test_suggester_offers_labels_typed_before() -> None:
    suggester = LabelSuggester(["vip"])
    assert await suggester.get_suggestion("v") == "vip"
    assert await suggester.get_suggestion("vip, v") is None  # already chosen
    assert await suggester.get_suggestion("") is None
    suggester.add(["trial-2026"])
    assert await suggester.get_suggestion("vip, tr") == "vip, trial-2026"
    assert parse_labels(" a, ,b,a ,") == ("a", "b")


async def test_sort_and_direction(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        await pilot.press("n")
        await wait_for_page(pilot, app, 2)
        await pilot.press("s")  # the sort list opens on "default order"
        assert app.sidebar_open
        await pilot.press("down", "enter")  # -> name
        await wait_for_page(pilot, app, 1)
        query = ContactQuery(sort="name")
        assert app.contact_query == query
        assert shown_ids(app) == expected_ids(server, query)
        assert ("sort", "name") in last_params(server)
        await pilot.press("escape")
        assert not app.sidebar_open
        await pilot.press("d")
        await wait_for_page(pilot, app, 1)
        query = ContactQuery(sort="name", direction="desc")
        assert app.contact_query == query
        assert shown_ids(app) == expected_ids(server, query)
        assert ("direction", "desc") in last_params(server)
        assert app.query_one("#direction", Select).value == "desc"
        assert "sort name ↓" in app.status_text()


async def test_search_applies_on_enter(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        await pilot.press("slash")
        assert app.focused is app.query_one("#search", Input)
        await type_text(pilot, "yamada")
        await pilot.press("enter")
        await wait_for_page(pilot, app)
        query = ContactQuery(search="yamada")
        assert app.contact_query == query
        ids = expected_ids(server, query)
        assert ids and shown_ids(app) == ids
        assert ("q", "yamada") in last_params(server)


async def test_search_applies_after_a_pause_in_typing(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        await pilot.press("slash")
        await type_text(pilot, "smith")
        await wait_until(pilot, lambda: app.contact_query.search == "smith")
        await wait_for_page(pilot, app)
        assert shown_ids(app) == expected_ids(server, ContactQuery(search="smith"))
        assert app.focused is app.query_one("#search", Input)  # still typing: focus stays


async def test_inboxes_can_be_left_out(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        assert all(c.contact_inboxes is not None for c in app.page.contacts)
        await pilot.press("l", "tab", "tab", "tab", "tab")
        assert app.focused is app.query_one("#inboxes", Switch)
        await pilot.press("space")
        await wait_for_page(pilot, app)
        assert app.contact_query.include_inboxes is False
        assert ("include_contact_inboxes", "false") in last_params(server)
        assert all(c.contact_inboxes is None for c in app.page.contacts)
        assert "no inboxes" in app.status_text()


async def test_filters_change_while_paged_starts_at_page_one(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        await pilot.press("greater_than_sign")
        await wait_for_page(pilot, app, 67)
        await pilot.press("l")
        await type_text(pilot, "trial")
        await pilot.press("enter")
        await wait_for_page(pilot, app, 1)
        assert shown_ids(app) == expected_ids(server, ContactQuery(labels=("trial",)))


async def test_a_filter_with_no_match_says_so(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        await pilot.press("slash")
        await type_text(pilot, "zq9x")
        await pilot.press("enter")
        await wait_for_page(pilot, app)
        assert shown_ids(app) == []
        assert app.query_one("#empty").display
        assert "page 1 of 1 · 0 contacts" in app.status_text()


async def test_initial_query_is_shown_in_the_sidebar(server: DemoServer) -> None:
    query = ContactQuery(labels=("vip",), sort="city", direction="desc", search="a")
    app = make_app(server, initial_query=query)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_page(pilot, app, 1)
        assert shown_ids(app) == expected_ids(server, query)
        assert app.query_one("#labels", Input).value == "vip"
        assert app.query_one("#sort", Select).value == "city"
        assert app.query_one("#direction", Select).value == "desc"
        assert app.query_one("#search", Input).value == "a"


async def test_the_sidebar_controls_are_built_when_first_shown(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        assert not sidebar(app).built and not sidebar(app).query(Input)
        await pilot.press("d")  # a change made while the controls do not exist yet
        await wait_for_page(pilot, app, 1)
        assert not sidebar(app).built
        await pilot.press("f")
        await wait_until(pilot, lambda: sidebar(app).built)
        assert app.query_one("#direction", Select).value == "desc"
        assert app.query_one("#labels", Input).value == ""
        await pilot.press("f", "f")  # closing and opening again builds nothing new
        assert len(sidebar(app).query(Input)) == 2


async def test_a_filter_changed_as_the_sidebar_opens_shows_in_it(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        app.action_toggle_sidebar()  # the controls are asked for
        app.action_direction()  # before they are there
        await sidebar(app).build()
        await wait_for_page(pilot, app, 1)
        assert app.contact_query.direction == "desc"
        assert app.query_one("#direction", Select).value == "desc"


async def test_quitting_while_the_controls_mount_ends_cleanly(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        app.action_toggle_sidebar()  # the controls start mounting
        await app.action_quit()  # before they have
        await wait_until(pilot, lambda: not app.is_running)
    assert app.return_code == 0


async def test_a_chatwoot_server_fills_the_label_suggestions() -> None:
    with DemoServer(contacts=60, seed=7, dialect="chatwoot") as chatwoot:
        app = make_app(chatwoot)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for_page(pilot, app, 1)
            suggester = app.query_one("#sidebar", FilterSidebar).suggester
            await wait_until(pilot, lambda: "要フォロー" in suggester.labels)
            assert shown_ids(app) == expected_ids(chatwoot, ContactQuery())
            await pilot.press("l", *"要", "right", "enter")
            await wait_for_page(pilot, app)
            assert app.contact_query.labels == ("要フォロー",)
            assert shown_ids(app) == expected_ids(chatwoot, ContactQuery(labels=("要フォロー",)))
