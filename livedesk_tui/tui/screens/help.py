"""The help screen: every key, as it is bound now (remapped keys show their new key)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ..commands import bindings
from ..widgets.key_scroll import KeyVerticalScroll

HINT = "escape closes · ctrl+p: command palette"
"""The keys, as the dialog names them (checked against ``commands.COMMANDS``)."""

HelpRow = tuple[str, str, str]
"""(section, keys as shown, what they do)."""


def _section_table(rows: Sequence[HelpRow]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True, style="bold", min_width=7)
    table.add_column()
    section = None
    for group, keys, description in rows:
        if group != section:
            if section is not None:
                table.add_row("", "")
            table.add_row(Text(group, style="underline"), "")
            section = group
        table.add_row(Text(keys), Text(description))
    return table


def help_table(rows: Sequence[HelpRow], *, columns: int = 2) -> Table:
    """The keys in two columns of sections (the whole list fits an 80x24 terminal), or in
    one column for narrower terminals."""
    if columns < 2:
        return _section_table(rows)
    sections: list[str] = []
    for group, _keys, _description in rows:
        if group not in sections:
            sections.append(group)
    half = len(rows) / 2
    left: list[HelpRow] = []
    for section in sections:
        in_section = [row for row in rows if row[0] == section]
        if left and len(left) + len(in_section) / 2 > half:
            break
        left.extend(in_section)
    right = [row for row in rows if row not in left]
    grid = Table.grid(padding=(0, 4))
    grid.add_column()
    grid.add_column()
    grid.add_row(_section_table(left), _section_table(right))
    return grid


class HelpScreen(ModalScreen[None]):
    """Lists the keys; any of escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("help")

    def __init__(self, rows: Sequence[HelpRow]) -> None:
        super().__init__()
        self._rows = tuple(rows)

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog", classes="dialog"):
            yield Static("Keys", classes="dialog-title")
            with KeyVerticalScroll(id="help-body"):
                columns = 2 if self.app.size.width >= 76 else 1
                yield Static(help_table(self._rows, columns=columns), id="help-keys")
            yield Static(HINT, classes="dialog-hint")
