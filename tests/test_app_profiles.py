"""Switching profiles in the app (P, or the command palette) between two demo servers, one per
dialect: the old client closed, its pages forgotten, the filters kept, a profile that cannot be
used reported while the current one stays; and the connections behind the switch (the config
file's profiles, the demo's two)."""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from tui_fixtures import (
    ClosingWatch,
    Notices,
    expected_ids,
    make_app,
    shown_ids,
    utc,
    wait_for_page,
    wait_until,
)

from livedesk_tui.api.client import ContactsClient
from livedesk_tui.api.connection import Connection, Dialect
from livedesk_tui.api.errors import ConfigError
from livedesk_tui.api.models import ContactQuery
from livedesk_tui.demo.profiles import DemoProfiles
from livedesk_tui.demo.server import DemoServer
from livedesk_tui.session import ConfigProfiles
from livedesk_tui.settings import load_settings
from livedesk_tui.tui.app import LiveDeskApp
from livedesk_tui.tui.screens.profiles import ProfileScreen

__all__ = ["utc"]

pytestmark = pytest.mark.usefixtures("utc")

FILTERS = ContactQuery(labels=("trial", "billing"), sort="name")
BROKEN_MESSAGE = (
    "No API key for the LiveDesk profile 'broken': put api_key under [profiles.broken]."
)


@pytest.fixture(scope="module")
def livedesk() -> Iterator[DemoServer]:
    with DemoServer(contacts=200, seed=7) as running:
        yield running


@pytest.fixture(scope="module")
def chatwoot() -> Iterator[DemoServer]:
    with DemoServer(contacts=120, seed=11, dialect="chatwoot", account_id=3) as running:
        yield running


def connector(livedesk: DemoServer, chatwoot: DemoServer) -> Any:
    connections = {
        "sg": replace(livedesk.connection(), profile="sg"),
        "selfhosted": replace(chatwoot.connection(), profile="selfhosted"),
    }

    def connect(name: str) -> Connection:
        if name == "broken":
            raise ConfigError(BROKEN_MESSAGE)
        return connections[name]

    return connect, connections


async def pick(pilot: Any, app: LiveDeskApp, name: str) -> None:
    await pilot.press("P")
    await wait_until(pilot, lambda: isinstance(app.screen, ProfileScreen))
    await wait_until(pilot, lambda: app.screen.focused is not None)
    screen = app.screen
    assert isinstance(screen, ProfileScreen)
    steps = screen.profiles.index(name) - screen.profiles.index(app.connection.profile)
    await pilot.press(*(["down"] * steps if steps > 0 else ["up"] * -steps), "enter")
    await wait_until(pilot, lambda: not isinstance(app.screen, ProfileScreen))


async def test_switching_profiles_keeps_the_filters_and_forgets_the_old_account(
    livedesk: DemoServer, chatwoot: DemoServer
) -> None:
    connect, connections = connector(livedesk, chatwoot)
    first = ClosingWatch(ContactsClient(connections["sg"]))
    notices = Notices()

    app = LiveDeskApp(
        connections["sg"],
        client=first,
        initial_query=FILTERS,
        profiles=("sg", "selfhosted", "broken"),
        connect_profile=connect,
    )
    async with app.run_test(size=(80, 24), notifications=True, message_hook=notices.hook) as pilot:
        await wait_for_page(pilot, app, 1)
        await pilot.press("n")
        await wait_for_page(pilot, app, 2)
        assert app.status_text().endswith(f"127.0.0.1:{livedesk.port} · sg")
        chatwoot.reset_log()

        await pick(pilot, app, "selfhosted")
        await wait_until(pilot, lambda: app.connection.profile == "selfhosted")
        await wait_for_page(pilot, app, 1)
        assert first.closed
        assert app.contact_query == FILTERS  # the same filters, from page 1
        assert shown_ids(app) == expected_ids(chatwoot, FILTERS.with_page_size(15))
        assert app.status_text().endswith(f"127.0.0.1:{chatwoot.port} · selfhosted")
        assert app.status_text().startswith("page 1 of ")
        assert "Switched to profile selfhosted." in notices.messages
        assert all(record.path.startswith("/api/v1/accounts/3/") for record in chatwoot.requests)

        shown = shown_ids(app)
        await pick(pilot, app, "broken")
        await wait_until(
            pilot, lambda: any(BROKEN_MESSAGE in notice for notice in notices.messages)
        )
        assert notices.messages[-1] == BROKEN_MESSAGE + "\nStill on profile selfhosted."
        assert app.connection.profile == "selfhosted"
        assert shown_ids(app) == shown and app.is_running


