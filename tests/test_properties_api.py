"""Property-based tests of the response parser and the text cleaner: any input, no surprises."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from livedesk_tui.api.errors import BadResponseError
from livedesk_tui.api.export import csv_row, render, spreadsheet_safe
from livedesk_tui.api.models import Contact, ContactQuery
from livedesk_tui.api.parse import error_detail, parse_page
from livedesk_tui.api.sanitize import clean

FIELDS = (
    "id",
    "name",
    "email",
    "phone_number",
    "identifier",
    "thumbnail",
    "availability_status",
    "blocked",
    "created_at",
    "last_activity_at",
    "additional_attributes",
    "custom_attributes",
    "contact_inboxes",
)

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
contact_like = st.dictionaries(
    st.sampled_from(FIELDS) | st.text(max_size=6), json_values, max_size=8
)

# Characters that could drive a terminal or reorder text if they reached the screen.
DANGEROUS = (
    {chr(c) for c in range(0x20)}
    | {chr(c) for c in range(0x7F, 0xA0)}
    | set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.lists(json_values | contact_like, max_size=6), json_values)
def test_any_payload_items_parse_without_exception(items: list[Any], count: Any) -> None:
    body = json.dumps({"meta": {"count": count, "current_page": 1}, "payload": items}).encode()
    try:
        page = parse_page(body, ContactQuery())
    except BadResponseError:
        return  # a count that is not a count is a reported bad response, never a crash
    assert len(page.contacts) == len(items)
    for contact, item in zip(page.contacts, items, strict=True):
        assert json.loads(contact.raw_json) == item
        for text in (contact.name, contact.email, contact.display_name, contact.company):
            assert isinstance(text, str)


@SETTINGS
@given(st.binary(max_size=200))
def test_any_bytes_give_a_page_or_a_bad_response(body: bytes) -> None:
    try:
        parse_page(body, ContactQuery())
    except BadResponseError as exc:
        assert not DANGEROUS & set(str(exc))


@SETTINGS
@given(st.text())
def test_clean_leaves_no_control_or_bidi_character(text: str) -> None:
    cleaned = clean(text)
    assert not DANGEROUS & set(cleaned)
    # Everything else is kept, in order: cleaning removes nothing a person should see.
    kept = [ch for ch in text if ch not in DANGEROUS and ch not in "\u2028\u2029\ufeff"]
    assert "".join(ch for ch in cleaned if ch in set(kept)) == "".join(kept)


@SETTINGS
@given(
    st.binary(max_size=300), st.sampled_from(["application/json", "text/html", "text/plain", ""])
)
def test_error_detail_is_always_one_inert_line(body: bytes, content_type: str) -> None:
    detail = error_detail(body, content_type)
    assert not DANGEROUS & set(detail)
    assert len(detail) <= 160


@SETTINGS
@given(contact_like)
def test_csv_cells_are_never_formulas_and_exports_never_raise(raw: dict[str, Any]) -> None:
    contact = Contact.from_json(raw, json.dumps(raw))
    for cell in csv_row(contact):
        safe = spreadsheet_safe(cell)
        assert not safe.startswith(("=", "+", "-", "@", "\t", "\r"))
    for fmt in ("csv", "json", "jsonl"):
        render(fmt, [contact])  # type: ignore[arg-type]
    assert json.loads(render("jsonl", [contact])) == raw
