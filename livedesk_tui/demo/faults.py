"""Faults the demo server can inject, so a client's error paths run over real sockets.

A ``FaultPlan`` holds faults in the order they were added; each request for a page takes the
first fault that matches it and still has firings left. The CLI writes faults as short specs
(``parse_fault``)::

    429                     one 429 "Retry later" (no Retry-After)
    429:retry-after=1       one 429 with "Retry-After: 1"
    500@page=3x1            a 500 for page 3, once
    503x*                   a 503 for every request, forever
    html:502                an HTML error page with status 502
    not_json | truncated | drop | hang | close
    wrong_shape:count_string
    hang:5                  hang for 5 seconds (default 60), then close

Answers that attack a client's limits rather than its error paths (each a 200):

    huge_length             "Content-Length: 1000000000000", then bytes without end
    endless                 chunked, JSON-looking chunks without end
    bomb:gzip               a ~1 MB body that decodes to 1 GiB of JSON (also bomb:deflate,
                            and bomb:br where the brotli module is installed)
    deep:100000             {"meta":{"count":1},"payload":[[[...]]]} nested that deep (default)
    count:VALUE             the real page with meta.count written as the JSON text VALUE, as
                            is: count:1e30, count:1e400, count:"123", count:-0.5, five thousand
                            digits (VALUE may be any JSON Python reads, NaN included, but may
                            not end in x<digits>, which would read as how many times)
    bignum:5000             the real page, its first contact's id a number of that many digits
    drip:1                  the real answer, headers first, then its body a byte a second
    many:1000000            one page of that many contacts {"id":N,"name":"cN"} whatever
                            page_size asks (streamed; about 31 MB for the default)

Answers that lie about paging (each fires per request like any fault, so write them ``x*``
to have a whole listing lie):

    ignore_page             page 1's answer, whatever page is asked for
    repeat_last             a page past the last answered with the last page, not an empty one
                            (a page within range is answered as usual)
    has_more                meta says has_more: true and no count; pages past the end are
                            answered with the last page
    dup_ids                 the page's own contacts, with page 1's ids (one id, two people)
    short:5                 only the page's first 5 rows (default 5), its meta as if whole:
                            contacts deleted between the count and the page

Streamed answers stop as soon as the client goes away or the server stops.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, replace
from typing import Any

FAULT_KINDS: tuple[str, ...] = (
    "status",
    "html",
    "not_json",
    "truncated",
    "wrong_shape",
    "drop",
    "hang",
    "close",
    "huge_length",
    "endless",
    "bomb",
    "deep",
    "count",
    "bignum",
    "drip",
    "many",
    "ignore_page",
    "repeat_last",
    "has_more",
    "dup_ids",
    "short",
)
SHAPES: tuple[str, ...] = (
    "payload_not_list",
    "meta_missing",
    "count_negative",
    "count_string",
    "not_object",
)
ENCODINGS: tuple[str, ...] = ("gzip", "deflate", "br")
"""The ``Content-Encoding`` values a ``bomb`` can be sent with (``br`` needs ``brotli``)."""
MAX_COUNT_TEXT = 1_000_000
"""The longest ``count`` text, in characters."""
MAX_SIZE = 100_000_000
"""The largest ``deep`` depth, ``bignum`` digit count and ``many`` contact count."""
_HEADER_VALUE = re.compile(r"[\x20-\x7e]*")
_NO_ARGUMENT = frozenset(
    {
        "not_json",
        "truncated",
        "drop",
        "close",
        "huge_length",
        "endless",
        "ignore_page",
        "repeat_last",
        "has_more",
        "dup_ids",
    }
)


@dataclass
class Fault:
    """One misbehaviour, for some pages, some number of times.

    Kinds: ``status`` (answer ``status`` with an error body), ``html`` (an HTML page with
    ``status``), ``not_json`` (200, a body that is not JSON), ``truncated`` (200, half the real
    body with a matching Content-Length), ``wrong_shape`` (200, JSON of the wrong ``shape``),
    ``drop`` (headers for the full body, half of it, then the socket closes), ``hang`` (no
    answer for ``hang_seconds`` or until the server stops, then the socket closes), ``close``
    (the socket closes without an answer). The kinds that test a client's limits and its
    paging are described in the module docstring; their sizes are ``encoding`` (``bomb``),
    ``depth`` (``deep``), ``count`` (``count``), ``digits`` (``bignum``), ``drip_seconds``
    (``drip``) and ``rows`` (``many``).
    """

    kind: str
    status: int = 500
    """For ``status`` and ``html``."""
    retry_after: str | None = None
    """Sent as ``Retry-After`` with a ``status`` 429 or 503."""
    shape: str = "payload_not_list"
    """For ``wrong_shape``: one of ``SHAPES``."""
    page: int | None = None
    """Only requests for this page (``None``: any page)."""
    times: int | None = 1
    """How many times it fires (``None``: forever)."""
    hang_seconds: float = 60.0
    encoding: str = "gzip"
    """For ``bomb``: one of ``ENCODINGS``."""
    depth: int = 100_000
    """For ``deep``: how deep the payload's lists nest."""
    count: str = "1e30"
    """For ``count``: the JSON text sent as ``meta.count``, exactly as written."""
    digits: int = 5000
    """For ``bignum``: how many digits the first contact's id has."""
    drip_seconds: float = 1.0
    """For ``drip``: the pause before each byte of the body."""
    rows: int = 1_000_000
    """For ``many``: how many contacts the page holds."""
    keep: int = 5
    """For ``short``: how many of the page's rows are sent."""

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(
                f"unknown fault kind {self.kind!r}; use one of {', '.join(FAULT_KINDS)}"
            )
        if self.kind in {"status", "html"} and not 400 <= self.status <= 599:
            raise ValueError(f"a fault status must be 400 to 599, not {self.status}")
        if self.shape not in SHAPES:
            raise ValueError(f"unknown wrong_shape {self.shape!r}; use one of {', '.join(SHAPES)}")
        if self.times is not None and self.times < 0:
            raise ValueError(f"a fault fires 0 or more times, not {self.times}")
        if self.page is not None and self.page < 1:
            raise ValueError(f"a fault's page is 1 or more, not {self.page}")
        if not 0 <= self.hang_seconds <= 86_400:  # also refuses NaN
            raise ValueError(f"hang_seconds must be 0 to 86400, not {self.hang_seconds}")
        if self.retry_after is not None and not _HEADER_VALUE.fullmatch(self.retry_after):
            raise ValueError(f"Retry-After must be printable ASCII, not {self.retry_after!r}")
        if not 0 <= self.drip_seconds <= 86_400:
            raise ValueError(f"drip_seconds must be 0 to 86400, not {self.drip_seconds}")
        for name in ("depth", "digits", "rows"):
            value = getattr(self, name)
            if not 1 <= value <= MAX_SIZE:
                raise ValueError(f"{name} must be 1 to {MAX_SIZE:,}, not {value}")
        if not 0 <= self.keep <= MAX_SIZE:
            raise ValueError(f"keep must be 0 to {MAX_SIZE:,}, not {self.keep}")
        if self.encoding not in ENCODINGS:
            raise ValueError(
                f"unknown encoding {self.encoding!r}; use one of {', '.join(ENCODINGS)}"
            )
        if self.kind == "bomb" and self.encoding == "br" and not brotli_available():
            raise ValueError(
                "bomb:br needs the brotli module, which is not installed here; "
                "use bomb:gzip or bomb:deflate"
            )
        if self.kind == "count":
            _check_json_text(self.count)

    def describe(self) -> str:
        """The fault in ``parse_fault``'s own notation."""
        if self.kind == "status":
            text = str(self.status)
            if self.retry_after is not None:
                text += f":retry-after={self.retry_after}"
        elif self.kind == "html":
            text = f"html:{self.status}"
        elif self.kind == "wrong_shape":
            text = f"wrong_shape:{self.shape}"
        elif self.kind == "hang":
            text = f"hang:{_seconds(self.hang_seconds)}"
        elif self.kind == "drip":
            text = f"drip:{_seconds(self.drip_seconds)}"
        elif self.kind == "bomb":
            text = f"bomb:{self.encoding}"
        elif self.kind == "count":
            text = f"count:{self.count}"
        elif self.kind in _SIZES:
            text = f"{self.kind}:{getattr(self, _SIZES[self.kind])}"
        else:
            text = self.kind
        if self.page is not None:
            text += f"@page={self.page}"
        if self.times != 1:
            text += "x*" if self.times is None else f"x{self.times}"
        return text


