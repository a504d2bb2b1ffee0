"""The export command as a process: a reader that stops reading, and SIGTERM, SIGHUP or SIGINT
while pages are still coming (against a slow demo server in this process).

Each test starts ``python -m livedesk_tui`` (about half a second to import) because pipes and
signals are the process's own business; nothing else here takes long.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from livedesk_tui.demo.server import DEMO_API_KEY, DEMO_API_SECRET, DemoServer
from livedesk_tui.export_file import files_being_written

CONTACTS = 400
PAGE_SIZE = 20


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(contacts=CONTACTS, seed=11) as running:
        yield running


@pytest.fixture(autouse=True)
def _clean(server: DemoServer) -> None:
    server.reset()


def child_env(server: DemoServer) -> dict[str, str]:
    return {
        **os.environ,
        "LIVEDESK_BASE_URL": server.base_url,
        "LIVEDESK_API_KEY": DEMO_API_KEY,
        "LIVEDESK_API_SECRET": DEMO_API_SECRET,
    }


def export_process(server: DemoServer, *argv: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "livedesk_tui", "export", "--page-size", str(PAGE_SIZE), *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=child_env(server),
    )


def wait_for(condition: object, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.02)


def children_of(pid: int) -> list[str]:
    """The processes ``pid`` started and still has (Linux's /proc)."""
    tasks = Path(f"/proc/{pid}/task")
    if not tasks.is_dir():
        pytest.skip("no /proc to list child processes")
    found: list[str] = []
    for task in tasks.iterdir():
        children = task / "children"
        if children.exists():
            found += children.read_text().split()
    return found


def test_a_reader_that_stops_early_ends_the_export_quietly(server: DemoServer) -> None:
    with export_process(server, "--concurrency", "2") as process:
        watchdog = threading.Timer(60, process.kill)
        watchdog.start()
        try:
            assert process.stdout is not None and process.stderr is not None
            first = process.stdout.readline()  # what `| head -1` does
            process.stdout.close()
            err = process.stderr.read().decode()
            process.wait()
        finally:
            watchdog.cancel()
    assert json.loads(first)["id"] == server.contacts[0].raw["id"]
    assert err == "", "no 'unexpected', no traceback, no 'Exception ignored'"
    assert process.returncode == 128 + signal.SIGPIPE


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_keeps_what_was_written_and_says_where(
    signum: signal.Signals, server: DemoServer, tmp_path: Path
) -> None:
    server.latency_ms = 100
    target = tmp_path / "contacts.jsonl"
    partial = tmp_path / "contacts.jsonl.partial"
    with export_process(server, "--concurrency", "1", "-o", str(target)) as process:
        watchdog = threading.Timer(60, process.kill)
        watchdog.start()
        try:
            wait_for(lambda: any(r.page == 3 for r in server.requests), "page 3 to be asked for")
            assert children_of(process.pid) == [], "the export starts no other process"
            process.send_signal(signum)
            out, err_bytes = process.communicate(timeout=30)
        finally:
            watchdog.cancel()
    err = err_bytes.decode()
    assert process.returncode == 128 + signum, err
    assert out == b""
    assert err.count("\n") == 1, err
    assert err.startswith("Interrupted") and str(partial) in err
    assert "Traceback" not in err
    assert not target.exists()
    lines = partial.read_text(encoding="utf-8").splitlines()
    ids = [json.loads(line)["id"] for line in lines]  # every line whole: flushed, not cut
    expected = [contact.raw["id"] for contact in server.contacts]
    assert len(ids) >= 2 * PAGE_SIZE and len(ids) % PAGE_SIZE == 0
    assert ids == expected[: len(ids)]
    assert f"{len(ids)} contacts" in err


def test_a_signal_during_a_demo_export_leaves_no_process(tmp_path: Path) -> None:
    target = tmp_path / "demo.jsonl"
    with subprocess.Popen(
        [sys.executable, "-m", "livedesk_tui", "--demo", "export", "--page-size", "1", "-o",
         str(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    ) as process:  # fmt: skip
        watchdog = threading.Timer(60, process.kill)
        watchdog.start()
        try:
            wait_for(
                lambda: bool(files_being_written(tmp_path / "demo.jsonl")), "the export's file"
            )
            assert children_of(process.pid) == [], "the demo server runs in the export's process"
            process.send_signal(signal.SIGTERM)
            _, err_bytes = process.communicate(timeout=30)
        finally:
            watchdog.cancel()
    err = err_bytes.decode()
    assert process.returncode == 128 + signal.SIGTERM, err
    assert err.startswith("Interrupted") and err.count("\n") == 1, err


def test_a_signal_while_the_event_loop_is_built_is_raised_once_the_export_runs() -> None:
    """Raised inside ``asyncio.run`` before the export's task exists, the signal would leave a
    half-built event loop behind (an 'Exception ignored' traceback on stderr); it is noted and
    raised as ``Interrupted`` when the export starts instead."""
    import asyncio
    import signal

    from livedesk_tui.export_command import Interrupted, _Signals

    stopper = _Signals()
    stopper.in_loop = True
    stopper._handle(signal.SIGTERM, None)  # no raise: the loop is being built
    assert stopper.caught == signal.SIGTERM

    async def run() -> None:
        stopper.attach()

    with pytest.raises(Interrupted) as caught:
        asyncio.run(run())
    assert caught.value.exit_code == 128 + signal.SIGTERM
