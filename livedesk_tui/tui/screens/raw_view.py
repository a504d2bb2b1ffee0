"""The contact as the server sent it: its JSON, pretty-printed, for the fields no view shows.

Keys stay in the server's order and text stays as sent (``ensure_ascii=False``); only the
layout changes (two-space indent). Every character that could drive the terminal is made
visible (``clean_multiline``) and the text is shown literally, never parsed as markup.
"""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import ModalScreen
from textual.widgets import Static

from ...api.models import Contact
from ...api.sanitize import clean, clean_multiline, clip
from ..commands import bindings
from ..widgets.key_bar import KeyBar
from ..widgets.key_scroll import KeyScroll


def pretty_json(contact: Contact) -> str:
    """The contact's JSON with a two-space indent, keys in the server's order.

    The server's own text is read again (``raw_json``) so nothing the tolerant reader dropped
    or changed is lost; text that is not JSON is shown as it came.
    """
    source: Any
    if contact.raw_json:
        try:
            source = json.loads(contact.raw_json)
        except ValueError:
            return contact.raw_json
    else:
        source = dict(contact.raw)
    try:
        return json.dumps(source, ensure_ascii=False, indent=2)
    except ValueError:  # a value json cannot write back (a number too large to print)
        return contact.raw_json


_TOKEN = re.compile(
    r'(?P<str>"(?:[^"\\\n]|\\.)*")(?P<key>[ \t]*:)?'
    r"|(?P<number>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"
    r"|(?P<word>true|false|null)"
    r"|(?P<brace>[{}\[\]])"
)
"""One JSON token, read left to right: a string (a key when a colon follows) takes in its
escapes, ``\\"`` and ``\\\\`` alike, so a backslash at its end cannot make it run on."""

_WORD_STYLES = {"true": "json.bool_true", "false": "json.bool_false", "null": "json.null"}


def highlight_json(text: Text) -> None:
    """Colour ``text``, JSON as ``json.dumps`` writes it, with the ``json.*`` theme styles.

    Rich's ``JSONHighlighter`` ends a string at the first quote after anything but a
    backslash, so a value ending in an escaped backslash ran on and coloured what followed.
    """
    for match in _TOKEN.finditer(text.plain):
        kind = match.lastgroup if match.lastgroup != "key" else "str"
        if kind == "str":
            style = "json.key" if match["key"] else "json.str"
            text.stylize(style, match.start("str"), match.end("str"))
        elif kind == "word":
            text.stylize(_WORD_STYLES[match["word"]], match.start(), match.end())
        else:
            text.stylize(f"json.{kind}", match.start(), match.end())


def raw_text(contact: Contact) -> Text:
    """``pretty_json`` cleaned and highlighted as JSON, ready to show literally."""
    text = Text(clean_multiline(pretty_json(contact)), no_wrap=True, end="")
    highlight_json(text)
    return text


class RawViewScreen(ModalScreen[None]):
    """Full screen, scrollable both ways; escape goes back."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("raw")

    def __init__(self, contact: Contact) -> None:
        super().__init__()
        self.contact = contact

    def compose(self) -> ComposeResult:
        title = "Raw JSON · " + clip(clean(self.contact.display_name), 60)
        yield Static(Text(title), id="raw-title")
        with KeyScroll(id="raw-body"):
            yield Static(raw_text(self.contact), id="raw-json")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#raw-body").focus()
