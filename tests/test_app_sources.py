"""The app opens every contacts source through the factory it is given: page loads, exports
and profile switches alike, so a test (or another front end) hands in its own once."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from tui_fixtures import FIXED_NOW, Notices, wait_for_page, wait_until

from livedesk_tui.api.client import ContactsClient
from livedesk_tui.api.connection import Connection
from livedesk_tui.api.source import ContactsSource
from livedesk_tui.demo.server import DemoServer
from livedesk_tui.tui.app import LiveDeskApp


async def test_page_loads_exports_and_profile_switches_use_the_factory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    opened: list[Connection] = []

    def factory(connection: Connection) -> ContactsSource:
        opened.append(connection)
        return ContactsClient(connection, timeout=5.0)

    notices = Notices()
    with DemoServer(contacts=30) as first, DemoServer(contacts=20, seed=9) as second:
        app = LiveDeskApp(first.connection(), open_source=factory, clock=lambda: FIXED_NOW)
        async with app.run_test(
            size=(80, 24), notifications=True, message_hook=notices.hook
        ) as pilot:
            await wait_for_page(pilot, app, 1)
            assert opened == [first.connection()]
            await pilot.press("e")
            await wait_until(pilot, lambda: app.screen.focused is not None)
            await pilot.press("ctrl+u", *"out.jsonl", "enter")
            await wait_until(pilot, lambda: bool(notices.titled("Export done")))
            assert opened[1:] == [first.connection()], "the export opened its own, the same way"
            other = replace(second.connection(), profile="other")
            await app.use_connection(other)
            await wait_until(pilot, lambda: app.page is not None and app.connection == other)
            assert opened[2:] == [other]
        assert (tmp_path / "out.jsonl").read_text(encoding="utf-8").count("\n") == 30
