"""Property-based tests of what the TUI draws from contact data: any JSON value where a field is
expected, any text (controls, escape sequences, bidi overrides, combining marks, wide characters,
markup, very long strings) gives inert ``Text`` and nothing from the data reaches the terminal
as a control sequence or a style.

Table cells, the detail view and the raw JSON view are built by the same functions the widgets
call, then rendered through a Rich console as the terminal would receive them.
"""

from __future__ import annotations

import io
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console, RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from tui_fixtures import FIXED_NOW

from livedesk_tui.api.models import Contact
from livedesk_tui.tui.formatting import cell, format_value, key_label, text_or_empty
from livedesk_tui.tui.screens.raw_view import raw_text
from livedesk_tui.tui.widgets.contact_detail import detail_renderable
from livedesk_tui.tui.widgets.contacts_table import WIDE_COLUMNS, _cell

BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
DANGEROUS = frozenset(
    [chr(c) for c in range(0x20)] + [chr(c) for c in range(0x7F, 0xA0)] + list(BIDI)
)
"""Characters that drive a terminal or reorder the text around them."""
IN_A_LINE = DANGEROUS | {"\u2028", "\u2029"}
SGR = re.compile(r"\x1b\[[0-9;]*m")
"""The only control sequence the renderer itself may write: colours and weights."""

FRAGMENTS = (
    "\x1b[31m",
    "\x1b[2J\x1b[H",
    "\x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\",
    "\x1b]52;c;ZXZpbA==\x07",
    "\x9b31m",
    "\x90q\x9c",
    "\r\n",
    "\t",
    "\x00",
    "\x08\x08",
    "\u2028",
    "\ufeff",
    "[bold red]x[/]",
    "[@click=app.quit]click[/]",
    "[link=https://evil.example]x[/link]",
    ":warning:",
    "東京都千代田区",
    "👩\u200d💻",
    "🇯🇵",
    "e\u0301\u0301\u0301",
    "\u202eexe.fdp",
    "\u2067ltr\u2069",
)
wild_char = st.one_of(
    st.characters(min_codepoint=0, max_codepoint=0x1F),
    st.characters(min_codepoint=0x7F, max_codepoint=0x9F),
    st.sampled_from(BIDI),
    st.characters(min_codepoint=0x300, max_codepoint=0x36F),  # combining marks
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),  # wide CJK
    st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),  # emoji
    st.characters(),
)
short_text = st.lists(st.sampled_from(FRAGMENTS) | wild_char, max_size=12).map("".join)
long_text = st.builds(lambda text, times: text * times, short_text, st.integers(20, 300))
any_text = st.one_of(short_text, short_text, long_text)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    any_text,
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(short_text, inner, max_size=3),
    max_leaves=8,
)
TEXT_FIELDS = ("name", "email", "phone_number", "identifier", "thumbnail", "availability_status")
ATTRIBUTES = ("city", "country", "country_code", "company_name", "description", "telegram")

inbox = st.fixed_dictionaries(
    {},
    optional={
        "source_id": json_values,
        "inbox": st.fixed_dictionaries(
            {}, optional={"id": json_values, "name": json_values, "channel_type": json_values}
        )
        | json_values,
    },
)
additional = st.fixed_dictionaries(
    {},
    optional={
        **{key: json_values for key in ATTRIBUTES},
        "social_profiles": st.dictionaries(short_text, json_values, max_size=3) | json_values,
    },
) | st.dictionaries(short_text, json_values, max_size=3)
contacts = st.fixed_dictionaries(
    {},
    optional={
        "id": json_values,
        **{field: any_text | json_values for field in TEXT_FIELDS},
        "blocked": json_values,
        "created_at": st.integers(-(2**40), 2**40) | json_values,
        "last_activity_at": st.integers(-(2**40), 2**40) | json_values,
        "additional_attributes": additional | json_values,
        "custom_attributes": st.dictionaries(short_text, json_values, max_size=4) | json_values,
        "contact_inboxes": st.lists(inbox, max_size=3) | json_values,
    },
).map(lambda raw: Contact.from_json(raw))

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CELL_STYLES = {
    "online": Style(color="green"),
    "muted": Style(dim=True),
    "blocked": Style(color="red"),
}


def segments(renderable: RenderableType, width: int) -> list[Segment]:
    console = Console(
        width=width, force_terminal=True, color_system="truecolor", file=io.StringIO()
    )
    return list(console.render(renderable))


def terminal_bytes(renderable: RenderableType, width: int) -> str:
    """What a terminal ``width`` cells wide would be sent for ``renderable``."""
    out = io.StringIO()
    console = Console(
        width=width, force_terminal=True, color_system="truecolor", file=out, legacy_windows=False
    )
    console.print(renderable)
    return out.getvalue()


def assert_inert_output(renderable: RenderableType, width: int) -> None:
    """Only the renderer's own colour codes and line ends reach the terminal; no line is wider
    than the terminal."""
    sent = terminal_bytes(renderable, width)
    bare = SGR.sub("", sent)
    assert not (DANGEROUS - {"\n"}) & set(bare), repr(bare[:200])
    for line in bare.split("\n"):
        assert cell_len(line) <= width


def assert_unstyled_by_data(renderable: RenderableType, width: int) -> None:
    """Rendered with the plain default styles (bold and dim only), nothing may carry a colour,
    a link, an action or any other attribute: such a style could only come from the data."""
    for segment in segments(renderable, width):
        assert not segment.control
        assert not (DANGEROUS - {"\n"}) & set(segment.text)
        style = segment.style
        if style is None:
            continue
        assert style.color is None and style.bgcolor is None, style
        assert not style.link and not style.meta, style
        assert not (style.blink or style.reverse or style.conceal or style.italic), style
        assert not (style.underline or style.strike or style.overline), style


@SETTINGS
@given(contacts)
def test_every_table_cell_is_one_inert_line(contact: Contact) -> None:
    for column in WIDE_COLUMNS:
        text = _cell(contact, column.key, FIXED_NOW, CELL_STYLES)
        assert isinstance(text, Text)
        assert not IN_A_LINE & set(text.plain), (column.key, text.plain[:80])
        assert text.spans == [], "no markup was parsed: one style for the whole cell"
        assert str(text.style) in {"", *(str(style) for style in CELL_STYLES.values())}
        assert_inert_output(text, 24)


@SETTINGS
@given(contacts, st.sampled_from([18, 44, 100]))
def test_the_detail_view_is_inert_at_any_width(contact: Contact, width: int) -> None:
    view = detail_renderable(contact, FIXED_NOW)
    assert_unstyled_by_data(view, width)
    assert_inert_output(view, width)


@SETTINGS
@given(contacts)
def test_the_raw_json_view_is_inert(contact: Contact) -> None:
    text = raw_text(contact)
    assert isinstance(text, Text)
    assert not (IN_A_LINE - {"\n"}) & set(text.plain)
    sent = SGR.sub("", terminal_bytes(text, 60))
    assert not (DANGEROUS - {"\n"}) & set(sent)


@SETTINGS
@given(json_values, json_values)
def test_values_and_keys_read_as_one_inert_line(value: Any, key: Any) -> None:
    for shown in (format_value(value), key_label(key)):
        assert isinstance(shown, str)
        assert not IN_A_LINE & set(shown)
    if isinstance(value, str):
        for built in (cell(value), text_or_empty(value)):
            assert not IN_A_LINE & set(built.plain)
            assert built.spans == []
