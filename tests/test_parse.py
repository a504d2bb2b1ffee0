"""Response parsing: the documented example, every type variant, and every malformed body."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from livedesk_tui.api.errors import BadResponseError
from livedesk_tui.api.models import (
    MAX_COUNT,
    Contact,
    ContactQuery,
    Page,
    as_bool,
    as_id,
    as_int,
    as_time,
)
from livedesk_tui.api.parse import MAX_PAGE_ROWS, error_detail, parse_page

FIXTURE = Path(__file__).parent / "fixtures" / "livedesk_list_contacts_example.json"


def body(payload: object, count: object = 1, page: object = "1", **meta: object) -> bytes:
    return json.dumps(
        {"meta": {"count": count, "current_page": page, **meta}, "payload": payload}
    ).encode()


def test_documented_example_parses_field_by_field() -> None:
    page = parse_page(FIXTURE.read_bytes(), ContactQuery())
    assert page.total == 1
    assert page.page_count == 1
    (contact,) = page.contacts
    assert contact.id == 318763
    assert contact.name == "support"
    assert contact.email == "support@jiguang.cn"
    assert contact.phone_number == ""  # null in the example
    assert contact.identifier == "4444"
    assert contact.blocked is False
    assert contact.availability_status == "offline"
    assert contact.created_at == datetime.fromtimestamp(1765441895, tz=UTC)
    assert contact.last_activity_at == datetime.fromtimestamp(1765441908, tz=UTC)
    assert contact.social_profiles["github"] == ""
    (inbox,) = contact.contact_inboxes or ()
    assert inbox.source_id == "src_001"
    assert inbox.inbox.name == "カスタマーサービスチャネル"
    assert inbox.channel == "Api"


def test_raw_json_is_the_exact_source_text_of_each_contact() -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    page = parse_page(text.encode(), ContactQuery())
    raw = page.contacts[0].raw_json
    assert raw in text
    assert raw.startswith("{") and raw.endswith("}")
    assert json.loads(raw) == json.loads(text)["payload"][0]


def test_raw_json_keeps_odd_spacing_and_escapes_byte_for_byte() -> None:
    items = ['{"id":1, "name" : "A\\u00e9"}', '{ "id" : 2 ,"name":"\\"q\\""}']
    text = '{"payload": [' + " ,\n ".join(items) + '], "meta": {"count": 2, "current_page": 1}}'
    page = parse_page(text.encode(), ContactQuery())
    assert [c.raw_json for c in page.contacts] == items
    assert page.contacts[0].name == "Aé"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (318763, 318763),
        ("318763", 318763),
        (" 42 ", 42),
        (7.0, 7),
        ("abc-1", "abc-1"),
        (None, None),
        (True, None),
        ([], None),
    ],
)
def test_ids_as_numbers_or_strings(raw: object, expected: object) -> None:
    assert as_id(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (True, True),
        (False, False),
        ("true", True),
        ("false", False),
        ("TRUE", True),
        (1, True),
        (0, False),
        (None, None),
        ("maybe", None),
        ({}, None),
    ],
)
def test_blocked_as_boolean_or_string(raw: object, expected: object) -> None:
    assert as_bool(raw) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (1765441895, datetime(2025, 12, 11, 8, 31, 35, tzinfo=UTC)),
        ("1765441895", datetime(2025, 12, 11, 8, 31, 35, tzinfo=UTC)),
        (1765441895000, datetime(2025, 12, 11, 8, 31, 35, tzinfo=UTC)),
        ("2025-12-11T08:31:35Z", datetime(2025, 12, 11, 8, 31, 35, tzinfo=UTC)),
        ("2025-12-11T08:31:35", datetime(2025, 12, 11, 8, 31, 35, tzinfo=UTC)),
        (None, None),
        ("yesterday", None),
        (-5, None),
        (float("nan"), None),
        (10**30, None),
        (True, None),
    ],
)
def test_timestamps_as_numbers_strings_or_iso(raw: object, expected: object) -> None:
    assert as_time(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(3, 3), ("3", 3), ("-1", None), (-1, None), ("x", None), (2.0, 2), (True, None)],
)
def test_counts(raw: object, expected: object) -> None:
    assert as_int(raw) == expected


@pytest.mark.parametrize("current_page", [1, "1", None])
def test_current_page_as_int_string_or_missing(current_page: object) -> None:
    page = parse_page(body([{"id": 1}], page=current_page), ContactQuery())
    assert page.total == 1 and len(page.contacts) == 1


def test_every_field_missing_or_null_gives_empty_values_not_errors() -> None:
    nulls = {
        key: None
        for key in (
            "id",
            "name",
            "email",
            "phone_number",
            "identifier",
            "blocked",
            "created_at",
            "additional_attributes",
            "custom_attributes",
            "contact_inboxes",
        )
    }
    page = parse_page(body([{}, nulls]), ContactQuery())
    for contact in page.contacts:
        assert contact.id is None
        assert contact.name == contact.email == contact.company == ""
        assert contact.blocked is None
        assert contact.created_at is None
        assert dict(contact.additional_attributes) == {}
    assert page.contacts[0].contact_inboxes is None  # key absent: not requested
    assert page.contacts[1].contact_inboxes == ()  # present but null


def test_wrongly_typed_nested_values_are_tolerated() -> None:
    contact = Contact.from_json(
        {
            "id": "9",
            "name": 12,
            "additional_attributes": {
                "social_profiles": "oops",
                "company_name": ["x"],
                "source_id": "s1",
            },
            "custom_attributes": [1, 2],
            "contact_inboxes": [None, "x", {"source_id": 5, "inbox": {"id": "3", "name": None}}],
        }
    )
    assert contact.id == 9
    assert contact.name == "12"
    assert contact.social_profiles == {}
    assert contact.company == ""
    assert contact.additional_attributes["source_id"] == "s1"  # unknown keys kept
    assert contact.custom_attributes == {}
    assert [ci.source_id for ci in contact.contact_inboxes or ()] == ["", "", "5"]
    assert (contact.contact_inboxes or ())[2].inbox.id == 3


def test_unknown_keys_are_kept_in_attributes_and_raw() -> None:
    raw = {
        "id": 1,
        "additional_attributes": {"created_at_ip": "1.2.3.4"},
        "custom_attributes": {"plan": "pro", "seats": 5},
        "extra_top": True,
    }
    contact = parse_page(body([raw]), ContactQuery()).contacts[0]
    assert contact.additional_attributes["created_at_ip"] == "1.2.3.4"
    assert contact.custom_attributes == {"plan": "pro", "seats": 5}
    assert contact.raw["extra_top"] is True


def test_non_object_payload_items_become_empty_contacts() -> None:
    page = parse_page(body([1, "x", None, [1]], count=4), ContactQuery())
    assert len(page.contacts) == 4
    assert all(c.id is None for c in page.contacts)
    assert len({c.key for c in page.contacts}) == 4  # still distinct row keys


def test_count_is_the_total_not_the_page_length() -> None:
    page = parse_page(body([{"id": i} for i in range(15)], count=40), ContactQuery(page=2))
    assert page.total == 40
    assert page.page_count == 3
    assert not page.is_last
    assert parse_page(body([], count=40), ContactQuery(page=9)).contacts == ()


def test_has_more_paging_without_total() -> None:
    page = parse_page(body([{"id": 1}], count=1, has_more=True), ContactQuery())
    assert page.total is None and page.page_count is None
    assert page.has_more is True and not page.is_last


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        (b"", "empty"),
        (b"   ", "empty"),
        (b"<html><body>Bad Gateway</body></html>", "not JSON"),
        (b"Retry later", "not JSON"),
        (b'{"meta": {"count": 1}, "payload": [{"id": 1', "cut short"),
        (b'{"meta": {"count": 1}, "payload": []} trailing', "extra data"),
        (b"[1, 2]", "expected a JSON object"),
        (b'"text"', "expected a JSON object"),
        (b'{"meta": {"count": 1}, "payload": {"id": 1}}', "'payload' should be a list"),
        (b'{"meta": {"count": 1}}', "'payload' should be a list of contacts but is missing"),
        (b'{"payload": []}', "'meta' is missing"),
        (b'{"meta": {"count": -3}, "payload": []}', "not a count"),
        (b'{"meta": {"count": "many"}, "payload": []}', "not a count"),
        (b'{"meta": {"count": 1}, "payload": [] ', "cut short"),
        (b"\xff\xfe{}", "not UTF-8"),
    ],
)
def test_malformed_bodies_raise_bad_response_with_status_and_preview(
    raw: bytes, needle: str
) -> None:
    with pytest.raises(BadResponseError) as caught:
        parse_page(raw, ContactQuery(), status=200)
    message = str(caught.value)
    assert needle in message
    assert "HTTP 200" in message
    assert "\x1b" not in message


def test_bad_response_preview_is_inert_and_short() -> None:
    hostile = b"\x1b[2J\x1b]52;c;ZXZpbA==\x07" + b"A" * 500
    with pytest.raises(BadResponseError) as caught:
        parse_page(hostile, ContactQuery(), status=200)
    message = str(caught.value)
    assert "\x1b" not in message and "\x07" not in message
    assert "␛" in message
    assert len(message) < 300


@pytest.mark.parametrize(
    ("raw", "content_type", "expected"),
    [
        (b'{"error": "Invalid Access Token"}', "application/json", "Invalid Access Token"),
        (
            b'{"errors": ["You need to sign in or sign up before continuing."]}',
            "application/json",
            "You need to sign in or sign up before continuing.",
        ),
        (b'{"message": "q is required"}', "application/json", "q is required"),
        (b"Retry later", "text/plain", "Retry later"),
        (
            b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
            "text/html",
            "502 Bad Gateway",
        ),
        (b"", "", ""),
        (b'{"error": "\\u001b[31mred"}', "application/json", "␛[31mred"),
    ],
)
def test_error_detail_reads_each_server_style(raw: bytes, content_type: str, expected: str) -> None:
    assert error_detail(raw, content_type) == expected


def test_page_count_uses_the_page_size_actually_used() -> None:
    page = Page(query=ContactQuery(page_size=100), contacts=(), total=31, page_size=15)
    assert page.page_count == 3


# --- limits: big pages, deep nesting, numbers past Python's own --------------------------------


def rows(count: int) -> list[dict[str, object]]:
    return [{"id": number, "name": f"c{number}"} for number in range(1, count + 1)]


def test_max_contacts_builds_that_many_and_counts_the_rest() -> None:
    page = parse_page(body(rows(50), count=50), ContactQuery(page_size=50), max_contacts=7)
    assert [c.id for c in page.contacts] == list(range(1, 8))
    assert page.omitted == 43 and page.total == 50
    assert page.contacts[6].raw_json == '{"id": 7, "name": "c7"}'


def test_meta_after_a_long_payload_is_found_and_the_rest_still_checked() -> None:
    text = json.dumps({"payload": rows(30), "meta": {"count": 30}}).encode()
    page = parse_page(text, ContactQuery(page_size=30), max_contacts=2)
    assert (len(page.contacts), page.omitted, page.total) == (2, 28, 30)
    broken = text.replace(b'"id": 29', b'"id": 29,,')
    with pytest.raises(BadResponseError, match="malformed"):
        parse_page(broken, ContactQuery(page_size=30), max_contacts=2)


def test_max_contacts_when_the_payload_is_not_walked_row_by_row() -> None:
    text = b'{"meta":{"count":3},"payload":' + json.dumps(rows(3)).encode() + b"}"
    page = parse_page(text, ContactQuery(), max_contacts=1)
    assert (len(page.contacts), page.omitted) == (1, 2)


def test_a_count_below_the_rows_sent_counts_the_omitted_rows_too() -> None:
    page = parse_page(body(rows(40), count=3), ContactQuery(page_size=40), max_contacts=5)
    assert page.total == 40


def test_a_page_past_max_page_rows_is_a_bad_response_unless_read_in_part() -> None:
    text = body(rows(MAX_PAGE_ROWS + 1), count=MAX_PAGE_ROWS + 1)
    with pytest.raises(BadResponseError, match=f"more than {MAX_PAGE_ROWS:,} contacts"):
        parse_page(text, ContactQuery())
    assert parse_page(text, ContactQuery(), max_contacts=10).omitted == MAX_PAGE_ROWS - 9


@pytest.mark.parametrize("depth", [1_500, 100_000])
@pytest.mark.parametrize("where", ["payload", "meta", "top", "row"])
def test_nesting_too_deep_is_a_bad_response(depth: int, where: str) -> None:
    deep = "[" * depth + "]" * depth
    texts = {
        "payload": '{"meta":{"count":1},"payload":' + deep + "}",
        "meta": '{"meta":{"count":1,"x":' + deep + '},"payload":[]}',
        "top": deep,
        "row": '{"meta":{"count":1},"payload":[{"id":1,"x":' + deep + "}]}",
    }
    with pytest.raises(BadResponseError, match="nested too deeply"):
        parse_page(texts[where].encode(), ContactQuery())


def test_an_integer_past_the_digit_limit_is_kept_as_its_digits() -> None:
    digits = "7" * 5000
    text = ('{"meta":{"count":2},"payload":[{"id":' + digits + ',"name":"Ada"},{"id":2}]}').encode()
    page = parse_page(text, ContactQuery())
    assert page.contacts[0].id == digits and page.contacts[0].name == "Ada"
    assert page.contacts[0].raw_json == '{"id":' + digits + ',"name":"Ada"}'
    assert page.contacts[1].id == 2


@pytest.mark.parametrize(
    "count",
    ["1e400", "-1e400", "1e30", "9" * 5000, '"' + "9" * 5000 + '"', str(MAX_COUNT + 1), "NaN"],
    ids=["inf", "-inf", "1e30", "5000-digits", "5000-digit-string", "over-max", "nan"],
)
def test_an_absurd_count_is_a_bad_response_in_one_short_line(count: str) -> None:
    text = ('{"meta":{"count":' + count + '},"payload":[]}').encode()
    with pytest.raises(BadResponseError, match=r"'meta\.count' is not a count") as caught:
        parse_page(text, ContactQuery())
    assert len(str(caught.value)) < 300


def test_page_count_of_the_largest_count_is_exact() -> None:
    page = Page(ContactQuery(), (), total=MAX_COUNT, page_size=7)
    assert page.page_count == -(-MAX_COUNT // 7)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (10**400, None),
        (-(10**400), None),
        (253402300799000, datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)),
    ],
)
def test_timestamps_past_what_a_float_holds_are_unknown(raw: object, expected: object) -> None:
    assert as_time(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [10**400, "9" * 5000, float("inf"), float("nan"), 1e30, MAX_COUNT + 1, "1" * 14],
    ids=["1e400", "5000-digits", "inf", "nan", "1e30", "over-max", "14-digits"],
)
def test_as_int_refuses_what_is_not_a_count_without_raising(raw: object) -> None:
    assert as_int(raw) is None


def test_an_error_body_nested_deep_gives_its_text_not_an_exception() -> None:
    deep = b"[" * 3000 + b"]" * 3000
    assert error_detail(deep, "application/json").startswith("[[[")
    well = b'{"error":' * 50 + b'"x"' + b"}" * 50
    told = error_detail(well, "application/json")  # no message that deep: its text instead
    assert told.startswith('{"error":{"error"') and len(told) <= 160
