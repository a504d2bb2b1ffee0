"""The demo data as the contacts table shows it at 80 columns, for the floor app to show too.

The floor then paints the very texts the app paints (same names, same widths of CJK text), so
the two differ only in what the app adds around them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from livedesk_tui.api.models import Contact
from livedesk_tui.demo.dataset import generate_contacts

PAGE_SIZE = 15
DEMO_CONTACTS = 1000
"""What ``--demo`` serves (the ``DemoServer`` default)."""


def _relative(when: datetime | None, now: datetime) -> str:
    if when is None:
        return "—"
    days = int((now - when).total_seconds() // 86400)
    return f"{days} d ago" if days > 0 else "today"


def demo_contacts(count: int = DEMO_CONTACTS) -> list[Contact]:
    """The demo contacts in default order, read the way the client reads them."""
    return [Contact.from_json(contact.raw) for contact in generate_contacts(count, 7)]


def demo_pages(pages: int, count: int = DEMO_CONTACTS) -> list[list[list[str]]]:
    """The first ``pages`` pages of the demo data as (name, email, last active, status) rows."""
    now = datetime.now(UTC)
    contacts = demo_contacts(count)[: pages * PAGE_SIZE]
    rows = [
        [
            contact.name or "(no name)",
            contact.email,
            _relative(contact.last_activity_at, now),
            contact.availability_status or "—",
        ]
        for contact in contacts
    ]
    return [rows[start : start + PAGE_SIZE] for start in range(0, len(rows), PAGE_SIZE)]


def write_pages(path: Path, pages: int) -> list[list[list[str]]]:
    """Write ``demo_pages(pages)`` as JSON to ``path`` (the floor app's argument)."""
    data = demo_pages(pages)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return data


def marker(name: str, length: int = 8) -> bytes:
    """The start of a name, as the bytes that show it on screen (a cell's text is written
    in one piece, so its first characters appear together in the output)."""
    return name[:length].encode("utf-8")
