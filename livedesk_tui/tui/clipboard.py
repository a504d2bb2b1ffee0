"""Decide how a copy goes: the bytes to send the terminal, and what to tell the person.

The app only writes what ``plan_copy`` returns and shows its message; the decision (inside
tmux or not, a terminal known to refuse OSC 52, a value too large, nothing to copy) is made
here, without Textual, so it can be tested byte for byte.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ..api.sanitize import clean, clip
from .osc52 import MAX_SEQUENCE_BYTES, in_tmux, osc52_sequence, too_large, unsupported_reason

if TYPE_CHECKING:
    from .tmux import TmuxClipboard

Severity = Literal["information", "warning", "error"]

SHOWN_VALUE = 120
"""Characters of a copied value repeated in the notification."""


@dataclass(frozen=True, slots=True)
class CopyPlan:
    """What a copy does: ``sequence`` to write (None: nothing), and the notification."""

    sequence: str | None
    message: str
    severity: Severity = "information"


def plan_copy(
    text: str,
    what: str,
    *,
    environ: Mapping[str, str],
    has_terminal: bool = True,
    show_value: bool = True,
    tmux: TmuxClipboard | None = None,
) -> CopyPlan:
    """How to copy ``text`` (``what`` names it: "email", "contact as JSON").

    Args:
        text: The value to put on the clipboard.
        what: Its name in the notification.
        environ: The environment (``TMUX``, ``TERM``, ``TERM_PROGRAM`` are read).
        has_terminal: False when the app has no terminal to write to.
        show_value: Repeat the value in the message (short single values; not whole JSON).
        tmux: tmux's clipboard options when inside tmux and they could be read (``tmux``);
            unknown ones get the passthrough, which tmux before 3.3 always let through.
    """
    if not text:
        return CopyPlan(None, f"This contact has no {what} to copy.", "warning")
    shown = clip(clean(text), SHOWN_VALUE) if show_value else f"{len(text.encode()):,} bytes"
    fallback = f"The {what} is: {shown}" if show_value else "Open the raw view to read it."
    reason = "no terminal is attached" if not has_terminal else unsupported_reason(environ)
    if reason is not None:
        return CopyPlan(None, f"Could not copy the {what}: {reason}. {fallback}", "warning")
    inside = in_tmux(environ)
    wrapped = inside
    if inside and tmux is not None:
        if not (tmux.takes_bare or tmux.passes_wrapped):
            return CopyPlan(
                None,
                f"Could not copy the {what}: tmux passes no clipboard sequence on "
                f"(set-clipboard is {clean(clip(tmux.set_clipboard, 20))}, allow-passthrough "
                f"{clean(clip(tmux.allow_passthrough or '', 20))}); run tmux set -g "
                f"set-clipboard on, then copy again. {fallback}",
                "warning",
            )
        wrapped = not tmux.takes_bare  # tmux sets the outer clipboard from a bare sequence
    sequence = osc52_sequence(text, tmux=wrapped)
    if too_large(sequence):
        size = len(sequence) // 1000
        limit = MAX_SEQUENCE_BYTES // 1000
        return CopyPlan(
            None,
            f"The {what} is too large to copy through the terminal ({size:,} kB encoded; "
            f"terminals take about {limit} kB). Export it to a file instead.",
            "warning",
        )
    through = "OSC 52 through tmux" if inside else "OSC 52"
    return CopyPlan(sequence, f"Copied {what} to the clipboard ({through}): {shown}")
