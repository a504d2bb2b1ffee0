"""How values are shown: relative and local times, attribute values, table cells and columns,
and the detail view of every kind of contact (hostile ones included)."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text
from tui_fixtures import FIXED_NOW, utc

from livedesk_tui.api.models import Contact
from livedesk_tui.demo.dataset import generate_contacts, hostile_contacts
from livedesk_tui.tui.formatting import (
    EMPTY,
    cell,
    format_value,
    local_time,
    moment,
    relative_time,
    status_label,
)
from livedesk_tui.tui.widgets.contact_detail import detail_renderable
from livedesk_tui.tui.widgets.contacts_table import (
    CELL_PADDING,
    NARROW_COLUMNS,
    WIDE_COLUMNS,
    WIDE_TABLE,
    compose_row,
    plan_columns,
    row_width,
)

__all__ = ["utc"]

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
_CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def render(renderable: Any, width: int = 60) -> str:
    """Plain text as a terminal would get it, without any styling codes of rich's own."""
    out = io.StringIO()
    Console(file=out, width=width, color_system=None, force_terminal=False).print(renderable)
    return out.getvalue()


def render_cell(text: Text, width: int) -> str:
    """One table cell at ``width``, as DataTable renders it (one line, cut to the width)."""
    console = Console(width=width, color_system=None)
    lines = console.render_lines(text, console.options.update_width(width), pad=False)
    return "".join(segment.text for segment in lines[0])


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (timedelta(seconds=20), "just now"),
        (timedelta(minutes=5), "5 min ago"),
        (timedelta(minutes=59, seconds=59), "59 min ago"),
        (timedelta(hours=3, minutes=10), "3 h ago"),
        (timedelta(days=2, hours=1), "2 d ago"),
        (timedelta(days=29), "29 d ago"),
        (timedelta(days=65), "2 mo ago"),
        (timedelta(days=800), "2 y ago"),
        (timedelta(hours=-2), "in 2 h"),
    ],
)
def test_relative_time(delta: timedelta, expected: str) -> None:
    assert relative_time(NOW - delta, NOW) == expected


def test_unknown_times_read_as_a_dash() -> None:
    assert relative_time(None, NOW) == EMPTY
    assert local_time(None) == EMPTY
    assert moment(None, NOW) == EMPTY


@pytest.mark.usefixtures("utc")
def test_local_time_is_the_local_zone() -> None:
    assert local_time(datetime(2026, 10, 31, 21, 4, tzinfo=UTC)) == "2026-10-31 21:04 UTC"
    assert moment(NOW - timedelta(hours=3), NOW) == "2026-11-01 09:00 UTC (3 h ago)"
    # the edge of what datetime can hold does not crash
    assert local_time(datetime(9999, 12, 31, 23, 59, tzinfo=UTC)).startswith("9999-12-31")


@pytest.mark.usefixtures("utc")
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, "yes"),
        (False, "no"),
        (None, EMPTY),
        ("", EMPTY),
        ("   ", EMPTY),
        (12, "12"),
        (2.5, "2.5"),
        (float("nan"), "nan"),
        ("2027-05-29", "2027-05-29"),
        ("2026-10-01T09:30:00Z", "2026-10-01 09:30 UTC"),
        ("2026-10-01T09:30:00", "2026-10-01 09:30 UTC"),
        ("2026-13-45T99:00", "2026-13-45T99:00"),  # not a real date: shown as it came
        ({"a": [1, {"b": None}]}, '{"a": [1, {"b": null}]}'),
        ([], EMPTY),
        ({}, EMPTY),
        ("[b]x[/b]", "[b]x[/b]"),
        ("a\x1b[2Jb", "a␛[2Jb"),
        ("pay\u202efdp.exe", "pay\ufffdfdp.exe"),
    ],
)
def test_format_value(value: Any, expected: str) -> None:
    assert format_value(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (24928.54, "24928.54"),
        (1234567.0, "1234567.0"),
        (1e-7, "1e-07"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1e22, "1e+22"),
        (-0.0, "-0.0"),
        (12345678901234567890, "12345678901234567890"),
        (-(10**40), "-" + "1" + "0" * 40),
        (float("inf"), "inf"),
    ],
)
def test_numbers_read_as_the_server_wrote_them(value: float, expected: str) -> None:
    """The shortest text that reads back as the same number (what ``json.dumps`` writes), never
    rounded to six digits."""
    assert format_value(value) == expected
    if isinstance(value, float) and value == value and abs(value) != float("inf"):
        assert float(expected) == value


