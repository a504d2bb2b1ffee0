"""Pick the profile to switch to (an account or a data centre), like a context in k9s."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...api.sanitize import clean, clip
from ..commands import bindings

HINT = "enter switches · escape cancels"
"""The keys, as the dialog names them (checked against ``commands.COMMANDS``)."""


class ProfileScreen(ModalScreen[str | None]):
    """Lists the profiles, the current one marked; dismisses with the name chosen or None."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("profiles")

    def __init__(self, profiles: Sequence[str], current: str) -> None:
        super().__init__()
        self.profiles = tuple(profiles)
        self.current = current

    def compose(self) -> ComposeResult:
        options = []
        for name in self.profiles:
            here = name == self.current
            prompt = Text.assemble(
                ("● " if here else "  ", "bold"),
                clip(clean(name), 50),
                (" (current)" if here else "", "dim"),
            )
            options.append(Option(prompt, id=name))
        with Vertical(id="profile-dialog", classes="dialog"):
            yield Static("Switch profile", classes="dialog-title")
            yield OptionList(*options, id="profile-choices")
            yield Static(HINT, classes="dialog-hint")

    def on_mount(self) -> None:
        choices = self.query_one(OptionList)
        if self.current in self.profiles:
            choices.highlighted = self.profiles.index(self.current)
        choices.focus()

    @on(OptionList.OptionSelected, "#profile-choices")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)
