"""``serve_cli``: what the standalone demo server prints, refuses, and how it stops."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading

import httpx
import pytest
from demo_http import (
    AUTH,
    PATH,
)

from livedesk_tui.demo.faults import parse_fault
from livedesk_tui.demo.serve import banner, serve_cli
from livedesk_tui.demo.server import DemoServer

# --- the command line -----------------------------------------------------------------------


def test_serve_cli_refuses_a_public_host(capsys: pytest.CaptureFixture[str]) -> None:
    code = serve_cli(
        host="0.0.0.0", port=0, contacts=10, latency_ms=0, seed=7, dialect="livedesk",
        account_id=1, faults=[], hostile=False,
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert "loopback" in err and err.count("\n") == 1


def test_serve_cli_refuses_a_bad_fault(capsys: pytest.CaptureFixture[str]) -> None:
    code = serve_cli(
        host="127.0.0.1", port=0, contacts=10, latency_ms=0, seed=7, dialect="livedesk",
        account_id=1, faults=["500", "sometimes"], hostile=False,
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert "'sometimes'" in err and err.count("\n") == 1


def test_serve_cli_reports_a_busy_port(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        code = serve_cli(
            host="127.0.0.1", port=busy.getsockname()[1], contacts=10, latency_ms=0, seed=7,
            dialect="livedesk", account_id=1, faults=[], hostile=False,
        )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert "cannot listen" in err


def test_banner_says_how_to_connect() -> None:
    live = DemoServer(contacts=1000, seed=7, latency_ms=250)
    live.port = 8765
    lines = banner(live, contacts=1000, faults=[parse_fault("500@page=3")])
    assert lines[0] == "LiveDesk demo API on http://127.0.0.1:8765 (1,000 contacts, seed 7)"
    assert lines[1] == (
        "  export LIVEDESK_BASE_URL=http://127.0.0.1:8765 LIVEDESK_API_KEY=demo-key "
        "LIVEDESK_API_SECRET=demo-secret"
    )
    assert "latency 250 ms" in lines[2] and "500@page=3" in lines[2]
    assert lines[-1] == "Press Ctrl+C to stop."
    cw = DemoServer(contacts=5, dialect="chatwoot", account_id=9)
    cw.port = 8766
    lines = banner(cw, contacts=5, faults=[])
    assert "account 9" in lines[0]
    assert "--dialect chatwoot --account-id 9" in "\n".join(lines)
    assert len(lines) == 4


def test_serve_cli_serves_until_ctrl_c() -> None:
    code = (
        "from livedesk_tui.demo.serve import serve_cli\n"
        "raise SystemExit(serve_cli(host='127.0.0.1', port=0, contacts=50, latency_ms=0, seed=7,"
        " dialect='livedesk', account_id=1, faults=['500@page=2'], hostile=False))\n"
    )
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    ) as process:
        watchdog = threading.Timer(60, process.kill)  # a stuck child must not hang the suite
        watchdog.start()
        try:
            assert process.stdout is not None
            first = process.stdout.readline()
            match = re.match(
                r"LiveDesk demo API on (http://127\.0\.0\.1:\d+) \(50 contacts, seed 7\)", first
            )
            assert match, first
            url = match.group(1)
            rest = [process.stdout.readline() for _ in range(3)]
            assert f"LIVEDESK_BASE_URL={url}" in rest[0]
            assert rest[-1].strip() == "Press Ctrl+C to stop."
            with httpx.Client(base_url=url, auth=AUTH) as client:
                assert client.get(PATH).json()["meta"]["count"] == 50
                assert client.get(PATH, params={"page": 2}).status_code == 500
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=30)
            assert out == ""  # nothing more once serving
        finally:
            watchdog.cancel()
            if process.poll() is None:
                process.kill()
    assert process.returncode == 0
    assert "Traceback" not in err and err == ""
