"""The demo server in a child process (``--demo``): it serves on the socket handed to it, and
it ends with its parent however the parent ends."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pytest

from livedesk_tui.demo.credentials import DEMO_API_KEY, DEMO_API_SECRET
from livedesk_tui.demo.launch import DemoProcess


def _gone(pid: int, timeout: float = 10.0) -> bool:
    """Whether process ``pid`` has ended (or is a zombie) within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                state = stat.read().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    return False


def test_the_child_serves_the_demo_account_on_the_address_known_at_once() -> None:
    with DemoProcess() as demo:
        assert demo.port > 0  # known before the child has even started
        connection = demo.connection()
        assert connection.base_url == demo.base_url == f"http://127.0.0.1:{demo.port}"
        assert connection.api_key.reveal() == DEMO_API_KEY
        response = httpx.get(
            demo.base_url + "/api/v2/accounts/contacts",
            params={"page": "2"},
            auth=(DEMO_API_KEY, DEMO_API_SECRET),
            timeout=30,
        )
        assert response.status_code == 200
        body = response.json()
        assert body["meta"] == {"count": 1000, "current_page": "2"}
        assert len(body["payload"]) == 15
        refused = httpx.get(demo.base_url + "/api/v2/accounts/contacts", timeout=30)
        assert refused.status_code == 401
        process = demo._process
        assert process is not None
    assert process.poll() is not None  # stopped on leaving the block


def test_the_child_speaks_the_dialect_asked_for() -> None:
    with DemoProcess(dialect="chatwoot", account_id=3) as demo:
        assert demo.connection().dialect == "chatwoot"
        response = httpx.get(
            demo.base_url + "/api/v1/accounts/3/contacts",
            headers={"api_access_token": DEMO_API_KEY},
            timeout=30,
        )
        assert response.status_code == 200
        assert response.json()["meta"]["count"] == 1000


def test_the_child_ends_when_its_parent_is_killed() -> None:
    parent = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os\n"
            "from livedesk_tui.demo.launch import DemoProcess\n"
            "demo = DemoProcess().start()\n"
            "print(demo._process.pid, flush=True)\n"
            "os._exit(0)  # no clean-up: as if killed\n",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    child = int(parent.stdout.strip())
    assert child != os.getpid()
    assert _gone(child)


def test_stopping_ends_the_child_and_closes_the_port() -> None:
    demo = DemoProcess().start()
    process = demo._process
    assert process is not None
    demo.stop()
    demo.stop()  # a second stop does nothing
    assert process.poll() is not None
    with pytest.raises(httpx.ConnectError):
        httpx.get(demo.base_url + "/api/v2/accounts/contacts", timeout=5)
