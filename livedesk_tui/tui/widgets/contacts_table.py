"""The contacts table: one row per contact, columns chosen to fit the width it has.

Every cell is a ``rich.text.Text`` built from cleaned text: a ``str`` cell would be parsed as
markup by ``DataTable``. Rich measures cell widths, so double-width (CJK) characters and emoji
keep the columns aligned, and long values end in an ellipsis at the column's edge.

The ``DataTable`` holds one cell per row: the row's cells fitted to their columns and laid
side by side, padding included, exactly as the table would lay them out (``compose_row``).
``DataTable`` renders each cell through Rich on its own (padding, styles, cropping), and a page
of four-column rows cost twice as much to paint as a page of one-cell rows. The columns are
kept here (``columns_shown``); the table's cursor, keys and events work on rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from ...api.models import Contact
from ..formatting import EMPTY, cell, place, relative_time, status_label, utc_now
from ..styles import foreground


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One column: its key, header, and the narrowest (or the fixed) width it takes."""

    key: str
    label: str
    width: int
    weight: int = 0
    """Share of the spare width; 0 for a fixed-width column."""


_NAME = ColumnSpec("name", "name", 10, 3)
_EMAIL = ColumnSpec("email", "email", 12, 3)
_PHONE = ColumnSpec("phone", "phone", 16)
_COMPANY = ColumnSpec("company", "company", 10, 2)
_PLACE = ColumnSpec("place", "city, country", 12, 2)
_ACTIVITY = ColumnSpec("activity", "last active", 11)
_STATUS = ColumnSpec("status", "status", 8)
_BLOCKED = ColumnSpec("blocked", "blocked", 7)

NARROW_COLUMNS = (_NAME, _EMAIL, _ACTIVITY, _STATUS)
WIDE_COLUMNS = (_NAME, _EMAIL, _PHONE, _COMPANY, _PLACE, _ACTIVITY, _STATUS, _BLOCKED)
_DROP_ORDER = ("status", "email", "activity")
"""Columns given up, in this order, when even the narrow set does not fit."""

CELL_PADDING = 1
WIDE_TABLE = 112
"""Table widths from which every column is shown."""


@dataclass(frozen=True, slots=True)
class PlannedColumn:
    key: str
    label: str
    width: int


_COLUMN_META = tuple(Style(meta={"cell": index}) for index in range(len(WIDE_COLUMNS)))
"""A style per column position that only tells the columns apart (see ``compose_row``)."""


def compose_row(cells: Sequence[Text], plan: Sequence[PlannedColumn]) -> Text:
    """``cells`` fitted to the widths in ``plan`` (cut with an ellipsis, or padded) and laid
    side by side with ``CELL_PADDING`` spaces on each side, as ``DataTable`` lays out columns."""
    line = Text(no_wrap=True, overflow="crop", end="")
    pad = " " * CELL_PADDING
    for index, (text, column) in enumerate(zip(cells, plan, strict=True)):
        fitted = text.copy()
        fitted.truncate(column.width, overflow="ellipsis", pad=True)
        start = len(line)
        line.append(pad)
        line.append_text(fitted)
        line.append(pad)
        # Each column keeps segments of its own, as with one cell per column: a terminal
        # places every character in its cell anyway, but a screenshot's SVG places each
        # segment, and glyphs of the wrong width (CJK in a fallback font) must not push the
        # next columns out of line.
        line.stylize(_COLUMN_META[index], start, len(line))
    return line


def row_width(columns: Sequence[ColumnSpec | PlannedColumn]) -> int:
    """Cells taken by ``columns`` side by side, each with its padding."""
    return sum(column.width + 2 * CELL_PADDING for column in columns)


