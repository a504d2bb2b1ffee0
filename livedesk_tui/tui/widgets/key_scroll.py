"""Scrolling from the keyboard where every key press counts.

Textual's scroll keys defer the scroll to after the next refresh and read the position to move
from when the key arrives. Keys that arrive together (ten arrows in one write, a held key on a
slow link) all read the same position before any of them has moved it, so ten arrows scroll
one line. Here each key moves from where the previous one left the view, at once and without
an animation: ten arrows scroll ten lines, as they move the table's cursor ten rows.
"""

from __future__ import annotations

from textual.actions import SkipAction
from textual.containers import ScrollableContainer, VerticalScroll


class KeyScrollMixin:
    """Scroll actions that move from the last position asked for, immediately.

    Mixed into a ``ScrollableContainer`` (before it in the bases).
    """

    def _step(self, x: float = 0, y: float = 0) -> None:
        widget = self._scrollable
        if (x and not widget.allow_horizontal_scroll) or (y and not widget.allow_vertical_scroll):
            raise SkipAction()
        widget.scroll_to(
            x=widget.scroll_target_x + x if x else None,
            y=widget.scroll_target_y + y if y else None,
            animate=False,
            immediate=True,
        )

    @property
    def _scrollable(self) -> ScrollableContainer:
        assert isinstance(self, ScrollableContainer)
        return self

    def _page(self) -> int:
        return self._scrollable.scrollable_content_region.height

    def action_scroll_down(self) -> None:
        self._step(y=1)

    def action_scroll_up(self) -> None:
        self._step(y=-1)

    def action_scroll_right(self) -> None:
        self._step(x=1)

    def action_scroll_left(self) -> None:
        self._step(x=-1)

    def action_page_down(self) -> None:
        self._step(y=self._page())

    def action_page_up(self) -> None:
        self._step(y=-self._page())

    def action_scroll_home(self) -> None:
        widget = self._scrollable
        x = 0 if widget.scroll_target_y == 0 else None  # home twice: the left edge too
        widget.scroll_to(x=x, y=0, animate=False, immediate=True)

    def action_scroll_end(self) -> None:
        widget = self._scrollable
        at_end = widget.scroll_target_y >= widget.max_scroll_y
        x = widget.max_scroll_x if at_end else None
        widget.scroll_to(x=x, y=widget.max_scroll_y, animate=False, immediate=True)


class KeyScroll(KeyScrollMixin, ScrollableContainer):
    """A container scrolling both ways, one step per key press."""


class KeyVerticalScroll(KeyScrollMixin, VerticalScroll):
    """A vertical scroll, one step per key press."""
