"""The profiles ``livedesk-tui --demo`` offers: the demo account in each dialect.

``demo`` speaks LiveDesk and ``demo-chatwoot`` speaks Chatwoot, so both can be tried from one
session by switching profiles (``P``). The server of the dialect asked for on the command line
is already running; the other starts the first time it is switched to, and every server started
here stops with ``close``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

from ..api.connection import Connection, Dialect
from ..api.errors import ConfigError

DEMO_PROFILES: dict[str, Dialect] = {"demo": "livedesk", "demo-chatwoot": "chatwoot"}


def demo_profile_name(dialect: str) -> str:
    """The demo profile speaking ``dialect``."""
    return "demo-chatwoot" if dialect == "chatwoot" else "demo"


class RunningDemo(Protocol):
    def connection(self) -> Connection: ...

    def stop(self) -> None: ...


def _start_process(dialect: Dialect, account_id: int) -> RunningDemo:
    from .launch import DemoProcess

    return DemoProcess(dialect=dialect, account_id=account_id).start()


class DemoProfiles:
    """Connections to the demo servers, one per dialect, started when first asked for.

    Args:
        initial: The connection to the server already running.
        account_id: The account in Chatwoot paths.
        start: Starts a server for a dialect (a child process by default).
    """

    def __init__(
        self,
        initial: Connection,
        *,
        account_id: int = 1,
        start: Callable[[Dialect, int], RunningDemo] = _start_process,
    ) -> None:
        name = demo_profile_name(initial.dialect)
        self.initial = replace(initial, profile=name)
        self.account_id = account_id
        self._start = start
        self._connections: dict[str, Connection] = {name: self.initial}
        self._running: list[RunningDemo] = []
        self._lock = threading.Lock()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(DEMO_PROFILES)

    def connect(self, name: str) -> Connection:
        """The connection of demo profile ``name``, starting its server if needed.

        Raises:
            ConfigError: no such demo profile, or its server could not be started.
        """
        dialect = DEMO_PROFILES.get(name)
        if dialect is None:
            raise ConfigError(
                f"There is no demo profile {name!r}; the demo has {', '.join(DEMO_PROFILES)}."
            )
        with self._lock:
            known = self._connections.get(name)
            if known is not None:
                return known
            try:
                server = self._start(dialect, self.account_id)
            except OSError as exc:
                raise ConfigError(
                    f"Cannot start the {dialect} demo server: {exc.strerror or exc}."
                ) from None
            self._running.append(server)
            connection = replace(server.connection(), profile=name)
            self._connections[name] = connection
            return connection

    def close(self) -> None:
        """Stop the servers started here (not the one passed in)."""
        with self._lock:
            running, self._running = self._running, []
            self._connections = {self.initial.profile: self.initial}
        for server in running:
            server.stop()