def plan_columns(available: int) -> tuple[PlannedColumn, ...]:
    """The columns for a table ``available`` cells wide, with their widths.

    Below ``WIDE_TABLE`` the table shows name, email, last activity and status; from it on,
    also phone, company, city/country and blocked. Spare width goes to the flexible columns.
    """
    specs = list(WIDE_COLUMNS if available >= WIDE_TABLE else NARROW_COLUMNS)
    for key in _DROP_ORDER:
        if row_width(specs) <= available:
            break
        specs = [spec for spec in specs if spec.key != key]
    spare = max(0, available - row_width(specs))
    weights = sum(spec.weight for spec in specs)
    widths = [spec.width for spec in specs]
    if weights:
        flexible = [i for i, spec in enumerate(specs) if spec.weight]
        for i in flexible:
            widths[i] += spare * specs[i].weight // weights
        widths[flexible[0]] += spare - sum(spare * specs[i].weight // weights for i in flexible)
    return tuple(
        PlannedColumn(spec.key, spec.label, width)
        for spec, width in zip(specs, widths, strict=True)
    )


class ContactsTable(DataTable[Text]):
    """Shows one page of contacts; knows nothing of where they came from."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "contacts-table--online",
        "contacts-table--muted",
        "contacts-table--blocked",
    }

    DEFAULT_CSS = """
    ContactsTable {
        scrollbar-size-vertical: 1;
        & > .contacts-table--online { color: $text-success; }
        & > .contacts-table--muted { color: $text-muted; }
        & > .contacts-table--blocked { color: $text-error; }
    }
    """

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] = utc_now,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(cursor_type="row", cell_padding=0, id=id, classes=classes)
        self._clock = clock
        self._contacts: tuple[Contact, ...] = ()
        self._plan: tuple[PlannedColumn, ...] = ()
        self._styles: dict[str, Style] | None = None
        """The cells' colours, read from the theme once and kept until the styles change."""

    @property
    def contacts(self) -> tuple[Contact, ...]:
        return self._contacts

    @property
    def columns_shown(self) -> tuple[PlannedColumn, ...]:
        """The columns laid out in each row, left to right."""
        return self._plan

    @property
    def highlighted_contact(self) -> Contact | None:
        """The contact under the cursor, if the table has any."""
        if not self._contacts:
            return None
        return self._contacts[min(max(self.cursor_row, 0), len(self._contacts) - 1)]

    def show_contacts(self, contacts: Sequence[Contact], *, cursor_row: int = 0) -> None:
        """Replace the rows with ``contacts`` and put the cursor on ``cursor_row`` (clamped)."""
        self._contacts = tuple(contacts)
        self._rebuild(cursor_row)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Left and right only scroll, and the columns fit the width: while there is nothing
        to scroll they are left to the app (``[keys]`` may bind them, e.g. to paging)."""
        if action in ("cursor_left", "cursor_right") and self.max_scroll_x == 0:
            return False
        return super().check_action(action, parameters)

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._restyle())

    def notify_style_update(self) -> None:
        self._styles = None
        super().notify_style_update()

    def _cell_styles(self) -> dict[str, Style]:
        if self._styles is None:
            self._styles = {
                name: foreground(self, f"contacts-table--{name}")
                for name in ("online", "muted", "blocked")
            }
        return self._styles

    def _restyle(self) -> None:
        self._styles = None
        if self._contacts:
            self._rebuild(self.cursor_row)

    def on_resize(self, event: events.Resize) -> None:
        if plan_columns(self._available_width()) != self._plan:
            self._rebuild(self.cursor_row)

    def _available_width(self) -> int:
        return max(0, self.size.width - 1)  # one cell kept for the vertical scrollbar

    def _rebuild(self, cursor_row: int) -> None:
        plan = plan_columns(self._available_width())
        if plan != self._plan:
            self.clear(columns=True)
            header = compose_row([Text(column.label, end="") for column in plan], plan)
            self.add_column(header, width=row_width(plan), key="row")
            self._plan = plan
        else:
            self.clear()
        now = self._clock()
        styles = self._cell_styles()
        seen: set[str] = set()
        for contact in self._contacts:
            key = contact.key
            if key in seen:  # a server may repeat an id; the row still shows
                suffix = 2
                while f"{key}#{suffix}" in seen:
                    suffix += 1
                key = f"{key}#{suffix}"
            seen.add(key)
            cells = [_cell(contact, column.key, now, styles) for column in plan]
            self.add_row(compose_row(cells, plan), key=key)
        if self._contacts:
            row = min(max(cursor_row, 0), len(self._contacts) - 1)
            self.move_cursor(row=row, animate=False)


def _cell(contact: Contact, key: str, now: datetime, styles: dict[str, Style]) -> Text:
    muted = styles["muted"]
    if key == "name":
        return cell(contact.name) if contact.name else cell("(no name)", muted)
    if key == "email":
        return cell(contact.email)
    if key == "phone":
        return cell(contact.phone_number)
    if key == "company":
        return cell(contact.company)
    if key == "place":
        return cell(place(contact))
    if key == "activity":
        text = relative_time(contact.last_activity_at, now)
        return cell(text, muted if text == EMPTY else "")
    if key == "status":
        online = contact.availability_status == "online"
        return cell(status_label(contact), styles["online"] if online else muted)
    if key == "blocked":
        return cell("blocked", styles["blocked"]) if contact.blocked else cell("")
    return cell("")
