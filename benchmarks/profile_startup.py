"""Where the time to the first row goes: the app (or the floor) under pyinstrument, stopped the
moment its first row is on screen.

    python -m benchmarks.profile_startup [app|floor] [--out FILE]

The program runs in an 80x24 pty like the start-up benchmark. As soon as the first row appears
the benchmark sends ``SIGUSR1``; the profiled process then writes its report and ends, so the
report covers process start to first row only. Needs ``pyinstrument`` (not a dependency of the
project: ``pip install pyinstrument``).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from .common import PYTHON, ROOT
from .ptyrun import PtyProcess, scratch_home, terminal_env
from .rows import marker, write_pages

_RUNNER = r"""
import os, runpy, signal, sys, time
from pyinstrument import Profiler
out, kind, rows = sys.argv[1], sys.argv[2], sys.argv[3]
profiler = Profiler(interval=0.0005, async_mode="disabled")

def stop(signum, frame):
    profiler.stop()
    options = {"show_regex": ".*/(textual|livedesk_tui|httpx|rich)/.*", "filter_threshold": 0.015}
    text = profiler.output_text(unicode=True, processor_options=options)
    text += "\n\nSelf time by function:\n"
    text += profiler.output_text(flat=True, processor_options={"filter_threshold": 0.005})
    with open(out, "w", encoding="utf-8") as handle:
        handle.write(text)
    os._exit(0)

signal.signal(signal.SIGUSR1, stop)
profiler.start()
if kind == "app":
    sys.argv = ["livedesk-tui", "--demo"]
    runpy.run_module("livedesk_tui", run_name="__main__", alter_sys=True)
else:
    sys.argv = [sys.argv[4], rows]
    runpy.run_path(sys.argv[0], run_name="__main__")
"""


def profile(kind: str, out: Path) -> float:
    """Profile ``kind`` (``app`` or ``floor``) from start to first row; returns the
    milliseconds it took (longer than unprofiled)."""
    with scratch_home() as tmp:
        home = Path(tmp)
        pages = write_pages(home / "rows.json", 2)
        floor = str(Path(__file__).resolve().parent / "floor_app.py")
        argv = [PYTHON, "-c", _RUNNER, str(out), kind, str(home / "rows.json"), floor]
        with PtyProcess(argv, terminal_env(home), cwd=ROOT) as proc:
            seen = proc.wait_for(marker(pages[0][0][0]), timeout=60)
            os.kill(proc.pid, signal.SIGUSR1)
            proc.wait_exit(60)
            proc.close()
    return (seen - proc.started) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_startup")
    parser.add_argument("kind", choices=("app", "floor"), nargs="?", default="app")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    out = args.out or Path(f"profile-startup-{args.kind}.txt")
    elapsed = profile(args.kind, out.resolve())
    print(f"{args.kind}: first row after {elapsed:.0f} ms (profiled); report in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
