"""Layout and screens: 80 and 120 columns, the detail pane and the full-screen contact, help
with remapped keys, the command palette, copy, and the sidebar's keys."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from textual import events
from textual.containers import ScrollableContainer
from tui_fixtures import (
    ClosingWatch,
    expected_ids,
    make_app,
    screen_text,
    utc,
    wait_for_page,
    wait_until,
)

from livedesk_tui.api.client import ContactsClient
from livedesk_tui.api.models import ContactQuery
from livedesk_tui.demo.server import DemoServer
from livedesk_tui.tui.app import ACTIONS, LiveDeskApp
from livedesk_tui.tui.screens.contact import ContactScreen
from livedesk_tui.tui.screens.help import HelpScreen
from livedesk_tui.tui.screens.raw_view import RawViewScreen
from livedesk_tui.tui.widgets.contact_detail import ContactDetail
from livedesk_tui.tui.widgets.contacts_table import ContactsTable

__all__ = ["utc"]

pytestmark = pytest.mark.usefixtures("utc")


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(contacts=300, seed=7) as running:
        yield running


@pytest.fixture(autouse=True)
def clean_server(server: DemoServer) -> None:
    server.reset()


def table(app: LiveDeskApp) -> ContactsTable:
    return app.query_one("#contacts", ContactsTable)


def header(app: LiveDeskApp) -> list[str]:
    return [column.label for column in table(app).columns_shown]


async def test_80_columns_show_the_table_alone(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        assert not app.wide
        assert not app.query_one("#sidebar").display
        assert not app.query_one("#detail").display
        assert header(app) == ["name", "email", "last active", "status"]
        assert table(app).size.width == 80
        lines = screen_text(app).splitlines()
        assert len(lines) == 24
        assert lines[0].split() == ["name", "email", "last", "active", "status"]
        assert lines[-2].startswith(" page 1 of 20 · 300 contacts")


async def test_120_columns_show_sidebar_table_and_detail(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_page(pilot, app, 1)
        assert app.wide and app.sidebar_open
        assert app.query_one("#sidebar").display and app.query_one("#detail").display
        detail = app.query_one("#detail", ContactDetail)
        first = table(app).highlighted_contact
        assert detail.contact == first
        await pilot.press("down", "down")
        assert detail.contact == table(app).contacts[2]
        assert detail.contact.id == expected_ids(server, ContactQuery())[2]
        await pilot.press("f")
        assert not app.query_one("#sidebar").display
        await pilot.press("f")
        assert app.query_one("#sidebar").display


async def test_wide_tables_show_every_column(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(180, 40)) as pilot:
        await wait_for_page(pilot, app, 1)
        assert header(app) == [
            "name",
            "email",
            "phone",
            "company",
            "city, country",
            "last active",
            "status",
            "blocked",
        ]
        contact = table(app).highlighted_contact
        assert contact.phone_number in screen_text(app)


async def test_resizing_moves_between_the_layouts(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        await pilot.press("j", "j")
        await pilot.resize_terminal(160, 40)
        await pilot.pause()
        assert app.wide and app.query_one("#detail").display
        assert app.query_one("#detail", ContactDetail).contact == table(app).contacts[2]
        assert table(app).cursor_row == 2
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert not app.wide and not app.query_one("#detail").display
        assert header(app) == ["name", "email", "last active", "status"]
        assert table(app).cursor_row == 2


async def test_sidebar_opens_and_closes_from_the_keyboard(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        await pilot.press("f")
        assert app.sidebar_open and app.query_one("#sidebar").display
        assert app.focused is table(app)  # f shows the filters without taking the focus
        await pilot.press("ctrl+b")
        assert not app.sidebar_open
        await pilot.press("slash")
        assert app.sidebar_open and app.focused.id == "search"
        await pilot.press("escape")
        assert not app.sidebar_open and app.focused is table(app)


async def test_enter_opens_the_contact_full_screen(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        await pilot.press("j")
        contact = table(app).highlighted_contact
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ContactScreen))
        text = screen_text(app)
        assert contact.name in text
        assert "Identity" in text
        assert f"id              {contact.id}" in text
        await pilot.press("end")  # the rest is a scroll away
        await pilot.pause()
        text = screen_text(app)
        assert "Custom attributes" in text and "Inboxes" in text
        # paging keys do nothing here; escape goes back to the same row
        await pilot.press("n")
        assert app.contact_query.page == 1
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ContactScreen))
        assert table(app).cursor_row == 1


def type_at_once(app: LiveDeskApp, *keys: str) -> None:
    """Keys as the driver posts them from one read of the terminal (ten arrows in one write):
    all at once, with no refresh between them (``pilot.press`` lets the app settle after each).
    """
    for key in keys:
        app.post_message(events.Key(key, None))


@pytest.mark.parametrize(
    "keys", [("down",) * 10, ("down",) * 12 + ("up",) * 4, ("pagedown", "pagedown", "up")]
)
async def test_every_key_typed_at_once_scrolls_the_full_screen_contact(
    server: DemoServer, keys: tuple[str, ...]
) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 12)) as pilot:
        await wait_for_page(pilot, app, 1)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ContactScreen))
        detail = app.screen.query_one(ContactDetail)
        page = detail.scrollable_content_region.height
        steps = {"down": 1, "up": -1, "pagedown": page}
        lines = sum(steps[key] for key in keys)
        await wait_until(pilot, lambda: detail.max_scroll_y > lines)
        type_at_once(app, *keys)
        await pilot.pause()
        await pilot.pause(0.2)  # a scroll deferred to the next refresh has had one
        assert detail.scroll_y == lines


async def test_every_key_typed_at_once_scrolls_the_raw_json(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(40, 12)) as pilot:
        await wait_for_page(pilot, app, 1)
        await pilot.press("R")
        await wait_until(pilot, lambda: isinstance(app.screen, RawViewScreen))
        body = app.screen.query_one("#raw-body", ScrollableContainer)
        await wait_until(pilot, lambda: body.max_scroll_y > 10 and body.max_scroll_x > 4)
        type_at_once(app, *("down",) * 10, *("right",) * 4)
        await pilot.pause()
        await pilot.pause(0.2)
        assert (body.scroll_x, body.scroll_y) == (4, 10)


async def test_the_detail_view_shows_numbers_as_sent() -> None:
    from livedesk_tui.demo.catalogue import DemoContact

    numbers = {
        "revenue": 24928.54,
        "round": 1234567.0,
        "tiny": 1e-7,
        "sum": 0.1 + 0.2,
        "big_id": 12345678901234567890,
    }
    dataset = [DemoContact(raw={"id": 1, "name": "Numbers", "custom_attributes": numbers})]
    with DemoServer(dataset=dataset) as numeric:
        app = make_app(numeric)
        async with app.run_test(size=(80, 30)) as pilot:
            await wait_for_page(pilot, app, 1)
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, ContactScreen))
            shown = {words[-1] for line in screen_text(app).splitlines() if (words := line.split())}
    assert {"24928.54", "1234567.0", "1e-07", "0.30000000000000004"} <= shown
    assert "12345678901234567890" in shown


async def test_copy_puts_the_email_on_the_clipboard(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        await pilot.press("y", "e")  # the copy menu, then its email key
        email = table(app).highlighted_contact.email
        await wait_until(pilot, lambda: app.clipboard == email)
        await pilot.press("j", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ContactScreen))
        await pilot.press("y", "e")
        await wait_until(pilot, lambda: app.clipboard == table(app).contacts[1].email)


async def test_help_lists_every_key_as_remapped(server: DemoServer) -> None:
    app = make_app(server, keymap={"next_page": "m", "toggle_sidebar": "ctrl+t"})
    async with app.run_test(size=(80, 40)) as pilot:
        await wait_for_page(pilot, app, 1)
        await pilot.press("m")
        await wait_for_page(pilot, app, 2)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        inside = [line.split("│")[1] for line in screen_text(app).splitlines() if "│" in line]

        def listed(keys: str, title: str) -> bool:
            pattern = re.compile(rf"(^|\s){re.escape(keys)}\s+{re.escape(title)}(\s|$)")
            return any(pattern.search(line) for line in inside)

        for binding_id, _action, title, _section in ACTIONS:
            keys = app.keys_for(binding_id)
            assert keys, binding_id
            assert listed(keys, title), title
        assert listed("m", "Next page")
        assert listed("^t", "Show/hide the filters")
        assert not listed("n", "Next page")
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_every_action_is_in_the_command_palette(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {title for _id, _action, title, _section in ACTIONS} <= titles
        await pilot.press("ctrl+p")
        await pilot.press(*"Next page")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for_page(pilot, app, 2)
        assert app.contact_query.page == 2


def muted_cell_style(app: LiveDeskApp) -> str:
    offline = next(
        i for i, c in enumerate(table(app).contacts) if c.availability_status != "online"
    )
    row = table(app).get_row_at(offline)[0]  # the row as drawn, its columns side by side
    return str(row.get_style_at_offset(app.console, row.plain.rindex("offline")))


async def test_colours_follow_the_theme(server: DemoServer) -> None:
    app = make_app(server, theme="textual-light")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        assert app.theme == "textual-light"
        light = muted_cell_style(app)
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        dark = muted_cell_style(app)
        assert dark != light
        app.theme = "textual-light"
        await wait_until(pilot, lambda: muted_cell_style(app) == light)


async def test_an_unknown_theme_falls_back_to_the_default(server: DemoServer) -> None:
    app = make_app(server, theme="no-such-theme")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        assert app.theme == "textual-dark"
        assert app.is_running


async def test_quitting_closes_the_client(server: DemoServer) -> None:
    watch = ClosingWatch(ContactsClient(server.connection()))
    app = LiveDeskApp(server.connection(), client=watch)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        assert not watch.closed
        await pilot.press("q")
        await wait_until(pilot, lambda: not app.is_running)
    assert watch.closed
