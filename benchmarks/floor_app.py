"""The floor: the least a Textual app can do to show a page of 15 rows in a DataTable.

Run as a script (``python floor_app.py [ROWS.json]``) in a pty for the start-up, repaint-bytes
and memory figures, or import ``FloorApp`` for the in-process page-flip figure. It imports
nothing but Textual and Rich, so it costs what the framework costs.

``ROWS.json`` is a list of pages, each a list of rows of cell texts; without it the rows are
made up. ``n`` shows the next page (clear, then add the 15 rows), ``p`` the previous one,
``q`` quits.
"""

from __future__ import annotations

import json
import sys
from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

COLUMNS = ("name", "email", "last active", "status")
PAGE_SIZE = 15


def made_up_pages(count: int = 4) -> list[list[list[str]]]:
    """Pages of plausible rows, for when no rows file is given."""
    return [
        [
            [
                f"Floor contact {page * PAGE_SIZE + row + 1:03d}",
                f"contact{page * PAGE_SIZE + row + 1}@example.com",
                f"{row + 1} days ago",
                "offline",
            ]
            for row in range(PAGE_SIZE)
        ]
        for page in range(count)
    ]


class FloorApp(App[None]):
    """One DataTable, refilled with a page of rows on ``n`` and ``p``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "flip(1)", "Next"),
        Binding("p", "flip(-1)", "Prev"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, pages: list[list[list[str]]] | None = None) -> None:
        super().__init__()
        self.pages = pages or made_up_pages()
        self.page = 0
        self.flips = 0

    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label in COLUMNS:
            table.add_column(label, key=label)
        self._fill()
        table.focus()

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        rows = self.pages[self.page % len(self.pages)]
        table.add_rows([[Text(value) for value in row] for row in rows])

    def action_flip(self, step: int) -> None:
        self.page = (self.page + step) % len(self.pages)
        self.flips += 1
        self._fill()


def main(argv: list[str]) -> None:
    pages = None
    if len(argv) > 1:
        with open(argv[1], encoding="utf-8") as handle:
            pages = json.load(handle)
    FloorApp(pages).run()


if __name__ == "__main__":
    main(sys.argv)
