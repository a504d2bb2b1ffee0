"""Signals end ``livedesk-tui --demo`` as ``q`` does: SIGTERM (a service manager, ``kill``) and
SIGHUP (the terminal closed, an SSH link dropped) give the terminal back, save the filters and
leave no demo server running; SIGKILL of the browser still ends the demo server.

Each test runs the real program in a real pseudo-terminal (the TUI needs a terminal).
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.ptyrun import PtyProcess, pty_available, terminal_env

pytestmark = pytest.mark.skipif(not pty_available(), reason="needs a pseudo-terminal")

READY = b"page 1 of 67"
"""What the status line shows once the first page of the demo account is on screen."""

MODES = re.compile(rb"\x1b\[\?(1049|1000|1003|1006|1015|2004)([hl])")
"""The terminal modes the app turns on (alternate screen, mouse reporting, bracketed paste)."""


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def browser(home: Path) -> Iterator[PtyProcess]:
    """``livedesk-tui --demo`` in an 100x30 pty, with the first page on screen."""
    env = terminal_env(home, 100, 30, extra={"HOME": str(home)})
    argv = [sys.executable, "-m", "livedesk_tui", "--demo"]
    with PtyProcess(argv, env, columns=100, lines=30, cwd=Path.cwd()) as process:
        process.wait_for(READY)
        yield process


def children(pid: int) -> list[int]:
    """The processes ``pid`` started that are still its children (the demo server)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text(encoding="ascii")
        found += [int(word) for word in text.split()]
    return found


def gone(pid: int, timeout: float = 10.0) -> bool:
    """Whether process ``pid`` ended (or is a zombie nobody reaped) within ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
        except FileNotFoundError:
            return True
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            return True
        time.sleep(0.05)
    return False


def last_modes(output: bytes) -> dict[bytes, bytes]:
    """Each terminal mode as the output left it: ``h`` (on) or ``l`` (off)."""
    return {mode: state for mode, state in MODES.findall(output)}


def demo_state(home: Path) -> dict[str, object]:
    return json.loads((home / "state" / "livedesk-tui" / "demo-state.json").read_text("utf-8"))


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_signal_ends_the_browser_as_q_does(
    browser: PtyProcess, home: Path, sig: signal.Signals
) -> None:
    demo = children(browser.pid)
    assert len(demo) == 1, "the demo server runs in a child process"
    browser.send(b"d")  # the direction flipped: a filter worth remembering
    browser.wait_idle()
    os.kill(browser.pid, sig)
    assert browser.wait_exit(10), "the browser ends promptly"
    assert os.WIFEXITED(browser.exit_status), "it ended by itself, not killed by the signal"
    assert os.WEXITSTATUS(browser.exit_status) == 128 + sig
    modes = last_modes(bytes(browser.output))
    assert modes[b"1049"] == b"l", "the alternate screen is left"
    assert all(modes[mouse] == b"l" for mouse in (b"1000", b"1003", b"1006", b"1015"))
    assert modes[b"2004"] == b"l", "bracketed paste is off"
    assert demo_state(home)["direction"] == "desc"
    assert gone(demo[0]), "the demo server ended with the browser"


def test_a_terminal_that_hangs_up_ends_the_browser_cleanly(browser: PtyProcess, home: Path) -> None:
    """The terminal itself goes (its window closed, the SSH link dropped): the kernel sends
    SIGHUP and every later write to the terminal fails. The filters are saved all the same."""
    demo = children(browser.pid)
    browser.send(b"d")
    browser.wait_idle()
    os.close(browser.fd)  # the only master side: the pty hangs up
    browser.fd = -1
    assert browser.wait_exit(10), "the browser ends promptly"
    assert os.WIFEXITED(browser.exit_status), "it ended by itself, not killed by the signal"
    assert os.WEXITSTATUS(browser.exit_status) == 128 + signal.SIGHUP
    assert demo_state(home)["direction"] == "desc"
    assert gone(demo[0]), "the demo server ended with the browser"


def test_the_demo_server_ends_when_the_browser_is_killed(browser: PtyProcess) -> None:
    demo = children(browser.pid)
    os.kill(browser.pid, signal.SIGKILL)  # no handler runs: the server sees its input close
    assert browser.wait_exit(10)
    assert gone(demo[0]), "the demo server ended with the browser"