_SIZES = {"deep": "depth", "bignum": "digits", "many": "rows", "short": "keep"}


def _seconds(value: float) -> str:
    short = f"{value:g}"
    return short if float(short) == value else repr(value)


def brotli_available() -> bool:
    """Whether the ``brotli`` module can be imported (``bomb:br`` needs it)."""
    try:
        import brotli  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        return False
    return True


def _check_json_text(text: str) -> None:
    """Refuse a ``count`` that is not one JSON value as Python's reader takes it (numbers of
    any size are fine: they are checked for form only, never converted)."""
    if not 0 < len(text) <= MAX_COUNT_TEXT:
        raise ValueError(f"a count is 1 to {MAX_COUNT_TEXT:,} characters of JSON")
    if text != text.strip():
        raise ValueError("a count has no spaces around it")
    try:
        json.loads(text, parse_int=len, parse_float=len, parse_constant=len)
    except (ValueError, RecursionError):
        raise ValueError(
            f'a count must be JSON text, e.g. 1e30 or "12", not {text[:40]!r}'
        ) from None


@dataclass
class _Entry:
    fault: Fault
    left: int | None


class FaultPlan:
    """The faults to inject, consumed by the server's handler threads (thread-safe)."""

    def __init__(self, faults: list[Fault] | None = None) -> None:
        self._lock = threading.Lock()
        self._entries: list[_Entry] = []
        self._fired = 0
        for fault in faults or ():
            self.add(fault)

    def add(self, fault: Fault) -> None:
        """Queue ``fault`` after those already planned (a copy is kept)."""
        with self._lock:
            self._entries.append(_Entry(replace(fault), fault.times))

    def clear(self) -> None:
        """Forget every planned fault (the ``fired`` count stays)."""
        with self._lock:
            self._entries.clear()

    @property
    def fired(self) -> int:
        """How many times any fault has fired."""
        with self._lock:
            return self._fired

    @property
    def pending(self) -> list[Fault]:
        """Faults that can still fire, with ``times`` set to what is left."""
        with self._lock:
            return [
                replace(entry.fault, times=entry.left)
                for entry in self._entries
                if entry.left is None or entry.left > 0
            ]

    def match(self, page: int) -> Fault | None:
        """Take one firing of the first fault for ``page`` that has one left."""
        with self._lock:
            for entry in self._entries:
                if entry.fault.page is not None and entry.fault.page != page:
                    continue
                if entry.left is not None:
                    if entry.left <= 0:
                        continue
                    entry.left -= 1
                self._fired += 1
                return entry.fault
            return None

    def __repr__(self) -> str:
        return f"FaultPlan([{', '.join(fault.describe() for fault in self.pending)}])"


