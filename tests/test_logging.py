"""The opt-in log: requests and errors are there, from the export and from the TUI; credentials
and personal data are not; and without ``--log-file`` or ``--debug`` nothing is logged at all."""

from __future__ import annotations

import logging
import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.app import App
from textual.pilot import Pilot
from tui_fixtures import wait_for_page, wait_until

from livedesk_tui.cli import main
from livedesk_tui.demo.faults import Fault
from livedesk_tui.demo.server import DEMO_API_KEY, DemoServer
from livedesk_tui.logsetup import Redactor
from livedesk_tui.paths import default_log_path, state_dir
from livedesk_tui.tui.app import LiveDeskApp

SECRET = "log-secret-7c1d"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[DemoServer]:
    with DemoServer(contacts=40, api_secret=SECRET) as running:
        monkeypatch.setenv("LIVEDESK_BASE_URL", running.base_url)
        monkeypatch.setenv("LIVEDESK_API_KEY", DEMO_API_KEY)
        monkeypatch.setenv("LIVEDESK_API_SECRET", SECRET)
        yield running


@pytest.fixture(autouse=True)
def _detach_handlers() -> Iterator[None]:
    logger = logging.getLogger("livedesk_tui")
    before = list(logger.handlers)
    yield
    for handler in logger.handlers[len(before) :]:
        handler.close()
        logger.removeHandler(handler)


def test_log_file_has_requests_and_errors_but_no_secret_or_search_text(
    server: DemoServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "logs" / "livedesk.log"
    # twice: the first page asked for ahead of time takes one and leaves the page to the
    # client, which takes the other and tries again
    server.faults.add(Fault(kind="status", status=500, times=2))
    code = main(
        ["export", "--search", "someone@example.com", "--log-file", str(log), "--page-size", "10"]
    )
    capsys.readouterr()
    assert code == 0
    text = log.read_text(encoding="utf-8")
    assert "GET /api/v2/accounts/contacts" in text
    assert "-> 200" in text and "-> 500" in text
    assert "retry 1 of" in text
    assert SECRET not in text and DEMO_API_KEY + ":" not in text
    assert "someone@example.com" not in text
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_redactor_blanks_credentials_emails_phones_and_known_secrets() -> None:
    redactor = Redactor(secrets=["topsecret-123"])
    line = redactor.scrub(
        "Authorization: Basic abc== api_secret=xyz mail a.b@c.co.jp call +81 90-1234-5678 topsecret-123"
    )
    for leaked in ("Basic", "abc==", "xyz", "a.b@c.co.jp", "90-1234-5678", "topsecret-123"):
        assert leaked not in line


def test_without_a_log_file_nothing_is_logged_anywhere(
    server: DemoServer, isolated_environment: Path
) -> None:
    """A retry is logged as a warning; with no log asked for it goes nowhere: not on stderr
    between the export's output and its result line, and not into a file. (In a process of
    its own: pytest's log capture would hide a record falling through to stderr.)"""
    server.faults.add(Fault(kind="status", status=500, times=1))
    done = subprocess.run(
        [sys.executable, "-m", "livedesk_tui", "export", "--page-size", "10"],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 40
    assert done.stderr == "Exported 40 contacts.\n"
    assert server.faults.fired == 1, "the retry happened, silently"
    assert not default_log_path().exists()


def test_debug_without_a_log_file_writes_the_default_log_privately(
    server: DemoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["export", "--debug", "--search", "a", "--page-size", "10"])
    capsys.readouterr()
    assert code == 0
    path = default_log_path()
    assert path.parent.parent == state_dir(), "under the platform's state (log) directory"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text(encoding="utf-8")
    assert re.search(
        r"GET /api/v2/accounts/contacts \{.*'q': '<redacted>'.*\} -> 200 in \d+ ms", text
    )
    assert SECRET not in text


def test_the_tui_logs_requests_and_failures_to_the_file_and_nothing_to_the_terminal(
    server: DemoServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """``livedesk-tui --log-file FILE`` as a person runs it, with the app driven headless."""
    log = tmp_path / "tui.log"
    typed = "ana@x.io"
    seen: dict[str, object] = {}
    # twice: the first page asked for ahead of time takes one (and leaves the page to the
    # client), the client's first try the other, and it is retried at once
    server.faults.add(Fault(kind="status", status=500, page=1, times=2))

    def run_headless(app: LiveDeskApp) -> None:
        async def drive(pilot: Pilot[None]) -> None:
            await wait_for_page(pilot, app, 1)
            seen["emails"] = [contact.email for contact in app.page.contacts if contact.email]
            handlers = logging.getLogger("livedesk_tui").handlers + logging.getLogger().handlers
            seen["streams"] = [
                handler
                for handler in handlers
                if type(handler) is logging.StreamHandler
                and getattr(handler, "stream", None) in (sys.stderr, sys.stdout)
            ]
            server.faults.add(Fault(kind="status", status=404, times=1))
            await pilot.press("r")
            await wait_until(pilot, lambda: app.error is not None)
            await pilot.press("slash", *typed, "enter")
            await wait_until(pilot, lambda: app.contact_query.search == typed)
            await wait_until(pilot, lambda: app.pending is None)
            await pilot.press("escape", "q")

        App.run(app, headless=True, size=(100, 30), auto_pilot=drive)

    monkeypatch.setattr(LiveDeskApp, "run", run_headless)
    monkeypatch.setattr("livedesk_tui.cli._stdout_is_terminal", lambda: True)  # headless
    code = main(["--log-file", str(log)])
    out, err = capfd.readouterr()
    assert code == 0
    assert out == "" and err == "", "logging never writes to the terminal the TUI draws on"
    assert seen["streams"] == []
    text = log.read_text(encoding="utf-8")
    lines = text.splitlines()
    requests = [line for line in lines if "GET /api/v2/accounts/contacts" in line]
    assert any(re.search(r"-> 500 in \d+ ms$", line) for line in requests)
    assert any(re.search(r"-> 404 in \d+ ms$", line) for line in requests)
    assert any(re.search(r"'page': '2'.* -> 200 in \d+ ms$", line) for line in requests)
    assert any("retry 1 of" in line for line in lines)
    assert any("WARNING livedesk_tui.tui: page 1 failed (not found)" in line for line in lines)
    assert any("'q': '<redacted>'" in line for line in requests)
    assert typed not in text
    assert SECRET not in text
    for email in seen["emails"]:  # type: ignore[attr-defined]
        assert email not in text, "contact data never reaches the log"
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
