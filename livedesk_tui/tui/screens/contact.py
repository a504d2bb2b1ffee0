"""One contact, full screen, with everything known about it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import ModalScreen

from ...api.models import Contact
from ..commands import bindings
from ..formatting import utc_now
from ..widgets.contact_detail import ContactDetail
from ..widgets.key_bar import KeyBar


class ContactScreen(ModalScreen[None]):
    """The detail view over the whole terminal; escape goes back to the list."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("contact")

    def __init__(
        self,
        contact: Contact,
        *,
        clock: Callable[[], datetime] = utc_now,
        on_copy: Callable[[Contact], None] | None = None,
        on_raw: Callable[[Contact], None] | None = None,
    ) -> None:
        super().__init__()
        self.contact = contact
        self._clock = clock
        self._on_copy = on_copy
        self._on_raw = on_raw

    def compose(self) -> ComposeResult:
        yield ContactDetail(self.contact, clock=self._clock, id="contact-full")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(ContactDetail).focus()

    def action_copy(self) -> None:
        if self._on_copy is not None:
            self._on_copy(self.contact)

    def action_raw(self) -> None:
        if self._on_raw is not None:
            self._on_raw(self.contact)