_SPEC = re.compile(
    r"""^(?P<head>[a-z_]+|\d{3})
        (?::(?P<arg>.*?))?
        (?:@page=(?P<page>\d+))?
        (?:x(?P<times>\d+|\*))?$""",
    re.VERBOSE | re.IGNORECASE | re.DOTALL,
)
_SPEC_HELP = (
    "write KIND[:ARG][@page=N][xN|x*], e.g. 500, 429:retry-after=1, html:502, "
    "wrong_shape:count_string, truncated@page=2, dropx*, hang:5, bomb:gzip, deep:5000, "
    "count:1e400, drip:0.5, many:100000, has_morex*"
)


def parse_fault(spec: str) -> Fault:
    """Read a fault from its command-line form (see the module docstring).

    Raises:
        ValueError: the spec cannot be read; the message says what was expected.
    """
    match = _SPEC.match(spec.strip())
    if not match:
        raise ValueError(f"cannot read the fault {spec!r}: {_SPEC_HELP}")
    head = match["head"].lower()
    arg = match["arg"] or ""
    fields: dict[str, Any] = {"page": int(match["page"]) if match["page"] else None}
    if match["times"] == "*":
        fields["times"] = None
    elif match["times"]:
        fields["times"] = int(match["times"])
    if head.isdigit():
        fields.update(kind="status", status=int(head), retry_after=_retry_after(arg, spec))
    elif head == "html":
        fields.update(kind="html", status=_number(arg, spec, int, "html:502") if arg else 500)
    elif head == "wrong_shape":
        shape = arg.lower() or "payload_not_list"
        if shape not in SHAPES:
            raise ValueError(f"unknown shape {arg!r} in {spec!r}: use one of {', '.join(SHAPES)}")
        fields.update(kind="wrong_shape", shape=shape)
    elif head == "hang":
        seconds = arg.lower().removeprefix("seconds=")
        fields.update(
            kind="hang", hang_seconds=_number(seconds, spec, float, "hang:5") if arg else 60.0
        )
    elif head == "drip":
        seconds = arg.lower().removeprefix("seconds=")
        fields.update(
            kind="drip", drip_seconds=_number(seconds, spec, float, "drip:0.5") if arg else 1.0
        )
    elif head == "bomb":
        fields.update(kind="bomb", encoding=arg.lower() or "gzip")
    elif head == "count":
        if not arg:
            raise ValueError(f"the fault 'count' needs a JSON value, e.g. count:1e30, not {spec!r}")
        fields.update(kind="count", count=arg)
    elif head in _SIZES:
        example = f"{head}:5000"
        if arg:
            fields[_SIZES[head]] = _number(arg, spec, int, example)
        fields["kind"] = head
    elif head in _NO_ARGUMENT:
        if arg:
            raise ValueError(f"the fault {head!r} takes no argument, but {spec!r} gives {arg!r}")
        fields["kind"] = head
    else:
        kinds = ", ".join(kind for kind in FAULT_KINDS if kind != "status")
        raise ValueError(
            f"unknown fault {match['head']!r} in {spec!r}: use an HTTP status (e.g. 500) "
            f"or one of {kinds}"
        )
    try:
        return Fault(**fields)
    except ValueError as exc:
        raise ValueError(f"cannot use the fault {spec!r}: {exc}") from None


def _retry_after(arg: str, spec: str) -> str | None:
    if not arg:
        return None
    name, sep, value = arg.partition("=")
    if not sep or name.strip().lower() != "retry-after" or not value.strip():
        raise ValueError(f"cannot read {arg!r} in {spec!r}: a status takes retry-after=VALUE")
    return value.strip()


def _number(text: str, spec: str, kind: type[int] | type[float], example: str) -> Any:
    try:
        return kind(text)
    except ValueError:
        raise ValueError(f"cannot read {text!r} in {spec!r} as a number, e.g. {example}") from None