def test_cells_are_literal_text_cut_with_an_ellipsis() -> None:
    markup = cell("[bold red]x[/]")
    assert isinstance(markup, Text)
    assert markup.plain == "[bold red]x[/]"
    assert not markup.spans
    assert render_cell(cell("abcdefghijklmnop"), width=8) == "abcdefg…"
    assert render_cell(cell("東京都千代田区丸の内"), width=9) == "東京都千…"
    assert render_cell(cell("👩\u200d💻 Dev Team"), width=7) == "👩\u200d💻 Dev…"
    assert cell("\x1b[31mred").plain == "␛[31mred"
    assert len(cell("x" * 10_000).plain) <= 200


ROW_VALUES = [
    ["東京都千代田区丸の内", "a" * 40, "👩\u200d💻 Dev Team", "x"],
    ["Zoë", "z@example.com", "", "offline"],
    ["李", "中村拓海@例え.jp", "3 d ago", "● online"],
]


@pytest.mark.parametrize("width", [40, 79, 120])
@pytest.mark.parametrize("values", ROW_VALUES)
def test_a_row_lays_its_cells_out_as_separate_columns_would(width: int, values: list[str]) -> None:
    plan = plan_columns(width)
    cells = [cell(value) for value in (values * 3)[: len(plan)]]
    row = compose_row(cells, plan)
    assert row.cell_len == row_width(plan) <= width
    pad = " " * CELL_PADDING
    expected = ""
    for text, column in zip(cells, plan, strict=True):
        alone = render_cell(text, column.width)  # the cell as its own column shows it
        expected += pad + alone + " " * (column.width - cell_len(alone)) + pad
    assert render_cell(row, row.cell_len) == expected


def test_a_rows_columns_stay_apart_in_its_segments() -> None:
    """A screenshot (SVG) places each segment: a column must not share one with the next."""
    plan = plan_columns(79)
    row = compose_row([cell("木村蓮"), cell("k@example.jp"), cell("1 d ago"), cell("x")], plan)
    console = Console(width=row.cell_len, color_system=None)
    segments = list(console.render(row, console.options.update_width(row.cell_len)))
    texts = [segment.text.strip() for segment in segments if segment.text.strip()]
    assert texts == ["木村蓮", "k@example.jp", "1 d ago", "x"]


def test_status_labels() -> None:
    def contact(status: Any) -> Contact:
        return Contact.from_json({"id": 1, "availability_status": status})

    assert status_label(contact("online")) == "● online"
    assert status_label(contact("offline")) == "offline"
    assert status_label(contact(None)) == EMPTY
    assert status_label(contact("\x1b[5mbusy")) == "␛[5mbusy"


@pytest.mark.parametrize("width", [79, 80, 100, 111])
def test_narrow_tables_show_name_email_activity_status(width: int) -> None:
    plan = plan_columns(width)
    assert [c.key for c in plan] == [spec.key for spec in NARROW_COLUMNS]
    assert sum(c.width + 2 * CELL_PADDING for c in plan) == width  # every cell used


@pytest.mark.parametrize("width", [WIDE_TABLE, 150, 239])
def test_wide_tables_show_every_column(width: int) -> None:
    plan = plan_columns(width)
    assert [c.key for c in plan] == [spec.key for spec in WIDE_COLUMNS]
    assert sum(c.width + 2 * CELL_PADDING for c in plan) == width


