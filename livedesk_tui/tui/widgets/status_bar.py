"""One line that always says where the user is: page, count, filters, and what is happening.

When the line is short the filters give way first (with an ellipsis), then the state (loading,
failed); the right part (which server, which profile) stays whole, except in a narrow terminal
(a tmux pane), where it is cut, then left out, so that the page and the state stay readable.
"""

from __future__ import annotations

from typing import ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual.timer import Timer
from textual.widget import Widget

from ..styles import foreground

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
SPIN_AFTER = 0.3
"""Seconds of waiting after which the spinner starts turning. A quicker answer is shown
without a spinner frame drawn just before it: Textual then holds the next frame (the one
with the page) for up to two frame periods."""
LEFT_MIN = 40
"""Cells the page, count and state keep before the connection on the right gives way."""


class StatusBar(Widget):
    """A one-line status display; the app tells it what to say."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "status-bar--busy",
        "status-bar--error",
        "status-bar--muted",
    }

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        padding: 0 1;
        & > .status-bar--busy { color: $text-accent; }
        & > .status-bar--error { color: $text-error; text-style: bold; }
        & > .status-bar--muted { color: $text-muted; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._where = ""
        self._state = ""
        self._state_kind = ""
        self._connection = ""
        self._spin = 0
        self._timer: Timer | None = None

    @property
    def text(self) -> str:
        """The whole line as plain text (what a screen reader or a test would read)."""
        parts = [part for part in (self._where, self._state_text()) if part]
        line = " · ".join(parts)
        return f"{line}  {self._connection}" if self._connection else line

    def show(self, where: str, *, state: str = "", kind: str = "", connection: str = "") -> None:
        """Set the line. ``kind`` is ``busy`` (a spinner runs), ``error`` or empty."""
        changed = (where, state, kind, connection) != (
            self._where,
            self._state,
            self._state_kind,
            self._connection,
        )
        self._where, self._state, self._state_kind = where, state, kind
        self._connection = connection
        if kind == "busy" and self._timer is None and self.is_mounted:
            self._timer = self.set_timer(SPIN_AFTER, self._start_spinning)
        elif kind != "busy" and self._timer is not None:
            self._timer.stop()
            self._timer = None
        if changed:
            self.refresh()

    def _start_spinning(self) -> None:
        self._timer = self.set_interval(0.1, self._tick)
        self._tick()

    def _tick(self) -> None:
        self._spin = (self._spin + 1) % len(SPINNER)
        self.refresh()

    def _state_text(self) -> str:
        if self._state_kind == "busy" and self._state:
            return f"{SPINNER[self._spin]} {self._state}"
        return self._state

    def render(self) -> RenderableType:
        width = self.content_region.width or self.size.width
        right = Text(self._connection, style=foreground(self, "status-bar--muted"), end="")
        spare = width - min(width, LEFT_MIN) - 2
        if right.cell_len > spare:
            if spare >= 8:
                right.truncate(spare, overflow="ellipsis")
            else:
                right = Text(end="")
        room = max(0, width - right.cell_len - 2) if right else width
        state = Text(end="")
        state_text = self._state_text()
        if state_text:
            kind = "status-bar--error" if self._state_kind == "error" else "status-bar--busy"
            state.append(" · ")
            state.append(state_text, style=foreground(self, kind) if self._state_kind else "")
        # What is happening now matters more than the filters: the state keeps up to half the
        # line (more when the rest is short) and the filters give way first.
        where = Text(self._where, end="")
        state_room = max(room // 2, room - where.cell_len)
        state.truncate(state_room, overflow="ellipsis")
        where.truncate(max(0, room - state.cell_len), overflow="ellipsis")
        line = Text(no_wrap=True, end="")
        line.append_text(where)
        line.append_text(state)
        gap = width - line.cell_len - right.cell_len
        if right and gap >= 2:
            line.append(" " * gap)
            line.append_text(right)
        return line