async def test_the_old_accounts_pages_are_not_shown_after_a_switch(
    livedesk: DemoServer, chatwoot: DemoServer
) -> None:
    connect, connections = connector(livedesk, chatwoot)
    app = make_app(
        livedesk,
        connection=connections["sg"],
        profiles=("sg", "selfhosted"),
        connect_profile=connect,
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_page(pilot, app, 1)
        await pilot.press("n")
        await wait_for_page(pilot, app, 2)
        await pick(pilot, app, "selfhosted")
        await wait_until(pilot, lambda: app.connection.profile == "selfhosted")
        await wait_for_page(pilot, app, 1)
        await pilot.press("n")  # page 2 again: asked of the new account, not the old cache
        await wait_for_page(pilot, app, 2)
        assert shown_ids(app) == expected_ids(chatwoot, ContactQuery(page=2, page_size=15))
        await pick(pilot, app, "sg")
        await wait_until(pilot, lambda: app.connection.profile == "sg")
        await wait_for_page(pilot, app, 1)
        assert shown_ids(app) == expected_ids(livedesk, ContactQuery())


async def test_one_profile_says_so_and_escape_stays(
    livedesk: DemoServer, chatwoot: DemoServer
) -> None:
    notices = Notices()

    connect, connections = connector(livedesk, chatwoot)
    app = make_app(
        livedesk, connection=connections["sg"], profiles=("sg",), connect_profile=connect
    )
    async with app.run_test(size=(80, 24), notifications=True, message_hook=notices.hook) as pilot:
        await wait_for_page(pilot, app, 1)
        await pilot.press("P")
        await wait_until(pilot, lambda: bool(notices.messages))
        assert notices.messages[-1].startswith("There is no other profile to switch to.")
        assert not isinstance(app.screen, ProfileScreen)
        app.profiles = ("sg", "selfhosted")
        await pilot.press("P")
        await wait_until(pilot, lambda: isinstance(app.screen, ProfileScreen))
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ProfileScreen))
        assert app.connection.profile == "sg"
        assert "Switch profile…" in {c.title for c in app.get_system_commands(app.screen)}
        assert ("P", "Switch profile…") in {(k, t) for _s, k, t in app.help_rows()}


# --- the connections behind the switch ------------------------------------------------------

CONFIG = """\
default_profile = "sg"

[profiles.sg]
base_url = "https://sg.example.com"
api_key = "sg-key"
api_secret = "sg-secret"

[profiles.selfhosted]
base_url = "https://chat.example.com"
dialect = "chatwoot"
account_id = 3
api_key = "token"

[profiles.empty]
base_url = "https://empty.example.com"
"""


def write_config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    return path


def test_config_profiles_read_other_profiles_from_the_file_alone(tmp_path: Path) -> None:
    path = write_config(tmp_path)
    env = {"LIVEDESK_BASE_URL": "https://override.example.com", "LIVEDESK_API_KEY": "env-key"}
    settings = load_settings(config_path=path, env=env)
    profiles = ConfigProfiles(settings, env=env)
    assert profiles.names == ("sg", "selfhosted", "empty")
    assert profiles.connect("sg") is settings.connection  # as started: overrides kept
    assert settings.connection.base_url == "https://override.example.com"
    other = profiles.connect("selfhosted")
    assert (other.base_url, other.dialect, other.account_id) == (
        "https://chat.example.com",
        "chatwoot",
        3,
    )
    assert other.api_key.reveal() == "token"  # the file's, not LIVEDESK_API_KEY
    with pytest.raises(
        ConfigError, match="No API key and API secret for the LiveDesk profile"
    ) as e:
        profiles.connect("empty")
    assert "read from the config file alone" in e.value.message
    with pytest.raises(ConfigError, match="There is no profile 'gone'"):
        profiles.connect("gone")


def test_a_profile_only_in_the_environment_is_listed_first(tmp_path: Path) -> None:
    env = {"LIVEDESK_API_KEY": "k", "LIVEDESK_API_SECRET": "s"}
    settings = load_settings(config_path=tmp_path / "absent.toml", env=env)
    assert ConfigProfiles(settings, env=env).names == ("default",)


def test_demo_profiles_start_the_other_dialect_once_and_stop_it(
    livedesk: DemoServer,
) -> None:
    started: list[DemoServer] = []

    def start(dialect: Dialect, account_id: int) -> DemoServer:
        server = DemoServer(contacts=20, dialect=dialect, account_id=account_id).start()
        started.append(server)
        return server

    profiles = DemoProfiles(livedesk.connection(), account_id=4, start=start)
    assert profiles.names == ("demo", "demo-chatwoot")
    assert profiles.connect("demo") == replace(livedesk.connection(), profile="demo")
    other = profiles.connect("demo-chatwoot")
    assert profiles.connect("demo-chatwoot") is other
    assert len(started) == 1
    assert (other.dialect, other.account_id, other.profile) == ("chatwoot", 4, "demo-chatwoot")
    with pytest.raises(ConfigError, match="no demo profile 'prod'"):
        profiles.connect("prod")
    profiles.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", started[0].port), timeout=2).close()
