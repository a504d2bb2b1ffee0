"""What the browser starts with and leaves behind: the remembered filters and profile (never
search text, never contact data), per profile, with the demo's kept apart; and the command line
running the app headless from start to quit, twice, to see the state come back."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from tui_fixtures import wait_for_page, wait_until

from livedesk_tui import paths
from livedesk_tui.api.models import ContactQuery
from livedesk_tui.cli import main
from livedesk_tui.demo.server import DEMO_API_KEY, DEMO_API_SECRET, DemoServer
from livedesk_tui.session import (
    remembered_profile,
    remembered_query,
    state_file,
    state_to_keep,
)
from livedesk_tui.settings import load_preferences
from livedesk_tui.state import UiState, load_state
from livedesk_tui.tui.app import LiveDeskApp
from livedesk_tui.tui.screens.profiles import ProfileScreen

LAST = UiState(
    profile="sg",
    labels=("trial",),
    sort="name",
    direction="desc",
    include_inboxes=False,
    recent_labels=("trial", "vip"),
)


def test_filters_come_back_only_on_the_profile_they_were_for() -> None:
    query = remembered_query(LAST, "sg")
    assert query == ContactQuery(
        labels=("trial",), sort="name", direction="desc", include_inboxes=False
    )
    assert remembered_query(LAST, "us") is None
    assert remembered_query(UiState(), "sg") is None  # nothing to restore: the defaults


def test_the_remembered_profile_yields_to_flags_and_environment() -> None:
    names = ("sg", "us")
    assert remembered_profile(LAST, profile=None, env={}, profiles=names) == "sg"
    assert remembered_profile(LAST, profile="us", env={}, profiles=names) == "us"
    env = {"LIVEDESK_PROFILE": "us"}
    assert remembered_profile(LAST, profile=None, env=env, profiles=names) is None
    assert remembered_profile(LAST, profile=None, env={}, profiles=("us",)) is None  # deleted


def test_the_state_kept_has_the_end_and_the_labels_used_but_no_search() -> None:
    end = ContactQuery(labels=("billing",), search="hanako@example.jp", page=4)
    kept = state_to_keep(LAST, profile="us", query=end, labels_used=("billing", "onboarding"))
    assert kept.profile == "us"
    assert kept.labels == ("billing",) and kept.sort is None and kept.direction == "asc"
    assert kept.recent_labels == ("billing", "onboarding", "trial", "vip")
    assert kept.to_query().page == 1


def test_the_demo_keeps_its_own_state_file() -> None:
    assert state_file(demo=False) == paths.state_path()
    assert state_file(demo=True) != paths.state_path()
    assert state_file(demo=True).parent == paths.state_dir()


def test_preferences_read_no_credentials(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        'theme = "nord"\n[keys]\nnext_page = "right"\n'
        '[profiles.a]\napi_secret_command = "false"\n[profiles.b]\n',
        encoding="utf-8",
    )
    os.chmod(path, 0o666)  # others may write it: a secret command would be refused
    preferences = load_preferences(config_path=path, env={})
    assert preferences.theme == "nord"
    assert dict(preferences.keys) == {"next_page": "right"}
    assert preferences.profiles == ("a", "b")
    assert load_preferences(config_path=tmp_path / "absent.toml", env={}).profiles == ()


# --- the command line, headless, start to quit ------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(contacts=150, seed=7) as running:
        yield running


Script = Callable[[Pilot[Any], LiveDeskApp], Awaitable[None]]


def run_app(monkeypatch: pytest.MonkeyPatch, argv: list[str], script: Script) -> int:
    """``main(argv)`` with the app run headless at 80x24 by ``script``, which must quit it.

    A failure inside ``script`` is raised here (``main`` would turn it into exit code 1).
    """
    original = App.run  # not LiveDeskApp.run: an earlier call's replacement may still be there
    failures: list[BaseException] = []

    def headless(self: LiveDeskApp, **_: Any) -> Any:
        async def pilot(driver: Pilot[Any]) -> None:
            try:
                await script(driver, self)
            except BaseException as failure:
                failures.append(failure)
                self.exit()

        return original(self, headless=True, size=(80, 24), auto_pilot=pilot)

    monkeypatch.setattr(LiveDeskApp, "run", headless)
    monkeypatch.setattr("livedesk_tui.cli._stdout_is_terminal", lambda: True)  # headless
    code = main(argv)
    if failures:
        raise failures[0]
    return code


async def pick(pilot: Pilot[Any], app: LiveDeskApp, name: str) -> None:
    """Switch to the profile after the current one (P, down, enter) and wait for it."""
    await pilot.press("P")
    await wait_until(pilot, lambda: isinstance(app.screen, ProfileScreen))
    await wait_until(pilot, lambda: app.screen.focused is not None)
    await pilot.press("down", "enter")
    await wait_until(pilot, lambda: app.connection.profile == name)


def write_config(tmp_path: Path, server: DemoServer) -> Path:
    path = tmp_path / "config.toml"
    profile = (
        f'base_url = "{server.base_url}"\napi_key = "{DEMO_API_KEY}"\n'
        f'api_secret = "{DEMO_API_SECRET}"\n'
    )
    path.write_text(
        f'default_profile = "sg"\ntheme = "nord"\n[keys]\nnext_page = "right"\n'
        f"[profiles.sg]\n{profile}[profiles.us]\n{profile}",
        encoding="utf-8",
    )
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    return path


def test_the_cli_remembers_filters_and_profile_between_runs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, server: DemoServer
) -> None:
    config = write_config(tmp_path, server)
    seen: dict[str, Any] = {}

    async def first(pilot: Pilot[Any], app: LiveDeskApp) -> None:
        await wait_for_page(pilot, app, 1)
        seen["keys"] = app.keys_for("next_page")
        seen["theme"] = app.theme
        table = app.query_one("#contacts")
        await pilot.press("l", *"trial", "enter")
        await wait_until(pilot, lambda: app.contact_query.labels == ("trial",))
        await wait_until(pilot, lambda: app.focused is table)
        await pilot.press("d")
        await wait_until(pilot, lambda: app.contact_query.direction == "desc")
        await pilot.press("slash", *"q7", "enter")
        await wait_until(pilot, lambda: app.contact_query.search == "q7")
        await wait_until(pilot, lambda: app.focused is table)
        await pick(pilot, app, "us")
        await wait_for_page(pilot, app, 1)
        await pilot.press("q")

    assert run_app(monkeypatch, ["--config", str(config)], first) == 0
    assert seen["keys"] == "→"  # [keys] and the theme from the config file
    assert seen["theme"] == "nord"
    text = paths.state_path().read_text(encoding="utf-8")
    assert "q7" not in text  # the search is never written
    state = load_state()
    assert state.profile == "us"
    assert (state.labels, state.direction) == (("trial",), "desc")
    assert state.recent_labels[0] == "trial"

    async def second(pilot: Pilot[Any], app: LiveDeskApp) -> None:
        await wait_for_page(pilot, app, 1)
        seen["profile"] = app.connection.profile
        seen["query"] = app.contact_query
        seen["suggested"] = app.query_one("#sidebar").suggester.labels  # type: ignore[attr-defined]
        await pilot.press("q")

    assert run_app(monkeypatch, ["--config", str(config)], second) == 0
    assert seen["profile"] == "us"  # the profile used last, not default_profile
    assert seen["query"] == ContactQuery(labels=("trial",), direction="desc")
    assert "trial" in seen["suggested"]


def test_a_remembered_profile_that_fails_falls_back_with_a_warning(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    server: DemoServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = write_config(tmp_path, server)
    config.write_text(config.read_text() + "[profiles.broken]\n", encoding="utf-8")
    paths.write_private(
        paths.state_path(), json.dumps({"version": 1, "profile": "broken"}).encode()
    )
    seen: dict[str, str] = {}

    async def script(pilot: Pilot[Any], app: LiveDeskApp) -> None:
        await wait_for_page(pilot, app, 1)
        seen["profile"] = app.connection.profile
        await pilot.press("q")

    assert run_app(monkeypatch, ["--config", str(config)], script) == 0
    assert seen["profile"] == "sg"
    err = capsys.readouterr().err
    assert "the profile used last ('broken') cannot be used" in err
    assert "No API key and API secret" in err


def test_demo_switches_to_the_chatwoot_demo_and_keeps_its_own_state(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('theme = "nord"\n[keys]\nhelp = "f1"\n', encoding="utf-8")
    seen: dict[str, Any] = {}

    async def script(pilot: Pilot[Any], app: LiveDeskApp) -> None:
        await wait_for_page(pilot, app, 1)
        seen["first"] = app.connection.profile
        seen["looks"] = (app.theme, app.keys_for("help"))
        await pick(pilot, app, "demo-chatwoot")
        await wait_for_page(pilot, app, 1)
        seen["dialect"] = app.connection.dialect
        seen["status"] = app.status_text()
        await pilot.press("q")

    assert run_app(monkeypatch, ["--demo", "--config", str(config)], script) == 0
    assert seen["first"] == "demo" and seen["dialect"] == "chatwoot"
    assert seen["looks"] == ("nord", "f1")  # the config's theme and keys, no account needed
    assert seen["status"].startswith("page 1 of 67 · 1,000 contacts")
    assert seen["status"].endswith("· demo-chatwoot")
    assert load_state(state_file(demo=True)).profile == "demo-chatwoot"
    assert not paths.state_path().exists()  # the real accounts' state is untouched
