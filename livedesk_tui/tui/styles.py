"""Colours from the theme for text drawn with rich styles inside widgets.

A component class's *partial* style keeps colours with an alpha (``$text-muted``) unblended,
and rich has no alpha: in the light theme such text came out white. The full style is blended
against the widget's background; only its foreground and text attributes are kept, so the
style can sit on any row (the table's cursor row has its own background).
"""

from __future__ import annotations

from rich.style import Style
from textual.widget import Widget


def foreground(widget: Widget, component: str) -> Style:
    """The colour and text style of ``component`` on ``widget``, without its background."""
    full = widget.get_component_rich_style(component)
    return Style(
        color=full.color,
        bold=full.bold,
        italic=full.italic,
        underline=full.underline,
        dim=full.dim,
    )
