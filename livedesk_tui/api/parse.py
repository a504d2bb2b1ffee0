"""Turn a response body into a ``Page``, keeping each contact's exact source text.

The body is walked with the standard library's own decoder (``raw_decode``) one value at a
time, so the parse is as strict and as fast as ``json.loads`` while recording where each contact
starts and ends: exports write those spans untouched. Anything that is not the documented shape
raises ``BadResponseError`` naming the status and the first bytes of the body; nothing else
escapes, whatever the body holds:

* JSON nested deeper than the decoder recurses is a bad response ("nested too deeply").
* An integer past Python's int-string limit (4,300 digits) is kept as its digit text, so one
  odd field does not cost the page; a ``meta.count`` that is not a whole number from 0 to
  ``models.MAX_COUNT`` (``1e400`` reads as infinity) is a bad response.
* Rows are decoded one at a time. ``max_contacts`` builds at most that many contacts and walks
  the rest without keeping them (``Page.omitted`` says how many); without it a page of more
  than ``MAX_PAGE_ROWS`` rows is a bad response, as no server sends pages that long and
  building a contact for each row could take far more memory than the body did.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from .errors import BadResponseError
from .models import Contact, ContactQuery, Number, Page, as_int
from .sanitize import clean, clip

MAX_PAGE_ROWS = 10_000
"""The most rows a page read whole may have (servers send 100 at most)."""
_INT_DIGITS = 4300  # Python's default int-string limit (sys.get_int_max_str_digits())


def _int_or_digits(text: str) -> int | str:
    """An integer, or its digits as they were where it is too long to convert."""
    return int(text) if len(text.lstrip("-")) <= _INT_DIGITS else text


_DECODER = json.JSONDecoder(parse_float=Number)
_LENIENT = json.JSONDecoder(parse_int=_int_or_digits, parse_float=Number)
_WS = re.compile(r"[ \t\n\r]*")
_TAG = re.compile(r"<[^>]*>")

BODY_PREVIEW = 80


def preview(body: bytes, limit: int = BODY_PREVIEW) -> str:
    """The first bytes of a body as one inert line, for error messages."""
    text = body[: limit * 4].decode("utf-8", errors="replace")
    text = " ".join(text.split())
    return clean(clip(text, limit)) or "(empty body)"


def _bad(status: int, body: bytes, problem: str) -> BadResponseError:
    return BadResponseError(
        f"The server sent a response that could not be read: {problem} "
        f"(HTTP {status}, body starts: {preview(body)})",
        status=status,
    )


def _decode(body: bytes, status: int) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _bad(status, body, f"not UTF-8 text at byte {exc.start}") from None


def _skip(text: str, pos: int) -> int:
    match = _WS.match(text, pos)
    return match.end() if match else pos


def _value(text: str, pos: int) -> tuple[Any, int]:
    """One JSON value at ``pos`` and where it ends; integers too long for ``int`` as text."""
    try:
        return _DECODER.raw_decode(text, pos)
    except json.JSONDecodeError:
        raise
    except ValueError:  # "Exceeds the limit (4300 digits) for integer string conversion"
        return _LENIENT.raw_decode(text, pos)


@dataclass(slots=True)
class _Rows:
    """The payload's rows as scanned: the first ``keep`` decoded, with their source text."""

    keep: int | None
    items: list[Any] = field(default_factory=list)
    spans: list[str] = field(default_factory=list)
    omitted: int = 0
    scanned: bool = False
    """Whether the payload was a list walked row by row (else ``items`` has no spans)."""


def _scan_top_level(text: str, status: int, body: bytes, rows: _Rows) -> dict[str, Any]:
    """Decode the top-level object into ``rows`` (the payload) and the rest (returned)."""
    pos = _skip(text, 0)
    if pos >= len(text):
        raise _bad(status, body, "the body is empty")
    if text[pos] != "{":
        try:
            value, _ = _value(text, pos)
        except RecursionError:
            raise _bad(status, body, "it is nested too deeply") from None
        except json.JSONDecodeError:
            raise _bad(status, body, "it is not JSON") from None
        raise _bad(status, body, f"expected a JSON object, got {type(value).__name__}")
    result: dict[str, Any] = {}
    try:
        pos = _skip(text, pos + 1)
        if text[pos] == "}":
            pos += 1
        else:
            while True:
                key, pos = _DECODER.raw_decode(text, pos)
                pos = _skip(text, pos)
                if text[pos] != ":":
                    raise ValueError("expected ':'")
                pos = _skip(text, pos + 1)
                if key == "payload" and text[pos] == "[":
                    rows.items, rows.spans, rows.omitted = [], [], 0
                    pos = _scan_array(text, pos, rows)
                    rows.scanned = True
                    value = rows.items
                else:
                    value, pos = _value(text, pos)
                    if key == "payload":
                        rows.items, rows.spans, rows.omitted = value, [], 0
                        rows.scanned = False
                result[key] = value
                pos = _skip(text, pos)
                if text[pos] == "}":
                    pos += 1
                    break
                if text[pos] != ",":
                    raise ValueError("expected ',' or '}'")
                pos = _skip(text, pos + 1)
    except _TooManyRows:
        raise _bad(status, body, f"the page holds more than {MAX_PAGE_ROWS:,} contacts") from None
    except RecursionError:
        raise _bad(status, body, "it is nested too deeply") from None
    except (json.JSONDecodeError, ValueError, IndexError):
        raise _bad(status, body, "the JSON is malformed or cut short") from None
    if _skip(text, pos) != len(text):
        raise _bad(status, body, "there is extra data after the JSON")
    return result


