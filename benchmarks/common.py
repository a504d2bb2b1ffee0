"""What every benchmark shares: the result of one figure, statistics, the machine, the table.

A figure is always measured in the same run as its floor, so the ratio compares numbers taken
on the same machine under the same load.
"""

from __future__ import annotations

import math
import os
import platform
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
"""The project's checkout (the folder holding ``livedesk_tui`` and ``benchmarks``)."""

PYTHON = sys.executable

_compiled = False


def ensure_compiled() -> None:
    """Compile the package's bytecode, as ``pip install`` leaves it.

    Textual's modules are installed with their ``.pyc`` files; a checkout run with
    ``PYTHONDONTWRITEBYTECODE`` set would compile every module of this package from source
    at each start, and the comparison with the floor would be measuring the compiler.
    """
    global _compiled
    if not _compiled:
        import compileall

        compileall.compile_dir(str(ROOT / "livedesk_tui"), quiet=1)
        _compiled = True


@dataclass(slots=True)
class Figure:
    """One line of the table: a measured figure, its floor, and whether the goal is met.

    Args:
        key: Short name used by ``--only`` (``startup``, ``export``...).
        title: What was measured, as the table shows it.
        value: The figure itself, in ``unit``.
        unit: ``ms``, ``MB``, ``KB``...
        floor: The floor measured in the same run, in ``unit`` (``None`` when the goal is an
            absolute number).
        floor_title: What the floor is.
        goal: The goal in words (``ratio <= 1.3``).
        met: Whether the goal is met.
        ratio: ``value / floor`` when there is a floor.
        notes: Further numbers worth seeing next to the figure (runs, p95, spread...).
    """

    key: str
    title: str
    value: float
    unit: str
    floor: float | None
    floor_title: str
    goal: str
    met: bool
    ratio: float | None = None
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.ratio is None and self.floor:
            self.ratio = self.value / self.floor


def ratio_figure(
    key: str,
    title: str,
    value: float,
    floor: float,
    *,
    unit: str,
    floor_title: str,
    limit: float,
    notes: Sequence[str] = (),
) -> Figure:
    """A figure whose goal is ``value / floor <= limit``."""
    ratio = value / floor if floor > 0 else math.inf
    return Figure(
        key=key,
        title=title,
        value=value,
        unit=unit,
        floor=floor,
        floor_title=floor_title,
        goal=f"ratio <= {limit:g}",
        met=ratio <= limit,
        ratio=ratio,
        notes=list(notes),
    )


# --- statistics -------------------------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def percentile(values: Sequence[float], fraction: float) -> float:
    """The ``fraction`` quantile (0..1) by the nearest-rank method."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def spread(values: Sequence[float], unit: str = "ms", digits: int = 1) -> str:
    """``n=7, min 12.0, max 15.3 ms``: how far the runs behind a median lie apart."""
    if not values:
        return "no runs"
    return f"n={len(values)}, min {min(values):.{digits}f}, max {max(values):.{digits}f} {unit}"


def interleave(
    runs: int, first: Callable[[], float], second: Callable[[], float]
) -> tuple[list[float], list[float]]:
    """Run ``first`` and ``second`` alternately ``runs`` times each (which starts first
    alternates too), so a slow moment of the machine falls on both."""
    a: list[float] = []
    b: list[float] = []
    for index in range(runs):
        if index % 2 == 0:
            a.append(first())
            b.append(second())
        else:
            b.append(second())
            a.append(first())
    return a, b


# --- the machine ------------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    from importlib.metadata import PackageNotFoundError, version

    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    return {
        "cpu": cpu_model(),
        "cores": str(os.cpu_count() or "?"),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "textual": installed("textual"),
        "rich": installed("rich"),
        "httpx": installed("httpx"),
    }


# --- the table --------------------------------------------------------------------------------


def _number(value: float | None, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}".strip()


def rows(figures: Sequence[Figure]) -> list[list[str]]:
    table = [["figure", "measured", "floor (same run)", "ratio", "goal", "met"]]
    for figure in figures:
        floor = (
            f"{_number(figure.floor, figure.unit)} ({figure.floor_title})"
            if figure.floor is not None
            else figure.floor_title or "—"
        )
        table.append(
            [
                figure.title,
                _number(figure.value, figure.unit),
                floor,
                "—" if figure.ratio is None else f"{figure.ratio:.2f}",
                figure.goal,
                "yes" if figure.met else "NO",
            ]
        )
    return table


def plain_table(figures: Sequence[Figure]) -> str:
    """The table in aligned columns, with each figure's notes under it."""
    table = rows(figures)
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    lines = []
    for index, row in enumerate(table):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    notes = [f"- {figure.key}: {'; '.join(figure.notes)}" for figure in figures if figure.notes]
    return "\n".join(lines + (["", *notes] if notes else []))


def markdown_table(figures: Sequence[Figure]) -> str:
    """The table as Markdown, ready for the README."""
    table = rows(figures)

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    lines = [line(table[0]), line(["---"] * len(table[0]))]
    lines += [line(row) for row in table[1:]]
    notes = [f"- **{figure.key}**: {'; '.join(figure.notes)}" for figure in figures if figure.notes]
    return "\n".join(lines + (["", *notes] if notes else []))


def machine_line(info: dict[str, str]) -> str:
    return (
        f"{info['cpu']}, {info['cores']} cores, {info['os']}, Python {info['python']}, "
        f"textual {info['textual']}, rich {info['rich']}, httpx {info['httpx']}"
    )
