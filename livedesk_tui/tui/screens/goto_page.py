"""A small dialog asking which page to go to."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ..commands import bindings

HINT = "enter goes · escape cancels"
"""The keys, as the dialog names them (checked against ``commands.COMMANDS``)."""


class GotoPageScreen(ModalScreen[int | None]):
    """Returns the page number typed, or ``None`` when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("goto")

    def __init__(self, current: int, page_count: int | None) -> None:
        super().__init__()
        self._current = current
        self._page_count = page_count

    def compose(self) -> ComposeResult:
        bounds = f"1–{self._page_count}" if self._page_count else "1 or more"
        with Vertical(id="goto-dialog", classes="dialog"):
            yield Static(f"Go to page ({bounds})", classes="dialog-title")
            yield Input(
                placeholder=str(self._current),
                type="integer",
                max_length=9,
                id="goto-page",
            )
            yield Static(HINT, classes="dialog-hint")

    @on(Input.Submitted, "#goto-page")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip().lstrip("+")
        if not text.isdigit():
            self.dismiss(None)
            return
        self.dismiss(int(text))
