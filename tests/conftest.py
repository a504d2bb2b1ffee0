"""Fixtures every test module shares: a private home for config and state, and the demo server.

No test may read or write the user's own configuration, so every test runs with the XDG
directories pointed at fresh temporary ones and without any ``LIVEDESK_*`` variable from the
environment that started pytest, nor any proxy or certificate variable (a developer's own
company proxy must not decide where the tests' requests go).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from livedesk_tui.demo.dataset import DemoContact, generate_contacts
from livedesk_tui.demo.server import DemoServer

DEMO_CONTACTS = 1000

_XDG_DIRS = {
    "XDG_CONFIG_HOME": "config",
    "XDG_STATE_HOME": "state",
    "XDG_DATA_HOME": "data",
    "XDG_CACHE_HOME": "cache",
}
_NETWORK_VARIABLES = frozenset(
    {"HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR"}
)


@pytest.fixture(autouse=True)
def isolated_environment(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Point the XDG directories at an empty temporary home; drop ``LIVEDESK_*``, proxy and
    certificate variables.

    Returns the temporary home (kept apart from ``tmp_path``, so a test's own files are alone
    there).
    """
    home = tmp_path_factory.mktemp("home")
    for variable, name in _XDG_DIRS.items():
        directory = home / name
        directory.mkdir()
        monkeypatch.setenv(variable, str(directory))
    for variable in list(os.environ):
        if variable.startswith("LIVEDESK_") or variable.upper() in _NETWORK_VARIABLES:
            monkeypatch.delenv(variable)
    return home


@pytest.fixture
def demo_server() -> Iterator[DemoServer]:
    """A running demo server with 1,000 contacts (seed 7), for one test."""
    with DemoServer(contacts=DEMO_CONTACTS) as server:
        yield server


@pytest.fixture(scope="module")
def demo_server_module() -> Iterator[DemoServer]:
    """A running demo server with 1,000 contacts (seed 7), shared by a test module.

    Tests that add faults, change the latency or read the request log should undo what they
    did (``reset()``).
    """
    with DemoServer(contacts=DEMO_CONTACTS) as server:
        yield server


@pytest.fixture(scope="session")
def large_dataset() -> list[DemoContact]:
    """100,000 contacts (seed 7), built once per run (a couple of seconds); do not modify."""
    return generate_contacts(100_000, seed=7)
