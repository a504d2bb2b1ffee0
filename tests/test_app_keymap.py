"""Remapped keys ([keys] in the config file): the new key works, and help, footer, palette and
dialogs show it; an unknown binding id is a warning, not a crash. (NO_COLOR is covered in
test_terminal.py and test_snapshots.py; the theme in test_app_screens.py.)"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.binding import Binding
from textual.pilot import Pilot
from tui_fixtures import Notices, make_app, screen_text, utc, wait_for_page, wait_until

from livedesk_tui.demo.server import DemoServer
from livedesk_tui.tui.app import ACTIONS, LiveDeskApp, binding_ids
from livedesk_tui.tui.screens.copy_menu import CopyScreen
from livedesk_tui.tui.screens.help import HelpScreen

__all__ = ["utc"]

pytestmark = pytest.mark.usefixtures("utc")


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(contacts=100, seed=7) as running:
        yield running


async def open_help(pilot: Pilot[Any], app: LiveDeskApp) -> str:
    await pilot.press("question_mark")
    await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
    text = screen_text(app)
    await pilot.press("escape")
    await wait_until(pilot, lambda: not isinstance(app.screen, HelpScreen))
    return text


async def test_next_page_on_the_right_arrow(server: DemoServer) -> None:
    app = make_app(server, keymap={"next_page": "right"})
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        assert "→ Next" in screen_text(app).splitlines()[-1]  # the footer
        await pilot.press("right")
        await wait_for_page(pilot, app, 2)
        await pilot.press("n")  # no longer bound
        await pilot.pause(0.2)
        assert app.contact_query.page == 2
        assert ("→", "Next page") in {(keys, title) for _s, keys, title in app.help_rows()}
        help_text = await open_help(pilot, app)
        listed = re.compile(r"(^|\s)→\s+Next page(\s|$)")
        assert any(listed.search(line) for line in _inside(help_text))
        commands = {c.title: c.help for c in app.get_system_commands(app.screen)}
        assert commands["Next page"] == "key: →"


def _inside(text: str) -> list[str]:
    return [line.split("│")[1] for line in text.splitlines() if line.count("│") >= 2]


async def test_keys_of_the_new_features_can_be_remapped(server: DemoServer) -> None:
    keymap = {"copy": "c", "copy_email": "m", "raw_view": "J", "export": "x"}
    app = make_app(server, keymap=keymap)
    written: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        driver = app._driver
        assert driver is not None
        driver.write = written.append  # type: ignore[method-assign]
        rows = {title: keys for _s, keys, title in app.help_rows()}
        assert rows["Copy email, phone, id or JSON…"] == "c"
        assert rows["Show the contact's raw JSON"] == "J"
        assert rows["Export these contacts…"] == "x"
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, CopyScreen))
        assert "m  email" in screen_text(app)
        await pilot.press("m")
        await wait_until(pilot, lambda: not isinstance(app.screen, CopyScreen))
        email = app.query_one("#contacts").highlighted_contact.email  # type: ignore[attr-defined]
        assert written[-1].endswith(base64.b64encode(email.encode()).decode() + "\x07")


async def test_an_unknown_binding_id_is_a_warning(server: DemoServer) -> None:
    notices = Notices()
    app = make_app(server, keymap={"nxt_page": "right", "copy_json": "J"})
    async with app.run_test(size=(80, 24), notifications=True, message_hook=notices.hook) as pilot:
        await wait_for_page(pilot, app, 1)
        await wait_until(pilot, lambda: bool(notices.seen))
        [(title, text, severity)] = notices.seen
        assert (title, severity) == ("Unknown key binding", "warning")
        assert text.startswith("'nxt_page' under [keys] in the config file is not a key binding")
        assert "(did you mean 'next_page'?)" in text
        assert app.is_running
        await pilot.press("n")
        await wait_for_page(pilot, app, 2)


async def test_a_key_that_is_no_key_and_a_key_bound_twice_are_warnings(
    server: DemoServer,
) -> None:
    notices = Notices()
    app = make_app(server, keymap={"next_page": "ctrl+banana", "reload": "s"})
    async with app.run_test(size=(80, 24), notifications=True, message_hook=notices.hook) as pilot:
        await wait_for_page(pilot, app, 1)
        await wait_until(pilot, lambda: len(notices.seen) >= 2)
        titles = [title for title, _text, _severity in notices.seen]
        assert titles == ["Invalid key", "Key bound twice"]
        texts = " ".join(text for _title, text, _severity in notices.seen)
        assert "'ctrl+banana' for next_page" in texts
        assert "reload" in texts and "sort" in texts
        assert app.is_running


def test_every_binding_id_is_unique_per_screen_and_every_action_is_bindable() -> None:
    ids = binding_ids()
    assert len(ids) == len(set(ids))
    assert {binding_id for binding_id, _a, _t, _s in ACTIONS} <= set(ids)
    assert {"copy_email", "copy_phone", "copy_id", "copy_json", "close_raw"} <= set(ids)


SYMBOLS = {"less_than_sign": "<", "greater_than_sign": ">", "slash": "/", "question_mark": "?"}


def test_the_readme_keys_tables_name_every_binding_with_its_key() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Keys\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    named = {name for row in rows for name in re.findall(r"`(\w+)`", row.split("|")[1])}
    assert named == set(binding_ids())
    app_rows = {row.split("|")[1].strip(" `"): row.split("|")[2] for row in rows}
    for binding in LiveDeskApp.BINDINGS:
        assert isinstance(binding, Binding) and binding.id
        first = binding.key.split(",")[0]
        shown = SYMBOLS.get(first, first)
        assert f"`{shown}`" in app_rows[binding.id], binding.id
