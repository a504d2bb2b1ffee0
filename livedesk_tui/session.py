"""What the contact browser starts with and what it leaves behind.

A session knows the profiles the user may switch to and how to connect to each, the filters
remembered from the last run (for the profile it starts on) and the labels typed before. When
the app ends, ``remember`` saves the filters, the profile and the labels it used, never contact
data and never the search text (see ``state``).

``--demo`` keeps its own state file, so trying the demo never overwrites what was remembered for
a real account; its profiles are the demo account in each dialect (``demo.profiles``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import paths
from .api.connection import Connection
from .api.errors import ConfigError
from .api.models import ContactQuery
from .settings import (
    ENV_ACCOUNT_ID,
    ENV_API_KEY,
    ENV_API_SECRET,
    ENV_BASE_URL,
    ENV_DIALECT,
    ENV_PROFILE,
    Settings,
    load_settings,
)
from .state import UiState, load_state, save_state

DEMO_STATE_FILE = "demo-state.json"

_CONNECTION_ENV = (
    ENV_BASE_URL,
    ENV_API_KEY,
    ENV_API_SECRET,
    ENV_DIALECT,
    ENV_ACCOUNT_ID,
    ENV_PROFILE,
)


def state_file(*, demo: bool) -> Path:
    """Where the remembered state lives (the demo's apart from the real accounts')."""
    return paths.state_dir() / DEMO_STATE_FILE if demo else paths.state_path()


def remembered_profile(
    state: UiState, *, profile: str | None, env: Mapping[str, str], profiles: Sequence[str]
) -> str | None:
    """The profile to start on when nobody named one: the last one used, if it still exists.

    ``--profile`` (``profile``) and ``LIVEDESK_PROFILE`` win over what was remembered.
    """
    if profile or env.get(ENV_PROFILE):
        return profile or None
    if state.profile is not None and state.profile in profiles:
        return state.profile
    return None


def remembered_query(state: UiState, profile: str) -> ContactQuery | None:
    """The filters to start with: those of the last run, if it ended on ``profile``."""
    if state.profile is not None and state.profile != profile:
        return None
    query = state.to_query()
    return query if query != ContactQuery() else None


def state_to_keep(
    state: UiState, *, profile: str, query: ContactQuery, labels_used: Iterable[str] = ()
) -> UiState:
    """``state`` updated with where the app ended: the profile, the filters (page 1) and the
    labels used on the way (most recent first)."""
    updated = state.remember_labels(labels_used).with_query(query.filters)
    return replace(updated, profile=profile)


class ConfigProfiles:
    """Connections for the profiles of the config file.

    The profile the app starts on keeps the connection it started with, flags and
    ``LIVEDESK_*`` variables included. Any other profile is read from the config file alone:
    the flags and variables were given for the first one, and applying them to every profile
    would make them all the same account.
    """

    def __init__(self, settings: Settings, *, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        self.initial = settings.connection
        self.config_path = settings.config_path
        names = list(settings.profiles)
        if settings.profile not in names:
            names.insert(0, settings.profile)
        self.names: tuple[str, ...] = tuple(names)
        self._env = {key: value for key, value in env.items() if key not in _CONNECTION_ENV}

    def connect(self, name: str) -> Connection:
        """The connection of profile ``name``; may run its ``api_secret_command``.

        Raises:
            ConfigError: the profile is missing, incomplete or refused (its message says what
                to fix).
        """
        if name == self.initial.profile:
            return self.initial
        try:
            settings = load_settings(config_path=self.config_path, profile=name, env=self._env)
        except ConfigError as exc:
            raise ConfigError(
                f"{exc.message} (A profile switched to is read from the config file alone: "
                "flags and LIVEDESK_* variables apply to the profile started on.)"
            ) from None
        return settings.connection


@dataclass
class Session:
    """Everything the app starts with, and the state to update when it ends."""

    connection: Connection
    profiles: tuple[str, ...]
    connect_profile: Callable[[str], Connection]
    state: UiState
    state_path: Path
    label_suggestions: tuple[str, ...] = ()
    initial_query: ContactQuery | None = None
    close: Callable[[], None] = field(default=lambda: None)
    """Releases what the session started (the demo's other server)."""

    def remember(
        self, *, profile: str, query: ContactQuery, labels_used: Iterable[str] = ()
    ) -> None:
        """Save where the app ended for the next start (never raises)."""
        kept = state_to_keep(self.state, profile=profile, query=query, labels_used=labels_used)
        save_state(kept, self.state_path)


def _suggestions(*groups: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(label for group in groups for label in group if label.strip()))


def config_session(settings: Settings, *, env: Mapping[str, str] | None = None) -> Session:
    """The session of a real account, from its settings and the remembered state."""
    path = state_file(demo=False)
    state = load_state(path)
    profiles = ConfigProfiles(settings, env=env)
    return Session(
        connection=settings.connection,
        profiles=profiles.names,
        connect_profile=profiles.connect,
        state=state,
        state_path=path,
        label_suggestions=_suggestions(settings.label_suggestions, state.recent_labels),
        initial_query=remembered_query(state, settings.profile),
    )


def demo_session(connection: Connection, *, account_id: int = 1) -> Session:
    """The session of ``--demo``: both demo profiles, the demo's labels, its own state."""
    from .demo.catalogue import LABEL_TITLES
    from .demo.profiles import DemoProfiles

    path = state_file(demo=True)
    state = load_state(path)
    profiles = DemoProfiles(connection, account_id=account_id)
    return Session(
        connection=profiles.initial,
        profiles=profiles.names,
        connect_profile=profiles.connect,
        state=state,
        state_path=path,
        label_suggestions=_suggestions(LABEL_TITLES, state.recent_labels),
        initial_query=remembered_query(state, profiles.initial.profile),
        close=profiles.close,
    )
