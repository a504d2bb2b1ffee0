"""The key bar at the bottom: what it shows, on which screen, and that a click presses the key."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tui_fixtures import make_app, screen_text, utc, wait_for_page, wait_until

from livedesk_tui.demo.server import DemoServer
from livedesk_tui.tui.screens.contact import ContactScreen
from livedesk_tui.tui.widgets.key_bar import Entry, KeyBar

__all__ = ["utc"]

pytestmark = pytest.mark.usefixtures("utc")


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(contacts=60, seed=3) as running:
        yield running


def bottom_line(app) -> str:
    return screen_text(app).splitlines()[-1]


async def test_shows_the_screens_keys_and_the_palette_key(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        line = bottom_line(app)
        assert line.lstrip().startswith("n Next  p Prev  / Search  f Filters")
        assert line.rstrip().endswith("^p palette")
        bar = app.screen.query_one(KeyBar)
        actions = [binding.action for binding, _enabled in bar.shown_bindings()]
        assert len(actions) == len(set(actions))  # one entry per action
        assert "quit" in actions and "command_palette" not in actions


async def line_in_search_field(server: DemoServer, width: int) -> str:
    """The key bar at ``width`` columns with the search field focused (few keys show)."""
    app = make_app(server)
    async with app.run_test(size=(width, 16)) as pilot:
        await wait_for_page(pilot, app, 1)
        await pilot.press("slash")
        await wait_until(pilot, lambda: "Next" not in bottom_line(app))
        return bottom_line(app)


async def test_a_narrow_terminal_leaves_out_the_palette_key(server: DemoServer) -> None:
    narrow = await line_in_search_field(server, 50)
    assert "Search" in narrow and "palette" not in narrow  # it would fit, but is left out
    assert "palette" in await line_in_search_field(server, 60)


async def test_follows_the_screen_on_top(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ContactScreen))
        await wait_until(pilot, lambda: "Back" in bottom_line(app))
        assert "Raw JSON" in bottom_line(app) and "Next" not in bottom_line(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: "Next" in bottom_line(app))


async def test_a_click_on_a_key_presses_it(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        bar = app.screen.query_one(KeyBar)
        column = bottom_line(app).index("Next")
        assert bar.key_at(column) == "n"
        assert bar.key_at(79 - 3) == "ctrl+p"
        await pilot.click(KeyBar, offset=(column, 0))
        await wait_for_page(pilot, app, 2)
        gap = bottom_line(app).index("Quit") + len("Quit ") + 2
        assert bar.key_at(gap) is None


async def test_a_theme_change_redraws_it_in_the_new_colours(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        bar = app.screen.query_one(KeyBar)

        def key_colour() -> object:
            line = bar.render()
            return line.get_style_at_offset(app.console, 1).color

        before = key_colour()
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await wait_until(pilot, lambda: key_colour() != before)
        assert key_colour() == bar.get_component_rich_style("key-bar--key").color


async def test_wide_keys_keep_clicks_and_dimming_in_place(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        bar = app.screen.query_one(KeyBar)
        entries = (Entry("鍵", "開く", True, "a"), Entry("x", "off", False, "b"))
        line = bar._line(80, entries)
        first = " 鍵 開く "  # 6 characters, 9 cells
        assert bar.key_at(8) == "a" and bar.key_at(9) == "b"
        dimmed = [line.get_style_at_offset(app.console, i).dim for i in range(len(line.plain))]
        assert dimmed.index(True) == len(first)
        assert all(dimmed[len(first) : len(first) + len(" x off ")])
