"""A dialog for failures the user must act on (refused credentials, missing permission)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ...api.sanitize import clean
from ..commands import bindings

HINT = "r retry · escape close · q quit"
"""The keys, as the dialog names them (checked against ``commands.COMMANDS``)."""


class ErrorScreen(ModalScreen[str | None]):
    """Says what went wrong and where the credentials come from; never shows a secret.

    Dismisses with ``"retry"``, ``"quit"`` or ``None`` (just close).
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings("error")

    def __init__(self, title: str, message: str, *, origin: str, detail: str = "") -> None:
        super().__init__()
        self._title = title
        self._message = message
        self._origin = origin
        self._detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(id="error-dialog", classes="dialog"):
            yield Static(Text(self._title), classes="dialog-title")
            yield Static(Text(clean(self._message)), id="error-message")
            if self._detail:
                yield Static(Text("The server said: " + clean(self._detail)), id="error-detail")
            if self._origin not in self._message:  # the client's messages usually name it
                yield Static(
                    Text("Credentials come from: " + clean(self._origin)), id="error-origin"
                )
            yield Static(HINT, classes="dialog-hint")
