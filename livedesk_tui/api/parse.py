"""Turn a response body into a ``Page``, keeping each contact's exact source text.

The body is walked with the standard library's own decoder (``raw_decode``) one value at a
time, so the parse is as strict and as fast as ``json.loads`` while recording where each contact
starts and ends: exports write those spans untouched. Anything that is not the documented shape
raises ``BadResponseError`` naming the status and the first bytes of the body.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .errors import BadResponseError
from .models import Contact, ContactQuery, Page, as_int
from .sanitize import clean, clip

_DECODER = json.JSONDecoder()
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


def _scan_top_level(text: str, status: int, body: bytes) -> tuple[dict[str, Any], list[str]]:
    """Decode the top-level object; return it and the source text of each payload item."""
    pos = _skip(text, 0)
    if pos >= len(text):
        raise _bad(status, body, "the body is empty")
    if text[pos] != "{":
        try:
            value, _ = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError:
            raise _bad(status, body, "it is not JSON") from None
        raise _bad(status, body, f"expected a JSON object, got {type(value).__name__}")
    result: dict[str, Any] = {}
    spans: list[str] = []
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
                    value, spans, pos = _scan_array(text, pos)
                else:
                    value, pos = _DECODER.raw_decode(text, pos)
                    if key == "payload":
                        spans = []
                result[key] = value
                pos = _skip(text, pos)
                if text[pos] == "}":
                    pos += 1
                    break
                if text[pos] != ",":
                    raise ValueError("expected ',' or '}'")
                pos = _skip(text, pos + 1)
    except (json.JSONDecodeError, ValueError, IndexError):
        raise _bad(status, body, "the JSON is malformed or cut short") from None
    if _skip(text, pos) != len(text):
        raise _bad(status, body, "there is extra data after the JSON")
    return result, spans


def _scan_array(text: str, pos: int) -> tuple[list[Any], list[str], int]:
    items: list[Any] = []
    spans: list[str] = []
    pos = _skip(text, pos + 1)
    if text[pos] == "]":
        return items, spans, pos + 1
    while True:
        start = pos
        value, pos = _DECODER.raw_decode(text, pos)
        items.append(value)
        spans.append(text[start:pos])
        pos = _skip(text, pos)
        if text[pos] == "]":
            return items, spans, pos + 1
        if text[pos] != ",":
            raise ValueError("expected ',' or ']'")
        pos = _skip(text, pos + 1)


def parse_page(body: bytes, query: ContactQuery, *, status: int = 200) -> Page:
    """Read a list-contacts (or search) response.

    ``meta.count`` is the total of matching contacts; ``meta.has_more`` (Chatwoot's search)
    replaces it where the total is unknown. The page size recorded is the one asked for; the
    client corrects it when the server shows it used another.
    """
    document, spans = _scan_top_level(_decode(body, status), status, body)
    payload = document.get("payload")
    if not isinstance(payload, list):
        got = "missing" if payload is None else f"a {type(payload).__name__}"
        raise _bad(status, body, f"'payload' should be a list of contacts but is {got}")
    meta = document.get("meta")
    if not isinstance(meta, dict):
        raise _bad(status, body, "'meta' is missing")
    has_more = meta.get("has_more")
    has_more = has_more if isinstance(has_more, bool) else None
    total: int | None = None
    if has_more is None:
        total = as_int(meta.get("count"))
        if total is None:
            raise _bad(
                status, body, f"'meta.count' is not a count: {clip(repr(meta.get('count')), 30)}"
            )
        if payload:  # a total smaller than the rows already listed is plainly wrong
            total = max(total, (query.page - 1) * query.page_size + len(payload))
    if len(spans) != len(payload):  # payload was not scanned as an array: no source spans
        spans = [""] * len(payload)
    contacts = tuple(Contact.from_json(item, raw) for item, raw in zip(payload, spans, strict=True))
    return Page(
        query=query,
        contacts=contacts,
        total=total,
        page_size=query.page_size,
        has_more=has_more,
    )


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
        except ValueError:
            data = None
        message = _message_from(data)
    if not message:
        if "html" in content_type.lower() or text.lstrip().startswith("<"):
            title = re.search(r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
            text = title.group(1) if title else _TAG.sub(" ", text)
        message = text
    return clean(clip(" ".join(message.split()), 160))


def _message_from(data: Any) -> str:
    if isinstance(data, dict):
        for key in ("error", "errors", "message", "detail"):
            value = data.get(key)
            found = _message_from(value)
            if found:
                return found
        return ""
    if isinstance(data, list):
        return "; ".join(filter(None, (_message_from(item) for item in data[:5])))
    if isinstance(data, str):
        return data
    return ""
