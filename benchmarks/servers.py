"""A demo API server in a process of its own (``livedesk-tui demo-server``), as a real server
would be: its work does not compete with the measured client for the interpreter lock.
"""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import time
from pathlib import Path
from types import TracebackType

from .common import PYTHON, ROOT

_URL = re.compile(rb"on (http://127\.0\.0\.1:\d+)")


def cli_argv(*args: str) -> list[str]:
    """``livedesk-tui ARGS`` with the console script next to this Python."""
    script = Path(PYTHON).parent / "livedesk-tui"
    if script.exists():
        return [str(script), *args]
    return [PYTHON, "-m", "livedesk_tui", *args]


class DemoServerProcess:
    """``livedesk-tui demo-server`` on a free loopback port, ended on exit.

    Args:
        contacts: How many contacts it serves.
        latency_ms: Delay before each answer.
    """

    def __init__(self, contacts: int, latency_ms: float = 0.0) -> None:
        self.contacts = contacts
        self.latency_ms = latency_ms
        self.base_url = ""
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> DemoServerProcess:
        argv = cli_argv(
            "demo-server",
            "--port",
            "0",
            "--contacts",
            str(self.contacts),
            "--latency-ms",
            f"{self.latency_ms:g}",
        )
        self._process = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            cwd=ROOT,
        )
        self.base_url = self._read_url(timeout=120)
        return self

    def _read_url(self, timeout: float) -> str:
        assert self._process is not None and self._process.stdout is not None
        out = self._process.stdout
        seen = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([out], [], [], 0.5)
            if ready:
                chunk = os.read(out.fileno(), 4096)
                if not chunk:
                    break
                seen += chunk
                found = _URL.search(seen)
                if found:
                    return found.group(1).decode()
            elif self._process.poll() is not None:
                break
        self.close()
        raise RuntimeError(f"the demo server did not start: {seen[-300:]!r}")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # it stops cleanly on Ctrl+C
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()

    def env(self, base: dict[str, str]) -> dict[str, str]:
        """``base`` plus the variables that point ``livedesk-tui`` at this server."""
        from livedesk_tui.demo.server import DEMO_API_KEY, DEMO_API_SECRET

        return {
            **base,
            "LIVEDESK_BASE_URL": self.base_url,
            "LIVEDESK_API_KEY": DEMO_API_KEY,
            "LIVEDESK_API_SECRET": DEMO_API_SECRET,
        }

    def connection(self):
        from livedesk_tui.api.connection import Connection, Secret
        from livedesk_tui.demo.server import DEMO_API_KEY, DEMO_API_SECRET

        return Connection(
            base_url=self.base_url,
            api_key=Secret(DEMO_API_KEY),
            api_secret=Secret(DEMO_API_SECRET),
            dialect="livedesk",
            account_id=1,
            origin="the benchmark",
            profile="bench",
        )
