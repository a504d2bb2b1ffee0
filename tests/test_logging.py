"""The opt-in log: requests and errors are there; credentials and personal data are not."""

from __future__ import annotations

import logging
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from livedesk_tui.cli import main
from livedesk_tui.demo.faults import Fault
from livedesk_tui.demo.server import DEMO_API_KEY, DemoServer
from livedesk_tui.logsetup import Redactor

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
    server.faults.add(Fault(kind="status", status=500, times=1))
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
