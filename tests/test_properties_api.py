"""Property-based tests of the response parser and the text cleaner: any input, no surprises."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from livedesk_tui.api.errors import BadResponseError
from livedesk_tui.api.export import csv_row, render, spreadsheet_safe
from livedesk_tui.api.models import MAX_COUNT, Contact, ContactQuery
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


# JSON text as a hostile server may write it: numbers past every limit, the constants Python's
# reader takes, nesting deeper than it recurses, and arbitrary text.
huge_numbers = st.builds(
    lambda sign, digits, exponent: sign + digits + exponent,
    st.sampled_from(["", "-"]),
    st.integers(1, 6000).map(lambda n: "9" * n)
    | st.from_regex(r"[1-9][0-9]{0,30}", fullmatch=True),
    st.sampled_from(["", ".5", "e400", "e-400", "E+30", "e308"]),
)
number_texts = huge_numbers | st.sampled_from(["NaN", "Infinity", "-Infinity", "0", "-0", "1e30"])
scalar_texts = (
    number_texts
    | st.sampled_from(["true", "false", "null", '""'])
    | st.text(max_size=10).map(json.dumps)
)
deep_texts = st.integers(1, 4000).map(lambda depth: "[" * depth + "]" * depth)
value_texts = st.recursive(
    scalar_texts | deep_texts,
    lambda inner: (
        st.lists(inner, max_size=4).map(lambda items: "[" + ",".join(items) + "]")
        | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=4), inner, max_size=4).map(
            lambda pairs: "{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in pairs.items()) + "}"
        )
    ),
    max_leaves=10,
)


@SETTINGS
@given(
    st.lists(value_texts, max_size=6),
    value_texts,
    st.sampled_from(["count", "has_more", "current_page"]),
    st.none() | st.integers(0, 8),
    st.booleans(),
)
def test_any_json_text_gives_a_page_or_a_bad_response(
    items: list[str], meta_value: str, meta_key: str, max_contacts: int | None, meta_last: bool
) -> None:
    payload = '"payload":[' + ",".join(items) + "]"
    meta = f'"meta":{{"{meta_key}":{meta_value}}}'
    body = ("{" + (f"{payload},{meta}" if meta_last else f"{meta},{payload}") + "}").encode()
    try:
        page = parse_page(body, ContactQuery(), max_contacts=max_contacts)
    except BadResponseError as exc:
        assert not DANGEROUS & set(str(exc)) and len(str(exc)) < 400
        return
    assert len(page.contacts) + page.omitted == len(items)
    if max_contacts is not None:
        assert len(page.contacts) <= max_contacts
    assert page.total is None or 0 <= page.total <= MAX_COUNT
    if page.page_count is not None:
        assert 1 <= page.page_count <= MAX_COUNT
    for contact in page.contacts:
        for text in (contact.name, contact.email, contact.display_name, contact.key):
            assert isinstance(text, str)
        assert contact.created_at is None or contact.created_at.year <= 9999


@SETTINGS
@given(st.binary(max_size=200) | value_texts.map(str.encode), st.none() | st.integers(0, 3))
def test_any_body_read_in_part_gives_a_page_or_a_bad_response(
    body: bytes, max_contacts: int | None
) -> None:
    try:
        parse_page(body, ContactQuery(), max_contacts=max_contacts)
    except BadResponseError as exc:
        assert not DANGEROUS & set(str(exc))


@SETTINGS
@given(value_texts)
def test_any_error_body_gives_one_inert_line(text: str) -> None:
    detail = error_detail(text.encode(), "application/json")
    assert not DANGEROUS & set(detail) and len(detail) <= 160


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
