"""Contacts built to break a careless client: markup, escape sequences, controls, bidi
overrides, zero-width and combining characters, huge strings, spreadsheet formulas and wrong
JSON types.

End customers type these fields, so a real account can hold any of this. The demo server can
put these first (``DemoServer(hostile=True)``) so the UI and the exporter meet them at once.
Their ids are small, below every generated id.
"""

from __future__ import annotations

from typing import Any

from .catalogue import REFERENCE_EPOCH, DemoContact

_CREATED = REFERENCE_EPOCH - 30 * 86_400
_SOCIAL = {"github": "", "twitter": "", "facebook": "", "linkedin": "", "instagram": ""}


def _attrs(**values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "city": "",
        "country": "",
        "telegram": "",
        "description": "",
        "company_name": "",
        "country_code": "",
        "social_profiles": dict(_SOCIAL),
    }
    base.update(values)
    return base


def _contact(contact_id: Any, labels: tuple[str, ...] = (), **fields: Any) -> DemoContact:
    raw: dict[str, Any] = {
        "additional_attributes": _attrs(),
        "availability_status": "offline",
        "email": None,
        "id": contact_id,
        "name": None,
        "phone_number": None,
        "blocked": False,
        "identifier": None,
        "thumbnail": "",
        "custom_attributes": {},
        "last_activity_at": _CREATED + 3600,
        "created_at": _CREATED,
        "contact_inboxes": [
            {
                "source_id": "src_hostile",
                "inbox": {
                    "id": 2,
                    "name": "カスタマーサービスチャネル",
                    "channel_type": "Channel::Api",
                },
            }
        ],
    }
    raw.update(fields)
    return DemoContact(raw=raw, labels=labels)


def hostile_contacts() -> list[DemoContact]:
    """A fresh list of hostile contacts (the same every call), ids 1 and up."""
    long_name = "Wolfeschlegelsteinhausenbergerdorff " * 56  # 2,016 characters
    return [
        _contact(
            1,
            ("vip",),
            name="[bold red]x[/]",
            email="[link=https://evil.example/]click[/link]@example.com",
            additional_attributes=_attrs(
                company_name="[reverse][blink]ACME[/blink][/reverse]",
                city="[/]",
                description="[link=https://evil.example/phish]Reset your password[/link]",
            ),
            custom_attributes={"[red]key[/red]": "[b]value[/b]", "plan": "[@click=app.quit]x"},
        ),
        _contact(
            2,
            ("billing",),
            name="\x1b[31mRED\x1b[0m \x1b[2J\x1b[H cleared",
            email="\x1b]52;c;ZWNobyBwd25lZA==\x07@example.com",
            phone_number="+1\x1b[8m5550100",
            additional_attributes=_attrs(
                company_name="\x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\",
                description="title\x1b]0;pwned\x07 set",
            ),
        ),
        _contact(
            3,
            name="Null\x00Byte Bell\x07 Back\x08space\r\nCRLF\tTab",
            email="c1\x85next\x9b31m\x9c@example.com",
            identifier="\x7fDEL",
            additional_attributes=_attrs(description="line one\nline two\u2028line three\x0b"),
        ),
        _contact(
            4,
            ("trial",),
            name="Invoice \u202efdp.exe",
            email="admin\u202e@example.com",
            additional_attributes=_attrs(
                company_name="\u2067שלום\u2069 \u202bمرحبا\u202c", city="\u200f\u061cCairo"
            ),
        ),
        _contact(
            5,
            name="Z\u0335\u0321\u031b\u0353a\u0337\u034el\u0335g\u0336o\u0334 e\u0301 n\u0303",
            email="zalgo@example.com",
            additional_attributes=_attrs(city="Ko\u0308ln"),
        ),
        _contact(
            6,
            name="Ad\u200bmin\u200d\ufeff\u2060",
            email="ad\u200bmin@example.com",
            identifier="\u200b",
            phone_number="\u200b",
        ),
        _contact(
            7,
            ("vip", "要フォロー"),
            name="👩\u200d💻 Dev Team 🇯🇵 👍🏽 👨\u200d👩\u200d👧\u200d👦",
            email="emoji@example.com",
            additional_attributes=_attrs(company_name="🍣 Sushi 寿司 株式会社", city="🗼"),
        ),
        _contact(
            8,
            name=long_name,
            email="long" + "o" * 1990 + "@example.com",
            additional_attributes=_attrs(
                description="長い説明" * 500, company_name="Company " * 250
            ),
            custom_attributes={"notes": "x" * 2000},
        ),
        _contact(
            "9",
            ("enterprise",),
            name="龘龘龘龘龘龘龘龘龘龘龘龘龘龘龘龘龘龘龘龘 ｆｕｌｌｗｉｄｔｈ ﾃｽﾄ",
            email="wide@example.com",
            blocked="true",
            created_at="2026-10-01T09:30:00Z",
            last_activity_at="1793404800",
            additional_attributes=_attrs(city=123, country=["JP"], company_name=None),
            custom_attributes={
                "seats": "12",
                "renewal": 20270101,
                "nested": {"a": [1, {"b": None}]},
            },
        ),
        _contact(
            10,
            ("billing", "churn-risk"),
            name="+SUM(1+1)*cmd|' /C calc'!A0",
            email="=cmd|' /C calc'!A0",
            phone_number="-2+3+cmd|' /C calc'!A0",
            identifier="@SUM(A1:A9)",
            additional_attributes=_attrs(company_name='=HYPERLINK("https://evil.example","x")'),
        ),
        _contact(
            11,
            name=None,
            email=None,
            phone_number=81312345678,
            blocked="false",
            availability_status=None,
            thumbnail=None,
            additional_attributes=None,
            custom_attributes=None,
            contact_inboxes=[{"source_id": None, "inbox": None}, "not an object"],
            created_at=None,
        ),
        _contact(
            12,
            ("partner",),
            name="<script>alert(1)</script> &amp; \"quotes\" 'single' \\backslash",
            email="o'brien+tag@example.com",
            additional_attributes=_attrs(
                company_name="%s %d {0} ${HOME} $(rm -rf /)", social_profiles={"github": "[u]x[/u]"}
            ),
        ),
    ]
