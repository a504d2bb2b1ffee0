"""The copy menu: which of the contact's values to put on the clipboard, one key each."""

from __future__ import annotations

import json
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...api.models import Contact
from ...api.sanitize import clean, clip
from ..commands import bindings, command
from ..keys import shown_keys

COPY_CHOICES: tuple[tuple[str, str], ...] = (
    # (choice, what it is, as a notification names it); its key is binding copy_<choice>'s
    ("email", "email"),
    ("phone", "phone number"),
    ("id", "id"),
    ("json", "contact as JSON"),
)

HINT = "a key or enter copies (OSC 52) · escape cancels"
"""The keys, as the dialog names them (checked against ``commands.COMMANDS``)."""

PREVIEW = 36
"""Characters of each value shown in the menu."""


def copy_value(contact: Contact, choice: str) -> str:
    """The text a copy of ``choice`` puts on the clipboard ("" when the contact has none).

    The JSON is the contact exactly as the server sent it (``raw_json``).
    """
    if choice == "email":
        return contact.email.strip()
    if choice == "phone":
        return contact.phone_number.strip()
    if choice == "id":
        return "" if contact.id is None else str(contact.id)
    if choice == "json":
        if contact.raw_json:
            return contact.raw_json
        return json.dumps(dict(contact.raw), ensure_ascii=False) if contact.raw else ""
    raise ValueError(f"unknown copy choice {choice!r}")


def describe_choice(choice: str) -> str:
    """What ``choice`` copies, in words (``"phone number"``)."""
    for name, what in COPY_CHOICES:
        if name == choice:
            return what
    raise ValueError(f"unknown copy choice {choice!r}")


class CopyScreen(ModalScreen[str | None]):
    """Dismisses with the choice (``email``, ``phone``, ``id``, ``json``) or ``None``."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("copy")

    def __init__(self, contact: Contact) -> None:
        super().__init__()
        self.contact = contact

    def compose(self) -> ComposeResult:
        name = self.contact.display_name
        with Vertical(id="copy-dialog", classes="dialog"):
            yield Static(Text("Copy from " + clip(clean(name), 40)), classes="dialog-title")
            yield OptionList(*self._options(), id="copy-choices")
            yield Static(HINT, classes="dialog-hint")

    def _options(self) -> list[Option]:
        options = []
        for choice, what in COPY_CHOICES:
            binding_id = f"copy_{choice}"
            key = self._key_for(binding_id, command(binding_id, "copy").keys)
            value = copy_value(self.contact, choice)
            if choice == "json" and value:
                shown = f"{len(value.encode('utf-8')):,} bytes, as the server sent it"
            else:
                shown = clip(clean(value), PREVIEW) if value else "(none)"
            prompt = Text.assemble(
                (f"{key:<3}", "bold"), (f"{what:<16}", ""), (shown, "dim" if not value else "")
            )
            options.append(Option(prompt, id=choice))
        return options

    def _key_for(self, binding_id: str, default: str) -> str:
        return shown_keys(self.app, binding_id, default)

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)

    @on(OptionList.OptionSelected, "#copy-choices")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)