class _TooManyRows(Exception):
    pass


def _scan_array(text: str, pos: int, rows: _Rows) -> int:
    """Walk the payload array at ``pos`` into ``rows``; return where it ends."""
    items, spans = rows.items, rows.spans
    keep = rows.keep
    pos = _skip(text, pos + 1)
    if text[pos] == "]":
        return pos + 1
    while True:
        start = pos
        value, pos = _value(text, pos)
        if keep is None or len(items) < keep:
            items.append(value)
            spans.append(text[start:pos])
            if keep is None and len(items) > MAX_PAGE_ROWS:
                raise _TooManyRows
        else:
            rows.omitted += 1
        del value
        pos = _skip(text, pos)
        if text[pos] == "]":
            return pos + 1
        if text[pos] != ",":
            raise ValueError("expected ',' or ']'")
        pos = _skip(text, pos + 1)


def parse_page(
    body: bytes, query: ContactQuery, *, status: int = 200, max_contacts: int | None = None
) -> Page:
    """Read a list-contacts (or search) response.

    ``meta.count`` is the total of matching contacts; ``meta.has_more`` (Chatwoot's search)
    replaces it where the total is unknown. The page size recorded is the one asked for; the
    client corrects it when the server shows it used another.

    Args:
        body: The response body.
        query: The query it answers.
        status: The HTTP status it came with (for messages).
        max_contacts: Build at most this many contacts; the rest of the rows are still walked
            (so a broken body is still told, and ``meta`` found after them) and counted in
            ``Page.omitted``. ``None``: every row, up to ``MAX_PAGE_ROWS``.
    """
    keep = None if max_contacts is None else max(0, max_contacts)
    rows = _Rows(keep)
    document = _scan_top_level(_decode(body, status), status, body, rows)
    payload = document.get("payload")
    if not isinstance(payload, list):
        got = "missing" if payload is None else f"a {type(payload).__name__}"
        raise _bad(status, body, f"'payload' should be a list of contacts but is {got}")
    meta = document.get("meta")
    if not isinstance(meta, dict):
        raise _bad(status, body, "'meta' is missing")
    has_more = meta.get("has_more")
    has_more = has_more if isinstance(has_more, bool) else None
    items, spans, omitted = rows.items, rows.spans, rows.omitted
    if not rows.scanned:  # payload was not scanned as an array: no source spans
        keep = len(items) if rows.keep is None else rows.keep
        if rows.keep is None and len(items) > MAX_PAGE_ROWS:
            raise _bad(status, body, f"the page holds more than {MAX_PAGE_ROWS:,} contacts")
        items, omitted = items[:keep], max(0, len(items) - keep)
        spans = [""] * len(items)
    sent = len(items) + omitted
    total: int | None = None
    if has_more is None:
        total = as_int(meta.get("count"))
        if total is None:
            shown = _shown(meta.get("count"))
            raise _bad(status, body, f"'meta.count' is not a count: {shown}")
        if sent:  # a total smaller than the rows already listed is plainly wrong
            total = max(total, (query.page - 1) * query.page_size + sent)
    contacts = tuple(Contact.from_json(item, raw) for item, raw in zip(items, spans, strict=True))
    return Page(
        query=query,
        contacts=contacts,
        total=total,
        page_size=query.page_size,
        has_more=has_more,
        omitted=omitted,
    )


def _shown(value: Any) -> str:
    """A short, safe picture of a value that is not a count (it may be 5,000 digits long)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f"a number of {len(str(value))} digits"
    if isinstance(value, str) and len(value) > 24:
        return clip(repr(value[:40]), 30)
    if isinstance(value, list | dict):
        return f"a JSON {'list' if isinstance(value, list) else 'object'}"
    return clip(repr(value), 30)


def error_detail(body: bytes, content_type: str = "") -> str:
    """The server's own words from an error body, as one inert line (may be empty).

    Understands ``{"error": "..."}``, ``{"errors": [...]}``, ``{"message": "..."}``, plain text
    (``Retry later``) and HTML pages (tags dropped).
    """
    text = body[:4096].decode("utf-8", errors="replace").strip()
    if not text:
        return ""
    message = ""
    if text.startswith(("{", "[")):
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):  # malformed, too deep, or numbers too long
            data = None
        message = _message_from(data)
    if not message:
        if "html" in content_type.lower() or text.lstrip().startswith("<"):
            title = re.search(r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
            text = title.group(1) if title else _TAG.sub(" ", text)
        message = text
    return clean(clip(" ".join(message.split()), 160))


def _message_from(data: Any, depth: int = 0) -> str:
    if depth > 4:  # an error is a string a level or two down, not at the bottom of a well
        return ""
    if isinstance(data, dict):
        for key in ("error", "errors", "message", "detail"):
            value = data.get(key)
            found = _message_from(value, depth + 1)
            if found:
                return found
        return ""
    if isinstance(data, list):
        return "; ".join(filter(None, (_message_from(item, depth + 1) for item in data[:5])))
    if isinstance(data, str):
        return data
    return ""
