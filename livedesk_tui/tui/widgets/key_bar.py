"""The bottom line of keys: ``n Next  p Prev  / Search …`` and the palette key on the right.

It reads like Textual's ``Footer`` but is one widget drawing one line of text, where the
``Footer`` mounts a widget per key and restyles each of them as the screen starts: at 80x24
that was about a sixth of the time to the first row. It follows the focused screen's bindings
(``bindings_updated_signal``), so remapped keys and a screen's own keys show as they change; a
click on a key presses it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, NamedTuple

from rich.text import Text
from textual import events
from textual.binding import ActiveBinding, Binding
from textual.widget import Widget

NARROW = 60
"""Below this width the palette key is left out (``ctrl+p`` still opens it; help lists it)."""


class Entry(NamedTuple):
    """One key as the bar shows it."""

    shown: str
    """The key as displayed (``^p``)."""
    description: str
    enabled: bool
    key: str
    """The key a click presses."""
    palette: bool = False
    """The command palette's key, drawn on the right."""


def _first_key(binding: Binding) -> str:
    return binding.key.split(",")[0].strip()


class KeyBar(Widget, can_focus=False):
    """The shown bindings of the screen it is on, in one line."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "key-bar--key",
        "key-bar--description",
        "key-bar--divider",
    }
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        text-wrap: nowrap;
        text-overflow: clip;
        color: $footer-foreground;
        background: $footer-background;
        & > .key-bar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-bar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-bar--divider {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._spans: list[tuple[int, int, str]] = []
        """Where each key is drawn: (first cell, end cell, key to press)."""
        self._drawn: tuple[int, tuple[Entry, ...], Text] | None = None
        """The last line drawn, with the width and the entries it was drawn from."""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: object) -> None:
        # Focus moving between widgets says the bindings changed; the keys shown rarely do.
        if self._drawn is None or self._drawn[1] != self._entries():
            self.refresh()

    def notify_style_update(self) -> None:
        self._drawn = None
        super().notify_style_update()

    def shown_bindings(self) -> list[tuple[Binding, bool]]:
        """The bindings to show, one per action, in the order the screen gives them, and
        whether each is enabled now. The palette binding is not among them."""
        return self._shown(self.screen.active_bindings)[0]

    def _shown(
        self, active: Mapping[str, ActiveBinding]
    ) -> tuple[list[tuple[Binding, bool]], tuple[Binding, bool] | None]:
        """The shown bindings (as ``shown_bindings``) and the palette's, if it is offered."""
        palette_key = self.app.COMMAND_PALETTE_BINDING
        seen: set[str] = set()
        shown: list[tuple[Binding, bool]] = []
        for key, (_node, binding, enabled, _tooltip) in active.items():
            if not binding.show or key == palette_key or binding.action in seen:
                continue
            seen.add(binding.action)
            shown.append((binding, enabled))
        palette = active.get(palette_key) if self.app.ENABLE_COMMAND_PALETTE else None
        return shown, None if palette is None else (palette.binding, palette.enabled)

    def _entries(self) -> tuple[Entry, ...]:
        """What the line shows: the shown bindings, then the palette's key."""
        shown, palette = self._shown(self.screen.active_bindings)
        display = self.app.get_key_display
        entries = [
            Entry(display(binding), binding.description, enabled, _first_key(binding))
            for binding, enabled in shown
        ]
        if palette is not None:
            binding, enabled = palette
            entries.append(
                Entry(
                    display(binding),
                    binding.description,
                    enabled,
                    _first_key(binding),
                    palette=True,
                )
            )
        return tuple(entries)

    def render(self) -> Text:
        width = self.size.width
        entries = self._entries()
        if self._drawn is not None and self._drawn[:2] == (width, entries):
            return self._drawn[2]
        line = self._line(width, entries)
        self._drawn = (width, entries, line)
        return line

    def _line(self, width: int, entries: tuple[Entry, ...]) -> Text:
        key_style = self.get_component_rich_style("key-bar--key")
        text_style = self.get_component_rich_style("key-bar--description")
        line = Text(no_wrap=True, overflow="crop", end="")
        spans: list[tuple[int, int, str]] = []
        for shown, description, enabled, key, palette in entries:
            if palette:  # on the right
                if width < NARROW:
                    continue
                hint = Text.assemble(
                    ("▏", self.get_component_rich_style("key-bar--divider")),
                    (shown, key_style),
                    (f" {description}", text_style),
                    " ",
                )
                gap = width - line.cell_len - hint.cell_len
                if gap < 0:
                    continue
                line.append(" " * gap)
                start, first = line.cell_len, len(line)
                line.append_text(hint)
            else:
                start, first = line.cell_len, len(line)
                line.append(f" {shown} ", key_style)
                line.append(f"{description} ", text_style)
            if not enabled:
                line.stylize("dim", first)  # characters, where ``start`` counts cells
            spans.append((start, line.cell_len, key))
        self._spans = spans
        return line

    def key_at(self, x: int) -> str | None:
        """The key drawn at column ``x``, if any."""
        for start, end, key in self._spans:
            if start <= x < end:
                return key
        return None

    def on_click(self, event: events.Click) -> None:
        key = self.key_at(event.x)
        if key is not None:
            event.stop()
            self.app.simulate_key(key)
