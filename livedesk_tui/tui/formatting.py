"""Turn contact fields into inert, readable text for the screen.

Every value shown comes from the server and is typed by end customers, so every string passes
through ``sanitize.clean`` and ends up in a ``rich.text.Text`` (which never parses markup).
Times are shown relative to an injected "now", so the screen is reproducible in tests.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from rich.style import Style
from rich.text import Text

from ..api.models import Contact, Number
from ..api.sanitize import clean, clip

EMPTY = "—"
"""What an unknown or empty value shows as (never ``None``)."""

CELL_LIMIT = 200
"""Characters kept from a value before it is cut to a column (rich does the exact cut)."""

VALUE_LIMIT = 2000
"""Characters kept from one value in the detail view."""

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def utc_now() -> datetime:
    """The default clock."""
    return datetime.now(UTC)


def cell(value: str, style: str | Style = "") -> Text:
    """One table cell: cleaned, on one line, cut with an ellipsis where the column ends."""
    return Text(
        clip(clean(value), CELL_LIMIT) if value else "",
        style=style,
        no_wrap=True,
        overflow="ellipsis",
        end="",
    )


def relative_time(when: datetime | None, now: datetime) -> str:
    """``3 h ago``, ``2 d ago``, ``just now``; ``—`` when unknown."""
    if when is None:
        return EMPTY
    seconds = (now - when).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    if seconds < 60:
        return "just now"
    for size, unit in ((31_536_000, "y"), (2_592_000, "mo"), (86_400, "d"), (3_600, "h")):
        if seconds >= size:
            amount = f"{int(seconds // size)} {unit}"
            break
    else:
        amount = f"{int(seconds // 60)} min"
    return f"in {amount}" if future else f"{amount} ago"


def local_time(when: datetime | None) -> str:
    """A moment in the local time zone, to the minute, with the zone's name."""
    if when is None:
        return EMPTY
    try:
        local = when.astimezone()
    except (OverflowError, ValueError, OSError):  # the edges of the representable range
        local = when
    return local.strftime("%Y-%m-%d %H:%M %Z").strip()


def moment(when: datetime | None, now: datetime) -> str:
    """Local time and how long ago: ``2026-10-31 21:04 UTC (3 h ago)``."""
    if when is None:
        return EMPTY
    return f"{local_time(when)} ({relative_time(when, now)})"


def place(contact: Contact) -> str:
    """``City, Country`` from whichever parts are known."""
    return ", ".join(part for part in (contact.city, contact.country) if part)


def status_label(contact: Contact) -> str:
    """``● online``, ``offline``, or the server's own word (cleaned) when it is another."""
    status = contact.availability_status
    if status == "online":
        return "● online"
    if status in ("offline", ""):
        return "offline" if status else EMPTY
    return clean(clip(status, 20))


def blocked_label(blocked: bool | None) -> str:
    if blocked is None:
        return EMPTY
    return "yes" if blocked else "no"


def compact_json(value: Any) -> str:
    """A nested value as one line of JSON, for objects and lists inside attributes."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return clean(clip(text, VALUE_LIMIT))


def format_value(value: Any) -> str:
    """An attribute's value as a person reads it.

    Booleans read yes/no, numbers as the server wrote them (``24928.54``, ``1.50``, ``1e-7``:
    the text of the response; a float from elsewhere as its shortest exact text, never a
    rounded ``24928.5``), ISO date-times in local time, objects and lists as compact JSON;
    nothing at all reads ``—``.
    """
    if value is None:
        return EMPTY
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Number):
        return clean(clip(value.text, VALUE_LIMIT))
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return EMPTY
        if _ISO_DATETIME.match(text):
            try:
                parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                pass
            else:
                return local_time(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))
        if _ISO_DATE.match(text):
            return text
        return clean(clip(value, VALUE_LIMIT))
    if isinstance(value, Mapping | list | tuple):
        if not value:
            return EMPTY
        return compact_json(value)
    return clean(clip(str(value), VALUE_LIMIT))


def key_label(key: Any) -> str:
    """An attribute's key as a label: ``company_name`` -> ``company name``."""
    return clean(clip(str(key), 60)).replace("_", " ")


def text_or_empty(value: str, style: str | Style = "") -> Text:
    """A cleaned value that may wrap (detail view); ``—`` dimmed when empty."""
    if not value:
        return Text(EMPTY, style="dim", end="")
    return Text(clean(clip(value, VALUE_LIMIT)), style=style, end="", overflow="fold")
