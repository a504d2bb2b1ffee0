"""Typed, tolerant views of the contacts API's JSON.

The documentation's own type table disagrees with its examples (ids, booleans and timestamps
come as numbers in one place and strings in another), and every field may be missing or null.
Parsing here never raises on a field's type: a value that cannot be read becomes "unknown"
(``None`` or empty), while the raw dict and its source text stay on the object so an export
loses nothing. Nor on its size: numbers past what a float holds, and integers the parser kept
as digit text because they are past Python's int-string limit, are read as unknown too, and
nothing is ever allocated by a count the server gave.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

SORT_KEYS: tuple[str, ...] = (
    "name",
    "email",
    "phone_number",
    "last_activity_at",
    "created_at",
    "company",
    "city",
    "country",
)
"""The sort keys both servers accept, in the order the sidebar offers them."""

SORT_LABELS: dict[str, str] = {
    "name": "name",
    "email": "email",
    "phone_number": "phone number",
    "last_activity_at": "last activity",
    "created_at": "created",
    "company": "company",
    "city": "city",
    "country": "country",
}
"""How each sort key reads to a person."""

Direction = Literal["asc", "desc"]

DEFAULT_PAGE_SIZE = 15
MAX_PAGE_SIZE = 100
MAX_COUNT = 10**12
"""The largest ``meta.count`` taken as a count: a trillion contacts is past any account (the
largest hold millions), and below it page arithmetic stays exact and small. A larger count is
a bad response, not a total."""
_MAX_ID_DIGITS = 19

_EMPTY: Mapping[str, Any] = {}


class Number(float):
    """A JSON number with a fraction or an exponent, as the server wrote it: ``1.50`` stays
    ``1.50`` and ``1e-7`` stays ``1e-7`` when shown, while it computes as the float it is."""

    __slots__ = ("text",)
    text: str

    def __new__(cls, text: str) -> Number:
        number = super().__new__(cls, text)
        number.text = text
        return number


@dataclass(frozen=True, slots=True)
class ContactQuery:
    """One request's worth of filters; hashable, so it keys caches and spots stale results."""

    labels: tuple[str, ...] = ()
    sort: str | None = None
    direction: Direction = "asc"
    search: str = ""
    include_inboxes: bool = True
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE

    def at_page(self, page: int) -> ContactQuery:
        """The same filters on another page."""
        return _replace(self, page=max(1, page))

    def with_page_size(self, page_size: int) -> ContactQuery:
        return _replace(self, page_size=page_size)

    @property
    def filters(self) -> ContactQuery:
        """The query with the page reset: two queries with equal filters list the same rows."""
        return _replace(self, page=1)

    def describe(self) -> str:
        """A short human summary of the active filters, for status lines and messages."""
        parts: list[str] = []
        if self.search:
            parts.append(f"search {self.search!r}")
        if self.labels:
            parts.append("labels " + " | ".join(self.labels))
        if self.sort:
            arrow = "↑" if self.direction == "asc" else "↓"
            parts.append(f"sort {SORT_LABELS.get(self.sort, self.sort)} {arrow}")
        return ", ".join(parts) if parts else "all contacts"


def _replace(query: ContactQuery, **changes: Any) -> ContactQuery:
    return replace(query, **changes)


@dataclass(frozen=True, slots=True)
class Inbox:
    id: int | None
    name: str
    channel_type: str


@dataclass(frozen=True, slots=True)
class ContactInbox:
    source_id: str
    inbox: Inbox

    @property
    def channel(self) -> str:
        """``Channel::WebWidget`` -> ``WebWidget``: the part a person reads."""
        return self.inbox.channel_type.removeprefix("Channel::")


@dataclass(frozen=True, slots=True)
class Contact:
    """A contact as far as it could be read; ``raw`` and ``raw_json`` are the server's own."""

    id: int | str | None
    name: str
    email: str
    phone_number: str
    identifier: str
    thumbnail: str
    availability_status: str
    blocked: bool | None
    created_at: datetime | None
    last_activity_at: datetime | None
    additional_attributes: Mapping[str, Any]
    custom_attributes: Mapping[str, Any]
    contact_inboxes: tuple[ContactInbox, ...] | None
    """``None`` when the server left the key out (inboxes not asked for), not an empty list."""
    raw: Mapping[str, Any] = field(repr=False, compare=False)
    raw_json: str = field(default="", repr=False, compare=False)
    """The exact text of this contact in the response body, when it came from one."""

    @property
    def key(self) -> str:
        """A stable row key: the id, or the raw text's identity when the server sent none."""
        if self.id is not None:
            return str(self.id)
        return f"anon-{hash(self.raw_json or repr(self.raw)) & 0xFFFFFFFF:08x}"

    @property
    def company(self) -> str:
        return as_text(self.additional_attributes.get("company_name"))

    @property
    def city(self) -> str:
        return as_text(self.additional_attributes.get("city"))

    @property
    def country(self) -> str:
        return as_text(self.additional_attributes.get("country"))

    @property
    def social_profiles(self) -> Mapping[str, Any]:
        profiles = self.additional_attributes.get("social_profiles")
        return profiles if isinstance(profiles, Mapping) else _EMPTY

    @property
    def display_name(self) -> str:
        return self.name or self.email or self.phone_number or self.identifier or "(no name)"

    @classmethod
    def from_json(cls, data: Any, raw_json: str = "") -> Contact:
        """Read one contact; any JSON value is accepted, a non-object gives an empty contact."""
        raw: Mapping[str, Any] = data if isinstance(data, Mapping) else _EMPTY
        inboxes_raw = raw.get("contact_inboxes")
        inboxes: tuple[ContactInbox, ...] | None
        if "contact_inboxes" not in raw:
            inboxes = None
        elif isinstance(inboxes_raw, list):
            inboxes = tuple(_contact_inbox(item) for item in inboxes_raw)
        else:
            inboxes = ()
        return cls(
            id=as_id(raw.get("id")),
            name=as_text(raw.get("name")),
            email=as_text(raw.get("email")),
            phone_number=as_text(raw.get("phone_number")),
            identifier=as_text(raw.get("identifier")),
            thumbnail=as_text(raw.get("thumbnail")),
            availability_status=as_text(raw.get("availability_status")),
            blocked=as_bool(raw.get("blocked")),
            created_at=as_time(raw.get("created_at")),
            last_activity_at=as_time(raw.get("last_activity_at")),
            additional_attributes=as_mapping(raw.get("additional_attributes")),
            custom_attributes=as_mapping(raw.get("custom_attributes")),
            contact_inboxes=inboxes,
            raw=raw,
            raw_json=raw_json,
        )