def test_very_narrow_tables_give_up_columns_in_order() -> None:
    assert [c.key for c in plan_columns(45)] == ["name", "email", "activity"]
    assert [c.key for c in plan_columns(30)] == ["name", "activity"]
    assert [c.key for c in plan_columns(5)] == ["name"]


@pytest.mark.usefixtures("utc")
def test_detail_shows_every_attribute_including_unknown_ones() -> None:
    contact = Contact.from_json(
        {
            "id": 318763,
            "name": "support",
            "email": "support@example.com",
            "phone_number": None,
            "blocked": False,
            "identifier": "4444",
            "availability_status": "online",
            "created_at": 1765441895,
            "last_activity_at": 1765441908,
            "additional_attributes": {
                "city": "Osaka",
                "company_name": "",
                "source_id": "widget-7",
                "created_at_ip": "203.0.113.9",
                "social_profiles": {"github": "octo", "twitter": ""},
            },
            "custom_attributes": {"plan": "pro", "seats": 12, "vip": True, "since": "2025-02-01"},
            "contact_inboxes": [
                {
                    "source_id": "src_001",
                    "inbox": {"id": 10, "name": "カスタマー", "channel_type": "Channel::Api"},
                }
            ],
        }
    )
    text = render(detail_renderable(contact, FIXED_NOW), width=70)
    lines = [line.rstrip() for line in text.splitlines()]
    for expected in (
        "support",
        "email           support@example.com",
        "phone           —",
        "identifier      4444",
        "id              318763",
        "status          ● online",
        "blocked         no",
        "created         2025-12-11 08:31 UTC (10 mo ago)",
        "city            Osaka",
        "company name    —",
        "source id       widget-7",
        "created at ip   203.0.113.9",
        "social profiles github octo",
        "plan            pro",
        "seats           12",
        "vip             yes",
        "since           2025-02-01",
        "カスタマー · Api · source src_001",
    ):
        assert expected in lines, expected
    assert "None" not in text
    assert "Channel::" not in text


def test_inboxes_not_asked_for_differ_from_none() -> None:
    absent = Contact.from_json({"id": 1})
    empty = Contact.from_json({"id": 2, "contact_inboxes": []})
    assert "not requested" in render(detail_renderable(absent, FIXED_NOW))
    lines = render(detail_renderable(empty, FIXED_NOW)).splitlines()
    assert lines[lines.index("Inboxes") + 1].strip() == "none"


@pytest.mark.usefixtures("utc")
@pytest.mark.parametrize("width", [30, 44, 100])
def test_every_hostile_contact_renders_inert(width: int) -> None:
    for demo in hostile_contacts():
        contact = Contact.from_json(demo.raw)
        text = render(detail_renderable(contact, FIXED_NOW), width=width)
        assert not _CONTROLS.search(text), repr(demo.raw.get("name"))
        assert "None" not in text


@pytest.mark.usefixtures("utc")
def test_generated_contacts_render_without_none() -> None:
    for demo in generate_contacts(80, seed=3):
        text = render(detail_renderable(Contact.from_json(demo.raw), FIXED_NOW), width=44)
        assert "None" not in text


def test_numbers_show_the_text_the_response_holds() -> None:
    from livedesk_tui.api.models import ContactQuery
    from livedesk_tui.api.parse import parse_page

    body = (
        b'{"meta":{"count":1},"payload":[{"id":1,"custom_attributes":'
        b'{"price":1.50,"tiny":1e-7,"revenue":24928.54,"big":1.2345678901234567890e+300,'
        b'"plain":42}}]}'
    )
    [contact] = parse_page(body, ContactQuery()).contacts
    shown = {key: format_value(value) for key, value in contact.custom_attributes.items()}
    assert shown == {
        "price": "1.50",
        "tiny": "1e-7",
        "revenue": "24928.54",
        "big": "1.2345678901234567890e+300",
        "plain": "42",
    }
    assert contact.custom_attributes["price"] == 1.5, "still a number to compute with"
