"""Make untrusted text safe to put in front of a person.

Strings from the server are typed by end customers. Before display they lose every character
that could drive the terminal or reorder what is shown: C0/C1 controls (escape sequences start
with one) become visible control pictures, and bidirectional overrides become U+FFFD. Markup is
not this module's concern: the TUI wraps text in ``rich.text.Text``, which never parses it.
"""

from __future__ import annotations

import re

_BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI_CONTROLS}\u2028\u2029\ufeff]")


def _picture(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟: the escape shows as ␛, visible and inert
    if code == 0x7F:
        return "\u2421"  # ␡
    if char in "\u2028\u2029":
        return "\u21b5"  # ↵
    if char == "\ufeff":
        return ""
    return "\ufffd"


def clean(text: str) -> str:
    """One line of inert text: controls shown as pictures, bidi overrides replaced."""
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(_picture, text)


def clean_multiline(text: str) -> str:
    """Like ``clean`` but keeps line breaks (for descriptions and raw JSON views)."""
    return "\n".join(clean(line) for line in text.replace("\r\n", "\n").split("\n"))


def clip(text: str, limit: int) -> str:
    """Cut to ``limit`` characters with an ellipsis, for messages built from server replies."""
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"
