"""Every benchmark runs on tiny inputs and returns a well-formed figure.

These keep the benchmark scripts working; they assert nothing about speed.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import __main__ as bench
from benchmarks.common import Figure, markdown_table, plain_table
from benchmarks.ptyrun import pty_available


def _check(figure: Figure, key: str) -> None:
    assert isinstance(figure, Figure)
    assert figure.key == key
    assert figure.title and figure.unit and figure.goal
    assert math.isfinite(figure.value) and figure.value > 0
    if figure.floor is not None:
        assert math.isfinite(figure.floor) and figure.floor > 0
        assert figure.ratio == pytest.approx(figure.value / figure.floor)
    assert isinstance(figure.met, bool)
    assert all(isinstance(note, str) and note for note in figure.notes)


@pytest.mark.parametrize("key", list(bench.BENCHMARKS))
def test_benchmark_runs_in_quick_mode(key: str) -> None:
    function, needs_pty = bench.BENCHMARKS[key]
    if needs_pty and not pty_available():
        pytest.skip("no pseudo-terminal on this machine")
    if key == "far":
        pytest.importorskip("trustme", reason="the far server's certificates need trustme")
    figure = function(True)
    if key == "far" and any(note.startswith("app could not connect") for note in figure.notes):
        # An app that does not trust the server's CA yet: both floors are measured all the same.
        assert figure.met is False and figure.ratio is None and math.isnan(figure.value)
        assert figure.floor is not None and math.isfinite(figure.floor) and figure.floor > 0
        assert any(note.startswith("network minimum") for note in figure.notes)
        return
    _check(figure, key)
    if key == "export":  # the export is checked against a sequential one, byte for byte
        assert any("identical to sequential: yes" in note for note in figure.notes)
        assert any("600 contacts written" in note for note in figure.notes)
    if key == "startup":  # says how the first row avoids the HTTP stack's start-up cost
        assert any("httpx is imported only after the first row" in note for note in figure.notes)


def test_tables_show_every_figure() -> None:
    figures = [
        Figure("a", "first figure", 12.5, "ms", 10.0, "floor a", "ratio <= 1.3", True),
        Figure("b", "second | figure", 3.0, "ms", None, "—", "<= 5 ms", False, notes=["p95 4"]),
    ]
    plain = plain_table(figures)
    markdown = markdown_table(figures)
    assert "first figure" in plain and "1.25" in plain and "NO" in plain
    assert markdown.count("\n| ") == 3  # the separator and two figures
    assert "second \\| figure" in markdown
    assert "p95 4" in markdown


def test_only_rejects_an_unknown_name() -> None:
    with pytest.raises(SystemExit):
        bench.main(["--only", "nonsense"])
