"""How an export writes contacts in each format, one class a format (see ``formats``).

A writer is handed a text stream and writes the contacts given to it, one at a time, between a
``begin`` and an ``end``: it holds no contact in memory. JSON and JSON Lines carry each contact
exactly as the server sent it; CSV has one column a field (``CSV_COLUMNS``), each cell made safe
to open in a spreadsheet.
"""

from __future__ import annotations

import csv
import json
from typing import Any, TextIO

from .models import Contact, as_text

CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "email",
    "phone_number",
    "identifier",
    "availability_status",
    "blocked",
    "company",
    "city",
    "country",
    "country_code",
    "created_at",
    "last_activity_at",
    "inboxes",
    "social_profiles",
    "custom_attributes",
    "additional_attributes",
)

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Writer:
    """Writes contacts to ``out`` in one format; ``begin`` first, ``end`` last."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def begin(self) -> None:
        """Write what comes before the first contact."""

    def write(self, contact: Contact) -> None:
        raise NotImplementedError

    def end(self) -> None:
        """Write what comes after the last contact."""


def _source_text(contact: Contact) -> str:
    """The contact's own JSON text; line breaks (only ever whitespace in JSON) removed."""
    text = contact.raw_json or json.dumps(contact.raw, ensure_ascii=False, separators=(",", ":"))
    if "\n" in text or "\r" in text:
        text = text.replace("\r", "").replace("\n", "")
    return text


class JsonLinesWriter(Writer):
    """One contact a line, as the server sent it."""

    def write(self, contact: Contact) -> None:
        self.out.write(_source_text(contact))
        self.out.write("\n")


class JsonWriter(Writer):
    """One JSON array of the contacts, each as the server sent it."""

    def begin(self) -> None:
        self.out.write("[")
        self._first = True

    def write(self, contact: Contact) -> None:
        self.out.write("\n" if self._first else ",\n")
        self._first = False
        self.out.write(contact.raw_json or json.dumps(contact.raw, ensure_ascii=False))

    def end(self) -> None:
        self.out.write("]\n" if self._first else "\n]\n")


class CsvWriter(Writer):
    """A header of ``CSV_COLUMNS``, then one row a contact (CRLF line ends, as RFC 4180)."""

    def begin(self) -> None:
        self._csv = csv.writer(self.out, lineterminator="\r\n")
        self._csv.writerow(CSV_COLUMNS)

    def write(self, contact: Contact) -> None:
        self._csv.writerow([spreadsheet_safe(cell) for cell in csv_row(contact)])


def csv_row(contact: Contact) -> list[str]:
    """The CSV cells of one contact, in ``CSV_COLUMNS`` order."""
    extra = {
        key: value
        for key, value in contact.additional_attributes.items()
        if key not in {"company_name", "city", "country", "country_code", "social_profiles"}
    }
    inboxes = "; ".join(
        f"{ci.inbox.name} ({ci.channel})".strip() for ci in (contact.contact_inboxes or ())
    )
    return [
        "" if contact.id is None else str(contact.id),
        contact.name,
        contact.email,
        contact.phone_number,
        contact.identifier,
        contact.availability_status,
        "" if contact.blocked is None else str(contact.blocked).lower(),
        contact.company,
        contact.city,
        contact.country,
        as_text(contact.additional_attributes.get("country_code")),
        _iso(contact.created_at),
        _iso(contact.last_activity_at),
        inboxes,
        _compact({k: v for k, v in contact.social_profiles.items() if v}),
        _compact(contact.custom_attributes),
        _compact(extra),
    ]


def _iso(value: Any) -> str:
    return value.isoformat().replace("+00:00", "Z") if value is not None else ""


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) if value else ""


def spreadsheet_safe(cell: str) -> str:
    """Neutralise a cell a spreadsheet would run as a formula (CSV injection)."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell
