"""Run the benchmarks and print one table: each figure next to its floor, measured in the same
run, with the ratio and whether the goal is met.

    python -m benchmarks [--quick] [--only startup,export,...] [--markdown] [--json FILE]

Exit code 0 when every goal selected is met, 1 when one is not (the table says which).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict

from . import export_speed, far_server, paging, server_speed, startup, terminal
from .common import Figure, machine, machine_line, markdown_table, plain_table
from .ptyrun import pty_available

Benchmark = Callable[[bool], Figure]

BENCHMARKS: dict[str, tuple[Benchmark, bool]] = {
    # key: (function, needs a pty)
    "startup": (startup.first_row, True),
    "far": (far_server.far_first_row, True),
    "imports": (startup.imports, False),
    "flip": (paging.cached_flip, False),
    "fetch": (paging.uncached_flip, False),
    "bytes": (terminal.flip_bytes, True),
    "export": (export_speed.export_time, False),
    "export-memory": (export_speed.export_memory, False),
    "memory": (terminal.memory_after_pages, True),
    "server": (server_speed.server_requests, False),
}


def _selection(text: str | None) -> list[str]:
    if not text:
        return list(BENCHMARKS)
    chosen = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in BENCHMARKS]
    if unknown:
        raise SystemExit(
            f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}"
        )
    return chosen


def run(names: list[str], *, quick: bool, say: Callable[[str], None]) -> list[Figure]:
    """Run the named benchmarks in order; a benchmark that fails is reported and skipped."""
    figures: list[Figure] = []
    has_pty = pty_available()
    for name in names:
        function, needs_pty = BENCHMARKS[name]
        if needs_pty and not has_pty:
            say(f"{name}: skipped, no pseudo-terminal on this machine")
            continue
        started = time.perf_counter()
        try:
            figure = function(quick)
        except Exception:
            say(f"{name}: FAILED\n{traceback.format_exc()}")
            continue
        say(f"{name}: done in {time.perf_counter() - started:.1f} s")
        figures.append(figure)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny inputs, few runs")
    parser.add_argument("--only", metavar="NAMES", help=f"comma-separated: {', '.join(BENCHMARKS)}")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    names = _selection(args.only)

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    info = machine()
    say(f"machine: {machine_line(info)}")
    load_before = os.getloadavg()[0]
    figures = run(names, quick=args.quick, say=say)
    load = f"load average {load_before:.2f} at the start, {os.getloadavg()[0]:.2f} at the end"
    info["load"] = load
    command = "python -m benchmarks" + (" --quick" if args.quick else "")
    if args.markdown:
        print(f"Measured with `{command}` on {machine_line(info)} ({load}).\n")
        print(markdown_table(figures))
    else:
        print(f"\nmachine: {machine_line(info)}\n{load}\ncommand: {command}\n")
        print(plain_table(figures))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(
                {"machine": info, "figures": [asdict(figure) for figure in figures]},
                handle,
                indent=2,
                ensure_ascii=False,
            )
    complete = len(figures) == len(names)
    return 0 if complete and all(figure.met for figure in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
