"""Run a program in a real pseudo-terminal of a fixed size, as a person's terminal would.

The program gets the pty as its controlling terminal and as stdin, stdout and stderr; the
window size is set before it starts. Everything it writes is read (so it never blocks on a full
pty) and kept, so a benchmark can wait for a text to appear, count the bytes of one repaint, or
read the process's memory from ``/proc``.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import struct
import tempfile
import termios
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

COLUMNS = 80
LINES = 24


def terminal_env(
    home: Path, columns: int = COLUMNS, lines: int = LINES, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """A clean environment for a TUI: an xterm of the given size and empty XDG folders, so no
    user configuration and no ``LIVEDESK_*`` or ``TEXTUAL_*`` setting changes what is run."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("LIVEDESK_", "TEXTUAL", "XDG_"))
        and key not in {"COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR"}
    }
    for name in ("config", "state", "data", "cache"):
        folder = home / name
        folder.mkdir(parents=True, exist_ok=True)
        env[f"XDG_{name.upper()}_HOME"] = str(folder)
    env.update(
        TERM="xterm-256color",
        COLORTERM="truecolor",
        COLUMNS=str(columns),
        LINES=str(lines),
    )
    if extra:
        env.update(extra)
    return env


class PtyTimeout(RuntimeError):
    """The awaited text did not appear in time."""


class PtyProcess:
    """One program running in a pty; use as a context manager (it is ended on exit).

    Args:
        argv: The program and its arguments (``argv[0]`` is a path).
        env: Its environment (see ``terminal_env``).
        columns: Terminal width.
        lines: Terminal height.
        cwd: Its working directory.
    """

    def __init__(
        self,
        argv: Sequence[str],
        env: Mapping[str, str],
        *,
        columns: int = COLUMNS,
        lines: int = LINES,
        cwd: Path | None = None,
    ) -> None:
        self.argv = list(argv)
        self.env = dict(env)
        self.columns = columns
        self.lines = lines
        self.cwd = cwd
        self.pid = 0
        self.fd = -1
        self.output = bytearray()
        self.started = 0.0
        """``time.perf_counter()`` just before the process was forked."""
        self.exit_status: int | None = None

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> PtyProcess:
        size = struct.pack("HHHH", self.lines, self.columns, 0, 0)
        argv = self.argv
        env = self.env
        cwd = str(self.cwd) if self.cwd else None
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # the child: only system calls between fork and exec
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, size)
                if cwd:
                    os.chdir(cwd)
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        return self

    def __enter__(self) -> PtyProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self, quit_keys: bytes = b"", grace: float = 3.0) -> None:
        """End the program: send ``quit_keys`` and wait ``grace`` seconds, then SIGTERM, then
        SIGKILL. Safe to call twice."""
        if self.pid and self.exit_status is None:
            if quit_keys:
                with contextlib.suppress(OSError):
                    self.send(quit_keys)
            if not self.wait_exit(grace if quit_keys else 0.0):
                for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(self.pid, sig)
                    if self.wait_exit(wait):
                        break
        if self.fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = -1

    def wait_exit(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the program to end (reading its output)."""
        deadline = time.monotonic() + timeout
        while True:
            self._drain(0.0)
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                self.exit_status = -1
                return True
            if pid:
                self.exit_status = status
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)

    # --- talking to it ------------------------------------------------------------------------

    def send(self, keys: bytes) -> float:
        """Type ``keys``; returns ``time.perf_counter()`` right after they were written."""
        os.write(self.fd, keys)
        return time.perf_counter()

    def _drain(self, timeout: float) -> int:
        """Read what is there (waiting up to ``timeout`` for the first byte); bytes read."""
        if self.fd < 0:
            return 0
        got = 0
        wait = timeout
        while True:
            ready, _, _ = select.select([self.fd], [], [], wait)
            if not ready:
                return got
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:  # EIO: the program ended and the pty closed
                return got
            if not chunk:
                return got
            self.output += chunk
            got += len(chunk)
            wait = 0.0

    def wait_for(self, text: bytes, timeout: float = 30.0, start: int = 0) -> float:
        """Read until ``text`` appears in the output after offset ``start``; returns the
        ``time.perf_counter()`` at which the read that completed it returned.

        Raises:
            PtyTimeout: it did not appear within ``timeout`` seconds.
        """
        deadline = time.perf_counter() + timeout
        searched = start
        while True:
            found = self.output.find(text, searched)
            if found >= 0:
                return time.perf_counter()
            searched = max(start, len(self.output) - len(text) + 1)
            left = deadline - time.perf_counter()
            if left <= 0:
                tail = bytes(self.output[-300:])
                raise PtyTimeout(f"{text!r} did not appear in {timeout:g} s; last output {tail!r}")
            if self._drain(min(left, 0.05)) == 0 and not self.alive():
                raise PtyTimeout(f"the program ended before {text!r} appeared")

    def wait_idle(self, quiet: float = 0.3, timeout: float = 10.0) -> int:
        """Read until nothing has been written for ``quiet`` seconds; returns the bytes read.

        Raises:
            PtyTimeout: the program never fell silent within ``timeout`` seconds.
        """
        deadline = time.perf_counter() + timeout
        total = 0
        while True:
            got = self._drain(quiet)
            total += got
            if got == 0:
                return total
            if time.perf_counter() > deadline:
                raise PtyTimeout(f"still writing after {timeout:g} s")

    def alive(self) -> bool:
        if self.exit_status is not None:
            return False
        try:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            return False
        if pid:
            self.exit_status = status
            return False
        return True

    # --- its memory ---------------------------------------------------------------------------

    def memory(self) -> dict[str, int]:
        """``VmRSS``, ``VmHWM`` and friends from ``/proc/<pid>/status``, in kilobytes."""
        return read_status(self.pid)


def read_status(pid: int) -> dict[str, int]:
    values: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name.startswith("Vm") or name.startswith("Rss"):
            parts = rest.split()
            if parts and parts[0].isdigit():
                values[name] = int(parts[0])
    return values


def pty_available() -> bool:
    """Whether this machine can open a pseudo-terminal."""
    try:
        master, slave = os.openpty()
    except OSError:
        return False
    os.close(master)
    os.close(slave)
    return True


def scratch_home() -> tempfile.TemporaryDirectory[str]:
    """A temporary home for the XDG folders of one benchmark."""
    return tempfile.TemporaryDirectory(prefix="livedesk-bench-")
