"""Copy (y) through OSC 52, byte for byte as the terminal gets it, and the raw JSON view (R)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.notifications import Notify
from textual.pilot import Pilot
from tui_fixtures import fake_tmux, make_app, screen_text, utc, wait_for_page, wait_until

from livedesk_tui.demo.server import DemoServer
from livedesk_tui.tui.app import LiveDeskApp
from livedesk_tui.tui.screens.contact import ContactScreen
from livedesk_tui.tui.screens.copy_menu import CopyScreen
from livedesk_tui.tui.screens.raw_view import RawViewScreen
from livedesk_tui.tui.widgets.contacts_table import ContactsTable

__all__ = ["utc"]

pytestmark = pytest.mark.usefixtures("utc")


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(contacts=60, seed=7) as running:
        yield running


@pytest.fixture(autouse=True)
def plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """An xterm outside tmux, whatever terminal runs the tests."""
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("TMUX", raising=False)
    monkeypatch.delenv("TERM_PROGRAM", raising=False)


class Terminal:
    """What the app wrote to its terminal and the notifications it showed."""

    def __init__(self) -> None:
        self.written: list[str] = []
        self.notices: list[str] = []

    def hook(self, message: Any) -> None:
        if isinstance(message, Notify):
            self.notices.append(message.notification.message)

    def capture(self, app: LiveDeskApp) -> None:
        driver = app._driver  # the headless driver drops what it is given; keep a copy
        assert driver is not None
        inner = driver.write

        def write(data: str) -> None:
            self.written.append(data)
            inner(data)

        driver.write = write  # type: ignore[method-assign]

    @property
    def osc52(self) -> list[str]:
        return [data for data in self.written if "]52;" in data]


def highlighted(app: LiveDeskApp) -> Any:
    return app.query_one("#contacts", ContactsTable).highlighted_contact


async def copy(pilot: Pilot[Any], app: LiveDeskApp, *keys: str) -> None:
    await pilot.press("y")
    await wait_until(pilot, lambda: isinstance(app.screen, CopyScreen))
    await pilot.press(*keys)
    await wait_until(pilot, lambda: not isinstance(app.screen, CopyScreen))


async def test_each_key_of_the_copy_menu_sends_its_value(server: DemoServer) -> None:
    terminal = Terminal()
    app = make_app(server)
    async with app.run_test(size=(80, 24), notifications=True, message_hook=terminal.hook) as pilot:
        await wait_for_page(pilot, app, 1)
        terminal.capture(app)
        await pilot.press("j")
        contact = highlighted(app)
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, CopyScreen))
        menu = screen_text(app)
        for line in ("e  email", "p  phone number", "i  id", "j  contact as JSON"):
            assert line in menu
        assert contact.email in menu
        await pilot.press("e")
        await wait_until(pilot, lambda: not isinstance(app.screen, CopyScreen))
        encoded = base64.b64encode(contact.email.encode()).decode()
        assert terminal.osc52 == [f"\x1b]52;c;{encoded}\x07"]
        assert terminal.notices[-1] == f"Copied email to the clipboard (OSC 52): {contact.email}"
        assert app.clipboard == contact.email

        await copy(pilot, app, "i")
        encoded = base64.b64encode(str(contact.id).encode()).decode()
        assert terminal.osc52[-1] == f"\x1b]52;c;{encoded}\x07"

        await copy(pilot, app, "j")
        sent = base64.b64decode(terminal.osc52[-1][len("\x1b]52;c;") : -1]).decode("utf-8")
        assert sent == contact.raw_json  # the server's own text, byte for byte
        store = server.store
        served = store.page_json(store.select(labels=(), sort=None), 1, app.page.page_size)[1]
        assert sent.encode() == served
        assert terminal.notices[-1].startswith("Copied contact as JSON to the clipboard (OSC 52)")


async def test_enter_copies_the_choice_escape_nothing_and_tmux_gets_it_wrapped(
    server: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = Terminal()
    app = make_app(server)
    async with app.run_test(size=(80, 24), notifications=True, message_hook=terminal.hook) as pilot:
        await wait_for_page(pilot, app, 1)
        terminal.capture(app)
        await copy(pilot, app, "escape")
        assert terminal.osc52 == [] and terminal.notices == []
        await copy(pilot, app, "down", "down", "enter")  # email, phone, id
        contact = highlighted(app)
        assert terminal.osc52 == [
            f"\x1b]52;c;{base64.b64encode(str(contact.id).encode()).decode()}\x07"
        ]
        monkeypatch.setenv("TMUX", "/tmp/tmux-1000/default,1,0")  # read at each copy
        await copy(pilot, app, "e")  # tmux's settings cannot be read (no such server)
        encoded = base64.b64encode(contact.email.encode()).decode()
        await wait_until(pilot, lambda: len(terminal.osc52) == 2)
        assert terminal.osc52[-1] == f"\x1bPtmux;\x1b\x1b]52;c;{encoded}\x07\x1b\\"
        assert "OSC 52 through tmux" in terminal.notices[-1]


async def test_inside_tmux_a_copy_follows_what_tmux_lets_through(
    server: DemoServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """tmux's defaults drop a program's clipboard sequence: the copy says so and how to fix it
    instead of claiming success; once set-clipboard is on, the next copy goes through."""
    for name, value in fake_tmux(tmp_path / "bin", "external", "off").items():
        monkeypatch.setenv(name, value)
    terminal = Terminal()
    app = make_app(server)
    async with app.run_test(size=(80, 24), notifications=True, message_hook=terminal.hook) as pilot:
        await wait_for_page(pilot, app, 1)
        terminal.capture(app)
        email = highlighted(app).email
        await copy(pilot, app, "e")
        await wait_until(pilot, lambda: bool(terminal.notices))
        assert terminal.osc52 == []
        assert terminal.notices[-1].startswith(
            "Could not copy the email: tmux passes no clipboard sequence on (set-clipboard is "
            "external, allow-passthrough off); run tmux set -g set-clipboard on, then copy again."
        )
        assert terminal.notices[-1].endswith(f"The email is: {email}")
        assert app.clipboard == email, "still there to paste inside the app"

        fake_tmux(tmp_path / "bin", "on", "off")  # the user did as told
        await copy(pilot, app, "e")
        await wait_until(pilot, lambda: len(terminal.notices) == 2)
        assert terminal.osc52 == [f"\x1b]52;c;{base64.b64encode(email.encode()).decode()}\x07"]
        assert terminal.notices[-1] == (
            f"Copied email to the clipboard (OSC 52 through tmux): {email}"
        )


async def test_a_missing_value_or_a_refusing_terminal_sends_nothing_and_says_why(
    server: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = Terminal()
    app = make_app(server)
    async with app.run_test(size=(80, 24), notifications=True, message_hook=terminal.hook) as pilot:
        await wait_for_page(pilot, app, 1)
        terminal.capture(app)
        table = app.query_one("#contacts", ContactsTable)
        row = next(i for i, c in enumerate(table.contacts) if not c.phone_number)
        table.move_cursor(row=row)
        await copy(pilot, app, "p")
        assert terminal.notices[-1] == "This contact has no phone number to copy."
        monkeypatch.setenv("TERM_PROGRAM", "Apple_Terminal")
        await copy(pilot, app, "e")
        email = highlighted(app).email
        assert "macOS Terminal does not support OSC 52" in terminal.notices[-1]
        assert terminal.notices[-1].endswith(f"The email is: {email}")
        assert terminal.osc52 == []


async def test_copy_and_raw_view_from_the_full_screen_contact(server: DemoServer) -> None:
    terminal = Terminal()
    app = make_app(server)
    async with app.run_test(size=(80, 24), notifications=True, message_hook=terminal.hook) as pilot:
        await wait_for_page(pilot, app, 1)
        terminal.capture(app)
        await pilot.press("j", "j", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ContactScreen))
        contact = app.screen.contact
        await copy(pilot, app, "e")
        assert isinstance(app.screen, ContactScreen)
        assert terminal.osc52 == [
            f"\x1b]52;c;{base64.b64encode(contact.email.encode()).decode()}\x07"
        ]
        await pilot.press("R")
        await wait_until(pilot, lambda: isinstance(app.screen, RawViewScreen))
        assert app.screen.contact is contact
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ContactScreen))


async def test_raw_view_shows_the_json_as_sent_and_scrolls(server: DemoServer) -> None:
    app = make_app(server)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        contact = highlighted(app)
        await pilot.press("ctrl+p", *"raw")  # from the command palette (R is the key)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, RawViewScreen))
        text = screen_text(app)
        first_key = next(iter(json.loads(contact.raw_json)))
        assert text.splitlines()[1].rstrip() == " {"
        assert f'   "{first_key}": ' in text.splitlines()[2]
        assert "Raw JSON" in text and contact.name in text
        assert '"contact_inboxes"' not in text  # further down, a scroll away
        body = app.screen.query_one("#raw-body")
        await pilot.press("end")
        await wait_until(pilot, lambda: body.scroll_y == body.max_scroll_y > 0)
        text = screen_text(app)
        assert text.splitlines()[-2].rstrip() == " }"
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, RawViewScreen))
        assert app.focused is app.query_one("#contacts")


def test_copy_and_raw_view_are_in_help(server: DemoServer) -> None:
    rows = {(keys, title) for _section, keys, title in make_app(server).help_rows()}
    assert ("y", "Copy email, phone, id or JSON…") in rows
    assert ("R", "Show the contact's raw JSON") in rows