def _contact_inbox(data: Any) -> ContactInbox:
    raw = data if isinstance(data, Mapping) else _EMPTY
    inbox = raw.get("inbox")
    inbox = inbox if isinstance(inbox, Mapping) else _EMPTY
    inbox_id = as_id(inbox.get("id"))
    return ContactInbox(
        source_id=as_text(raw.get("source_id")),
        inbox=Inbox(
            id=inbox_id if isinstance(inbox_id, int) else None,
            name=as_text(inbox.get("name")),
            channel_type=as_text(inbox.get("channel_type")),
        ),
    )


@dataclass(frozen=True, slots=True)
class Page:
    """One page of contacts and what the server said about the whole result."""

    query: ContactQuery
    contacts: tuple[Contact, ...]
    total: int | None
    """Contacts matching the filters across all pages (at most ``MAX_COUNT``); ``None`` when
    the server did not say."""
    page_size: int
    """The page size the server actually used (it may ignore the one asked for)."""
    has_more: bool | None = None
    """Set by servers that page without a total (Chatwoot's search)."""
    omitted: int = 0
    """Rows the server sent that were not read into ``contacts`` (a page read with
    ``max_contacts``): ``len(contacts) + omitted`` rows came in all."""
    labels_ignored: bool = False
    """The query asked for labels and a search, and the server searched every contact
    instead (Chatwoot 4.10.1 and later do): the rows match the search, not the labels."""

    @property
    def number(self) -> int:
        return self.query.page

    @property
    def page_count(self) -> int | None:
        """Pages in the whole result, or ``None`` when the server gave no total."""
        if self.total is None:
            return None
        return max(1, -(-self.total // max(1, self.page_size)))  # exact for any int

    @property
    def is_last(self) -> bool:
        if self.has_more is not None:
            return not self.has_more
        count = self.page_count
        if count is None:
            return len(self.contacts) < self.page_size
        return self.number >= count


# --- tolerant scalar readers -------------------------------------------------------------


def as_text(value: Any) -> str:
    """Strings stay; numbers become their text; null, objects and lists become empty."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float) and not (
        isinstance(value, float) and not math.isfinite(value)
    ):
        return str(value)
    return ""


def as_id(value: Any) -> int | str | None:
    """Ids are integers in practice and strings in the documentation's table."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text) <= _MAX_ID_DIGITS:
            return int(text)
        return text or None
    return None


def as_bool(value: Any) -> bool | None:
    """``true``/``false`` as JSON booleans or as strings (the documented type); else unknown."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in {"true", "1", "yes"}:
            return True
        if lowered in {"false", "0", "no", ""}:
            return False
    if isinstance(value, int):
        return value != 0
    return None


_MAX_EPOCH = 253402300799  # 9999-12-31T23:59:59Z, the last second datetime can hold
_MAX_MILLIS = _MAX_EPOCH * 1000


def as_time(value: Any) -> datetime | None:
    """Unix seconds as a number or a numeric string, or an ISO 8601 string; else unknown."""
    if isinstance(value, bool) or value is None:
        return None
    seconds: float | None = None
    if isinstance(value, int) and not -_MAX_MILLIS <= value <= _MAX_MILLIS:
        return None  # also past what a float holds (10**400 would not convert)
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip()
        try:
            seconds = float(text)
        except ValueError:
            try:
                parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                return None
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if seconds is None or not math.isfinite(seconds):
        return None
    if seconds > _MAX_EPOCH:  # milliseconds, as some exports send
        seconds /= 1000
    if not 0 <= seconds <= _MAX_EPOCH:
        return None
    return datetime.fromtimestamp(seconds, tz=UTC)


def as_int(value: Any, limit: int = MAX_COUNT) -> int | None:
    """A whole number from 0 to ``limit`` from an int, a float or a numeric string; else
    unknown (never an error, whatever its size)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not (value.is_integer() and 0 <= value <= limit):  # also refuses inf and NaN
            return None
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit() and len(text) <= len(str(limit))):
            return None
        value = int(text)
    if isinstance(value, int):
        return value if 0 <= value <= limit else None
    return None


def as_mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else _EMPTY
