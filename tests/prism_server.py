"""Stoplight Prism serving Chatwoot's published OpenAPI document on a loopback port.

Prism is a mock server driven by an OpenAPI document: it checks every request against the
document (path, query parameters, the ``api_access_token`` security scheme) and answers from
the document's examples and schemas. Started with ``--errors``, a request that breaks the
document gets an error answer instead: the document's own 400 example (the violation named in
an ``sl-violations`` header), or a 401/404/422 ``application/problem+json`` body of Prism's.
Either way the client's requests are judged by a document nobody in this project wrote.

Prism is a Node.js program, installed by ``make test`` into ``.venv/node`` (never fetched by
the tests: they talk to loopback only). Where it is missing, ``find_prism`` says why, and the
tests skip with that reason.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "tests" / "openapi" / "swagger-4.15.0.json"
PRISM_VERSION = "5.16.0"
"""The version ``make test`` installs (the Makefile's PRISM_VERSION); verdicts are its own."""
LOCAL_PRISM = ROOT / ".venv" / "node" / "node_modules" / ".bin" / "prism"
START_TIMEOUT = 60.0
"""Seconds to wait for Prism to listen: it reads the 470 kB document first (about 1 s here)."""

_RECEIVED = re.compile(r"\[HTTP SERVER\] (\w+) (\S+) .*Request received")


class PrismUnavailable(Exception):
    """Prism cannot be run here; the message says why and how to get it."""


def find_prism() -> list[str]:
    """The command that runs Prism ``PRISM_VERSION``: the local install, else one on PATH.

    Raises ``PrismUnavailable`` (with the reason) when there is none, or another version.
    """
    if shutil.which("node") is None:
        raise PrismUnavailable("Node.js is not installed (Prism is a Node.js program)")
    if LOCAL_PRISM.exists():
        command = [str(LOCAL_PRISM)]
    elif shutil.which("prism") is not None:
        command = ["prism"]
    elif shutil.which("npx") is not None:
        command = ["npx", "--no-install", "prism"]
    else:
        raise PrismUnavailable(
            f"Prism is not installed: {LOCAL_PRISM.relative_to(ROOT)} is missing and npx is not "
            "on PATH (make test installs it when npm is there and online)"
        )
    try:
        done = subprocess.run(
            [*command, "--version"],
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PrismUnavailable(f"{' '.join(command)} --version failed: {exc}") from None
    version = done.stdout.strip()
    if done.returncode != 0:
        raise PrismUnavailable(
            f"Prism is not installed ({' '.join(command)} --version exited {done.returncode}); "
            "make test installs it into .venv/node when npm is there and online"
        )
    if version != PRISM_VERSION:
        raise PrismUnavailable(
            f"{' '.join(command)} is Prism {version[:40]!r}, these tests expect {PRISM_VERSION} "
            "(make test installs it into .venv/node)"
        )
    return command


@dataclass
class PrismServer:
    """One Prism mock server process; ``start()`` returns once it accepts connections."""

    command: list[str]
    log_path: Path
    spec: Path = SPEC
    port: int = 0
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> PrismServer:
        self.port = _free_port()
        # --errors: a request breaking the document gets an error answer, not the example.
        # Examples are static (no --dynamic): every answer is the same, so tests can assert it.
        arguments = ["mock", "-h", "127.0.0.1", "-p", str(self.port), "--errors", str(self.spec)]
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                [*self.command, *arguments],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: npx and node stop together
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"Prism exited ({self._process.returncode}) before listening: {self.log_tail()}"
                )
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"Prism did not listen within {START_TIMEOUT:.0f} s: {self.log_tail()}")

    def stop(self) -> None:
        """Stop Prism's process group (SIGTERM, then SIGKILL after 5 s)."""
        process = self._process
        if process is None or process.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                return
            try:
                process.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def log_tail(self, chars: int = 2000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return "(no log)"

    def received(self) -> list[tuple[str, str]]:
        """Every request Prism has taken in so far, as (method, path) in order of arrival.

        Prism logs a request before answering it, but its log reaches the file a little later:
        a marker request is sent first and waited for, so nothing sent before the call is
        missing. The markers themselves are left out.
        """
        marker = f"/__received__/{uuid.uuid4().hex}"
        httpx.get(self.base_url + marker, timeout=10.0)
        deadline = time.monotonic() + 10.0
        while True:
            lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
            seen = [
                (m.group(1).upper(), m.group(2)) for line in lines if (m := _RECEIVED.search(line))
            ]
            if any(path == marker for _, path in seen):
                return [(method, path) for method, path in seen if "/__received__/" not in path]
            if time.monotonic() > deadline:
                raise RuntimeError(f"Prism's log never showed {marker}: {self.log_tail()}")
            time.sleep(0.05)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
