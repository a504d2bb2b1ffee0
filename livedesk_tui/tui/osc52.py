"""The OSC 52 escape sequence: how a program puts text on the clipboard of the terminal that
shows it, even over SSH, where no local clipboard API can reach.

The sequence is ``ESC ] 52 ; c ; <base64 of the UTF-8 text> BEL``. Inside tmux it must be
wrapped in a DCS passthrough (``ESC P tmux; ... ESC \\`` with every ESC inside doubled), or tmux
keeps it to itself; tmux 3.3 and later also need ``set -g allow-passthrough on`` (or
``set -g set-clipboard on``, which lets tmux take the unwrapped sequence itself).

Pure functions only: nothing here writes to a terminal or imports Textual.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping

ESC = "\x1b"
BEL = "\x07"

MAX_SEQUENCE_BYTES = 100_000
"""The longest sequence sent. Terminals cap what they take (hterm and several others at about
100 kB, some far lower) and drop longer ones whole, so a longer copy is refused up front."""


def osc52_sequence(text: str, *, tmux: bool = False) -> str:
    """The escape sequence that puts ``text`` on the clipboard (selection ``c``).

    Args:
        text: What to copy; sent as UTF-8.
        tmux: Wrap the sequence for tmux's passthrough.
    """
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    sequence = f"{ESC}]52;c;{payload}{BEL}"
    if tmux:
        return tmux_passthrough(sequence)
    return sequence


def tmux_passthrough(sequence: str) -> str:
    """``sequence`` wrapped so tmux hands it on to the terminal outside it."""
    return f"{ESC}Ptmux;" + sequence.replace(ESC, ESC + ESC) + f"{ESC}\\"


def in_tmux(environ: Mapping[str, str]) -> bool:
    """Whether the program runs inside tmux (which sets ``TMUX`` in its panes)."""
    return bool(environ.get("TMUX"))


def unsupported_reason(environ: Mapping[str, str]) -> str | None:
    """Why the terminal is known not to take OSC 52, or None when it may well take it.

    Terminals do not say whether they accept it, so only the known refusals are named.
    """
    if environ.get("TERM_PROGRAM") == "Apple_Terminal":
        return "macOS Terminal does not support OSC 52 (iTerm2, kitty, WezTerm and others do)"
    term = environ.get("TERM", "")
    if term == "linux":
        return "the Linux console has no clipboard"
    if term == "dumb":
        return "this terminal (TERM=dumb) takes no escape sequences"
    return None


def too_large(sequence: str) -> bool:
    """Whether ``sequence`` is longer than terminals are known to take."""
    return len(sequence.encode("ascii", "replace")) > MAX_SEQUENCE_BYTES
