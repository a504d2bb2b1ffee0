"""Everything known about one contact, driven by a single reactive ``contact``.

Identity first, then every additional attribute (unknown keys included), every custom
attribute formatted by its type, and the inboxes. Values are cleaned and shown as ``Text``;
an empty value reads ``—``, never ``None``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, ClassVar

from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.widgets import Static

from ...api.models import Contact
from ...api.sanitize import clean, clean_multiline, clip
from ..formatting import (
    EMPTY,
    VALUE_LIMIT,
    blocked_label,
    format_value,
    key_label,
    moment,
    status_label,
    text_or_empty,
    utc_now,
)
from ..styles import foreground
from .key_scroll import KeyScrollMixin

KEY_WIDTH = 15

log = logging.getLogger("livedesk_tui.tui")


class DetailStyles:
    """The styles the detail view uses, read from the widget's component classes."""

    def __init__(self, **styles: Style) -> None:
        self.title = styles.get("title", Style(bold=True))
        self.heading = styles.get("heading", Style(bold=True))
        self.key = styles.get("key", Style(dim=True))
        self.muted = styles.get("muted", Style(dim=True))
        self.online = styles.get("online", Style())
        self.blocked = styles.get("blocked", Style())


def _grid() -> Table:
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(width=KEY_WIDTH, overflow="fold")
    grid.add_column(ratio=1, overflow="fold")
    return grid


def _value(value: Any, styles: DetailStyles) -> Text:
    if isinstance(value, str) and "\n" in value.strip():
        return Text(clean_multiline(clip(value.strip(), VALUE_LIMIT)), end="", overflow="fold")
    text = format_value(value)
    return Text(text, style=styles.muted if text == EMPTY else "", end="", overflow="fold")


def _identity(contact: Contact, now: datetime, styles: DetailStyles) -> Table:
    grid = _grid()
    online = contact.availability_status == "online"
    status = status_label(contact)
    rows: list[tuple[str, Text]] = [
        ("email", text_or_empty(contact.email)),
        ("phone", text_or_empty(contact.phone_number)),
        ("identifier", text_or_empty(contact.identifier)),
        ("id", text_or_empty("" if contact.id is None else str(contact.id))),
        ("status", Text(status, style=styles.online if online else styles.muted, end="")),
        (
            "blocked",
            Text(
                blocked_label(contact.blocked),
                style=styles.blocked if contact.blocked else styles.muted,
                end="",
            ),
        ),
        ("created", text_or_empty(_moment(contact.created_at, now))),
        ("last activity", text_or_empty(_moment(contact.last_activity_at, now))),
    ]
    for key, value in rows:
        grid.add_row(Text(key, style=styles.key, end=""), value)
    return grid


def _moment(when: datetime | None, now: datetime) -> str:
    return "" if when is None else moment(when, now)


def _attributes(attributes: Mapping[str, Any], styles: DetailStyles) -> RenderableType:
    if not attributes:
        return Text(EMPTY, style=styles.muted)
    grid = _grid()
    for key, value in attributes.items():
        if key == "social_profiles" and isinstance(value, Mapping):
            continue
        grid.add_row(Text(key_label(key), style=styles.key, end=""), _value(value, styles))
    profiles = attributes.get("social_profiles")
    if isinstance(profiles, Mapping):
        filled = [(k, v) for k, v in profiles.items() if v not in (None, "", {}, [])]
        label = Text("social profiles", style=styles.key, end="")
        if not filled:
            grid.add_row(label, Text(EMPTY, style=styles.muted, end=""))
        for index, (name, value) in enumerate(filled):
            line = Text(key_label(name) + " ", style=styles.key, end="", overflow="fold")
            line.append_text(_value(value, styles))
            grid.add_row(label if index == 0 else Text(""), line)
    return grid


def _inboxes(contact: Contact, styles: DetailStyles) -> RenderableType:
    if contact.contact_inboxes is None:
        return Text("not requested", style=styles.muted)
    if not contact.contact_inboxes:
        return Text("none", style=styles.muted)
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(ratio=1, overflow="fold")
    for item in contact.contact_inboxes:
        line = Text(end="", overflow="fold")
        line.append(clean(clip(item.inbox.name, 200)) or EMPTY)
        line.append(" · " + (clean(clip(item.channel, 60)) or EMPTY), style=styles.key)
        source = clean(clip(item.source_id, 200))
        line.append(f" · source {source}" if source else " · no source id", style=styles.muted)
        grid.add_row(line)
    return grid


def detail_renderable(
    contact: Contact | None, now: datetime, styles: DetailStyles | None = None
) -> RenderableType:
    """The whole detail view of ``contact`` as one renderable."""
    styles = styles or DetailStyles()
    if contact is None:
        return Text("No contact selected.", style=styles.muted, end="")
    title = Text(clean(clip(contact.display_name, 300)), style=styles.title, overflow="fold")
    parts: list[RenderableType] = [title]
    sections: list[tuple[str, RenderableType]] = [
        ("Identity", _identity(contact, now, styles)),
        ("Additional attributes", _attributes(contact.additional_attributes, styles)),
        ("Custom attributes", _attributes(contact.custom_attributes, styles)),
        ("Inboxes", _inboxes(contact, styles)),
    ]
    for heading, body in sections:
        parts.append(Text(""))
        parts.append(Text(heading, style=styles.heading))
        parts.append(body)
    return Group(*parts)


class ContactDetail(KeyScrollMixin, VerticalScroll):
    """Shows ``contact``; set the reactive and the view follows (one line per arrow key, however
    fast they come)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "contact-detail--title",
        "contact-detail--heading",
        "contact-detail--key",
        "contact-detail--muted",
        "contact-detail--online",
        "contact-detail--blocked",
    }

    DEFAULT_CSS = """
    ContactDetail {
        padding: 0 1;
        scrollbar-size-vertical: 1;
        & > #contact-detail-body { width: 1fr; height: auto; }
        & > .contact-detail--title { color: $text; text-style: bold; }
        & > .contact-detail--heading { color: $text-accent; text-style: bold; }
        & > .contact-detail--key { color: $text-muted; }
        & > .contact-detail--muted { color: $text-muted; }
        & > .contact-detail--online { color: $text-success; }
        & > .contact-detail--blocked { color: $text-error; }
    }
    """

    contact: reactive[Contact | None] = reactive(None, init=False)

    def __init__(
        self,
        contact: Contact | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._clock = clock
        self.set_reactive(ContactDetail.contact, contact)

    def compose(self) -> ComposeResult:
        yield Static(id="contact-detail-body")

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._show())
        self._show()

    def watch_contact(self, contact: Contact | None) -> None:
        if self.is_mounted:
            self._show()
            self.scroll_home(animate=False)

    def _show(self) -> None:
        styles = DetailStyles(
            **{
                name: foreground(self, f"contact-detail--{name}")
                for name in ("title", "heading", "key", "muted", "online", "blocked")
            }
        )
        try:
            view = detail_renderable(self.contact, self._clock(), styles)
        except Exception:  # data no test foresaw must not take the app down
            log.exception("rendering a contact failed")
            view = Text("This contact could not be shown.", style=styles.muted)
        self.query_one("#contact-detail-body", Static).update(view)
