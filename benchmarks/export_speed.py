"""Export figures: wall time against the network's limit, and peak memory as the export grows.

The demo server runs in a process of its own with 50 ms of latency per answer. The export's
floor is what the network allows: ``pages x latency / concurrency``. Its output must be
byte-identical to a sequential export (concurrency 1): the SHA-256 of both is compared.
Peak memory is that of a ``livedesk-tui export`` process writing to a file: its own ``VmHWM``
as it ends.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import subprocess
import time
from pathlib import Path

from .common import PYTHON, ROOT, Figure, ensure_compiled, median
from .ptyrun import scratch_home, terminal_env
from .servers import DemoServerProcess

PAGE_SIZE = 100
LATENCY_MS = 50.0
CONCURRENCY = 4
"""What ``livedesk-tui export`` uses unless told otherwise."""


async def _export(server: DemoServerProcess, path: Path, concurrency: int) -> int:
    from livedesk_tui.api.client import ContactsClient
    from livedesk_tui.api.export import export_contacts
    from livedesk_tui.api.models import ContactQuery

    query = ContactQuery(page_size=PAGE_SIZE)
    with path.open("w", encoding="utf-8", newline="") as out:
        async with ContactsClient(server.connection()) as client:
            result = await export_contacts(client, query, out, concurrency=concurrency)
    return result.written


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def export_time(quick: bool = False) -> Figure:
    """Figure 6: wall time of an export of 20,000 contacts vs pages x latency / concurrency."""
    contacts = 600 if quick else 20_000
    pages = math.ceil(contacts / PAGE_SIZE)
    floor_ms = pages * LATENCY_MS / CONCURRENCY
    with scratch_home() as tmp, DemoServerProcess(contacts, LATENCY_MS) as server:
        home = Path(tmp)
        asyncio.run(_export(server, home / "warm.jsonl", CONCURRENCY))  # connections, caches
        runs = []
        for index in range(1 if quick else 3):
            started = time.perf_counter()
            written = asyncio.run(_export(server, home / f"fast{index}.jsonl", CONCURRENCY))
            runs.append((time.perf_counter() - started) * 1000)
        sequential_started = time.perf_counter()
        asyncio.run(_export(server, home / "sequential.jsonl", 1))
        sequential_ms = (time.perf_counter() - sequential_started) * 1000
        fast_hash = _sha256(home / "fast0.jsonl")
        identical = fast_hash == _sha256(home / "sequential.jsonl") and all(
            _sha256(home / f"fast{index}.jsonl") == fast_hash for index in range(len(runs))
        )
    value = median(runs)
    ratio = value / floor_ms
    return Figure(
        key="export",
        title=f"export {contacts:,} contacts, {PAGE_SIZE}/page, {LATENCY_MS:g} ms server",
        value=value,
        unit="ms",
        floor=floor_ms,
        floor_title=f"{pages} pages x {LATENCY_MS:g} ms / {CONCURRENCY}",
        goal="ratio <= 1.25, same bytes as sequential",
        met=ratio <= 1.25 and identical and written == contacts,
        ratio=ratio,
        notes=[
            f"runs {', '.join(f'{run:.0f}' for run in runs)} ms",
            f"sequential {sequential_ms:.0f} ms",
            f"output identical to sequential: {'yes' if identical else 'NO'} "
            f"(sha256 {fast_hash[:12]}…)",
            f"{written:,} contacts written",
        ],
    )


# --- memory -----------------------------------------------------------------------------------


# ``livedesk-tui export``, then the process's own high-water mark of resident memory. (The
# kernel's ``ru_maxrss`` of a child cannot be used: it starts from the size of the parent that
# forked it, which here is the larger of the two.)
_REPORT_PEAK = r"""
import sys
from livedesk_tui.cli import main
code = main(sys.argv[2:])
with open("/proc/self/status") as status, open(sys.argv[1], "w") as report:
    report.write(next(line for line in status if line.startswith("VmHWM:")).split()[1])
sys.exit(code)
"""


def export_peak_kb(server: DemoServerProcess, home: Path, out: Path) -> tuple[int, float]:
    """Peak resident memory (KB) and wall time (ms) of one ``livedesk-tui export`` process."""
    report = out.with_suffix(".peak")
    args = ["export", "--page-size", str(PAGE_SIZE), "--concurrency", str(CONCURRENCY)]
    argv = [PYTHON, "-c", _REPORT_PEAK, str(report), *args, "-o", str(out)]
    started = time.perf_counter()
    done = subprocess.run(
        argv,
        env=server.env(terminal_env(home)),
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        timeout=600,
        check=False,
    )
    elapsed = (time.perf_counter() - started) * 1000
    if done.returncode != 0:
        raise RuntimeError(f"export failed ({done.returncode}): {done.stderr[-300:]!r}")
    return int(report.read_text()), elapsed


def export_memory(quick: bool = False) -> Figure:
    """Figure 7: peak memory of the 20,000-contact export vs the same export of 2,000."""
    small, large = (200, 2000) if quick else (2000, 20_000)
    ensure_compiled()
    peaks: dict[int, list[int]] = {small: [], large: []}
    times: dict[int, list[float]] = {small: [], large: []}
    with scratch_home() as tmp:
        home = Path(tmp)
        for count in (small, large):
            with DemoServerProcess(count, LATENCY_MS) as server:
                for index in range(1 if quick else 2):
                    peak, elapsed = export_peak_kb(
                        server, home, home / f"out-{count}-{index}.jsonl"
                    )
                    peaks[count].append(peak)
                    times[count].append(elapsed)
    small_mb = min(peaks[small]) / 1024
    large_mb = min(peaks[large]) / 1024
    growth = large_mb - small_mb
    return Figure(
        key="export-memory",
        title=f"peak memory, export of {large:,} contacts",
        value=large_mb,
        unit="MB",
        floor=small_mb,
        floor_title=f"same export of {small:,}",
        goal="grows by < 10 MB",
        met=growth < 10,
        ratio=large_mb / small_mb,
        notes=[
            f"grows by {growth:.1f} MB",
            f"CLI wall time {min(times[large]):.0f} ms ({large:,}) and "
            f"{min(times[small]):.0f} ms ({small:,}), process start included",
        ],
    )
