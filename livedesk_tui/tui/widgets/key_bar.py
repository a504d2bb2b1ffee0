"""The bottom line of keys: ``n Next  p Prev  / Search …`` and the palette key on the right.

It reads like Textual's ``Footer`` but is one widget drawing one line of text, where the
``Footer`` mounts a widget per key and restyles each of them as the screen starts: at 80x24
that was about a sixth of the time to the first row. It follows the focused screen's bindings
(``bindings_updated_signal``), so remapped keys and a screen's own keys show as they change; a
click on a key presses it.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.widget import Widget

NARROW = 60
"""Below this width the palette key is left out (``ctrl+p`` still opens it; help lists it)."""


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
        self._drawn: tuple[object, Text] | None = None
        """The last line drawn and what it was drawn from, reused while that is the same."""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: object) -> None:
        self._drawn = None
        self.refresh()

    def notify_style_update(self) -> None:
        self._drawn = None
        super().notify_style_update()

    def shown_bindings(self) -> list[tuple[Binding, bool]]:
        """The bindings to show, one per action, in the order the screen gives them, and
        whether each is enabled now. The palette binding is not among them."""
        palette = self.app.COMMAND_PALETTE_BINDING
        seen: set[str] = set()
        shown: list[tuple[Binding, bool]] = []
        for key, (_node, binding, enabled, _tooltip) in self.screen.active_bindings.items():
            if not binding.show or key == palette or binding.action in seen:
                continue
            seen.add(binding.action)
            shown.append((binding, enabled))
        return shown

    def _palette_binding(self) -> tuple[Binding, bool] | None:
        if not self.app.ENABLE_COMMAND_PALETTE:
            return None
        found = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if found is None:
            return None
        _node, binding, enabled, _tooltip = found
        return binding, enabled

    def render(self) -> Text:
        width = self.size.width
        if self._drawn is not None and self._drawn[0] == width:
            return self._drawn[1]
        line = self._line(width)
        self._drawn = (width, line)
        return line

    def _line(self, width: int) -> Text:
        key_style = self.get_component_rich_style("key-bar--key")
        text_style = self.get_component_rich_style("key-bar--description")
        line = Text(no_wrap=True, overflow="crop", end="")
        spans: list[tuple[int, int, str]] = []

        def add(binding: Binding, enabled: bool) -> None:
            start = line.cell_len
            line.append(f" {self.app.get_key_display(binding)} ", key_style)
            line.append(f"{binding.description} ", text_style)
            if not enabled:
                line.stylize("dim", start)
            spans.append((start, line.cell_len, binding.key.split(",")[0].strip()))

        for binding, enabled in self.shown_bindings():
            add(binding, enabled)
        palette = self._palette_binding()
        if palette is not None and width >= NARROW:
            binding, enabled = palette
            hint = Text.assemble(
                ("▏", self.get_component_rich_style("key-bar--divider")),
                (self.app.get_key_display(binding), key_style),
                (f" {binding.description}", text_style),
                " ",
            )
            gap = width - line.cell_len - hint.cell_len
            if gap >= 0:
                start = line.cell_len + gap
                line.append(" " * gap)
                line.append_text(hint)
                if not enabled:
                    line.stylize("dim", start)
                spans.append((start, line.cell_len, binding.key.split(",")[0].strip()))
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
