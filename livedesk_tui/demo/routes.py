"""What the demo API answers, per dialect: routing, credentials, parameters and bodies.

Nothing here touches a socket; ``server`` sends what these functions decide.

* LiveDesk: ``GET /api/v2/accounts/contacts``, ``Authorization: Basic base64(key:secret)``;
  ``page``, ``page_size`` (default 15, clamped to 1..100), ``labels`` / ``labels[]``,
  ``include_contact_inboxes``, ``sort`` + ``direction``, ``q``. ``meta.current_page`` is the
  page served, as a string.
* Chatwoot: ``GET /api/v1/accounts/{id}/contacts``, ``.../contacts/search`` and ``.../labels``,
  header ``api_access_token``; 15 a page whatever is asked; ``sort=-key`` for descending (a
  ``direction`` parameter is ignored), the keys and search rules of the version played (see
  ``chatwoot``); ``meta.current_page`` echoes the raw parameter (the integer 1 when absent);
  search needs ``q`` (else 422). With ``unstable_order`` a list without a sort comes in an
  order that differs from one page to the next, as a query without ``ORDER BY`` may: paging
  through it repeats some contacts and skips others.

Junk is read leniently, as Rails does: a page that is not a positive number is page 1, an
unknown sort key is no sort, a repeated parameter takes its last value.
"""

from __future__ import annotations

import base64
import hmac
import math
from dataclasses import dataclass
from typing import Any

from . import overload
from .catalogue import LABELS
from .chatwoot import NEWEST_VERSION, ChatwootVersion
from .faults import Fault
from .store import ContactStore, Rotated, Selection
from .wire import Answer, Stream, html_answer, json_answer, parse_int, phrase

DEFAULT_PAGE_SIZE = 15
MAX_PAGE_SIZE = 100
LIVEDESK_PATH = "/api/v2/accounts/contacts"
NOT_FOUND = {"error": "Resource could not be found"}
CHATWOOT_SIGN_IN = {"errors": ["You need to sign in or sign up before continuing."]}
NEEDS_Q = {"message": "Specify search string with parameter q"}
_BASIC_CHALLENGE = (("WWW-Authenticate", 'Basic realm="LiveDesk"'),)
_FALSE = frozenset({"false", "0", "no", "off"})
_CHATWOOT_ENDPOINTS = {
    ("contacts",): "contacts",
    ("contacts", "search"): "search",
    ("labels",): "labels",
}

Params = list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Route:
    endpoint: str
    """``contacts``, ``search`` or ``labels``."""
    account: str | None = None
    """The account id in a Chatwoot path, as written."""

    @property
    def lists_contacts(self) -> bool:
        return self.endpoint != "labels"


def last(params: Params, name: str, default: Any = None) -> Any:
    """The last value of ``name`` (as Rails reads a repeated parameter), else ``default``."""
    found = default
    for key, value in params:
        if key == name:
            found = value
    return found


def _wants_inboxes(params: Params) -> bool:
    return str(last(params, "include_contact_inboxes", "true")).strip().lower() not in _FALSE


def page_number(params: Params) -> int:
    number = parse_int(last(params, "page", ""))
    return number if number is not None and number >= 1 else 1


@dataclass(frozen=True, slots=True)
class DialectRules:
    """What one dialect answers, over a ``ContactStore``."""

    store: ContactStore
    name: str = "livedesk"
    account_id: int = 1
    api_key: str = ""
    api_secret: str = ""
    ignore_page_size: bool = False
    version: ChatwootVersion = NEWEST_VERSION
    """The Chatwoot version played (for the Chatwoot dialect)."""
    unstable_order: bool = False
    """Without a sort, serve each page from an order of its own (Chatwoot dialect)."""

    @property
    def chatwoot(self) -> bool:
        return self.name == "chatwoot"

    def route(self, path: str) -> Route | None:
        path = path.rstrip("/") or "/"
        if not self.chatwoot:
            return Route("contacts") if path == LIVEDESK_PATH else None
        pieces = path.split("/")
        # "", "api", "v1", "accounts", "{id}", then "contacts" [, "search"] or "labels"
        if len(pieces) < 6 or pieces[1:4] != ["api", "v1", "accounts"]:
            return None
        endpoint = _CHATWOOT_ENDPOINTS.get(tuple(pieces[5:]))
        return Route(endpoint, pieces[4]) if endpoint else None

    def refuse(self, headers: Any, route: Route) -> Answer | None:
        """The 401 (or Chatwoot's 404 for another account) when the request may not pass."""
        if self.chatwoot:
            token = headers.get("api_access_token")
            if token is None:
                return json_answer(401, CHATWOOT_SIGN_IN)
            if not hmac.compare_digest(token.encode(), self.api_key.encode()):
                return json_answer(401, {"error": "Invalid Access Token"})
            if route.account != str(self.account_id):
                return json_answer(404, NOT_FOUND)
            return None
        given = headers.get("Authorization")
        if not given:
            message = "Missing credentials: send Authorization: Basic base64(api_key:api_secret)"
            return json_answer(401, {"error": message}, _BASIC_CHALLENGE)
        if not self._basic_matches(given):
            return json_answer(401, {"error": "Invalid API key or secret"}, _BASIC_CHALLENGE)
        return None

    def _basic_matches(self, given: str) -> bool:
        scheme, _, token = given.strip().partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            pair = base64.b64decode(token.strip(), validate=True)
        except ValueError:  # binascii.Error is a ValueError
            return False
        expected = f"{self.api_key}:{self.api_secret}".encode()
        return hmac.compare_digest(pair, expected)

    def invalid(self, route: Route, params: Params) -> Answer | None:
        """A 422 for a Chatwoot search without ``q``."""
        if route.endpoint == "search" and not str(last(params, "q", "")).strip():
            return json_answer(422, NEEDS_Q)
        return None

    # --- bodies ------------------------------------------------------------------------------

    def labels(self) -> Answer:
        known = [label.as_json() for label in LABELS]
        titles = {label.title for label in LABELS}
        extra = sorted(title for title in self.store.labels if title not in titles)
        for number, title in enumerate(extra, start=len(known) + 1):
            known.append(
                {
                    "id": number,
                    "title": title,
                    "description": "",
                    "color": "#888888",
                    "show_on_sidebar": True,
                }
            )
        return json_answer(200, {"payload": known})

    def select(self, route: Route, params: Params) -> Selection:
        labels = [value for key, value in params if key in {"labels", "labels[]"} and value]
        sort: str | None = str(last(params, "sort", ""))
        if self.chatwoot:
            sort, descending = self.version.sort(sort or "")
            searching = route.endpoint == "search"
            search = last(params, "q", "") if searching else ""
            if searching and self.version.search_ignores_labels:
                labels = []
        else:
            descending = str(last(params, "direction", "asc")).strip().lower() == "desc"
            search = last(params, "q", "")
        selection = self.store.select(
            labels=labels, sort=sort or None, descending=descending, search=search
        )
        if self.chatwoot and self.unstable_order and not sort and len(selection) > 1:
            return Rotated(selection, _UNSTABLE_SHIFT if page_number(params) % 2 else 0)
        return selection

    def page_size(self, params: Params) -> int:
        if self.ignore_page_size or self.chatwoot:
            return DEFAULT_PAGE_SIZE
        size = parse_int(last(params, "page_size", ""))
        if size is None:
            return DEFAULT_PAGE_SIZE
        return max(1, min(size, MAX_PAGE_SIZE))

    def contacts_body(self, route: Route, params: Params) -> dict[str, Any]:
        selection = self.select(route, params)
        page = page_number(params)
        size = self.page_size(params)
        rows = self.store.page(selection, page, size)
        if not _wants_inboxes(params):
            rows = [{k: v for k, v in row.items() if k != "contact_inboxes"} for row in rows]
        return {"meta": self._meta(route, params, selection, len(rows)), "payload": rows}

    def _meta(
        self, route: Route, params: Params, selection: Selection, rows: int
    ) -> dict[str, Any]:
        page = page_number(params)
        if not self.chatwoot:
            return {"count": len(selection), "current_page": str(page)}
        if route.endpoint == "search" and self.version.search_has_more:
            has_more = page * self.page_size(params) < len(selection)
            return {"count": rows, "current_page": last(params, "page", 1), "has_more": has_more}
        return {"count": len(selection), "current_page": last(params, "page", 1)}

    def contacts_answer(self, route: Route, params: Params) -> Answer:
        """``contacts_body`` as ``json_answer`` would send it, byte for byte, built from each
        contact's JSON text encoded once by the store."""
        selection = self.select(route, params)
        rows = self.store.page_json(
            selection, page_number(params), self.page_size(params), inboxes=_wants_inboxes(params)
        )
        meta = json_answer(200, self._meta(route, params, selection, len(rows))).body
        return Answer(200, b'{"meta":' + meta + b',"payload":[' + b",".join(rows) + b"]}")

    def answer(self, route: Route, params: Params) -> Answer:
        """The normal answer to a request that passed ``refuse`` and ``invalid``."""
        if route.endpoint == "labels":
            return self.labels()
        return self.contacts_answer(route, params)

    # --- faults ------------------------------------------------------------------------------

    def fault_answer(self, fault: Fault, route: Route, params: Params) -> Answer | Stream:
        """The answer a fault replaces the real one with (for every kind that sends one)."""
        kind = fault.kind
        if kind in _LIMITS:
            return self._beyond_limits(fault, route, params)
        if kind in _PAGING:
            return self._paging_lie(fault, route, params)
        if kind == "status":
            return self._status(fault)
        if kind == "html":
            return html_answer(fault.status)
        if kind == "not_json":
            text = "Service temporarily unavailable <br> please retry later"
            return Answer(200, text.encode())
        if kind == "wrong_shape":
            return json_answer(200, wrong_shape(self.contacts_body(route, params), fault.shape))
        full = self.answer(route, params)
        if kind == "truncated":
            return Answer(200, full.body[: len(full.body) // 2])
        return full  # drop: the server sends part of it

    def _beyond_limits(self, fault: Fault, route: Route, params: Params) -> Answer | Stream:
        kind = fault.kind
        if kind == "huge_length":
            return Stream(200, overload.endless(overload.OPENING, b" "), length=10**12)
        if kind == "endless":
            unit = b'{"id":1,"name":"again"},'
            return Stream(200, overload.endless(overload.OPENING, unit))
        if kind == "bomb":
            headers = (("Content-Encoding", fault.encoding),)
            return Answer(200, overload.bomb(fault.encoding), headers=headers)
        if kind == "deep":
            length, chunks = overload.deep(fault.depth)
            return Stream(200, chunks, length=length)
        if kind == "many":
            meta = self._meta(route, params, range(fault.rows), fault.rows)
            return Stream(200, overload.many({**meta, "count": fault.rows}, fault.rows))
        if kind == "drip":
            whole = self.answer(route, params).body
            chunks = (whole[i : i + 1] for i in range(len(whole)))
            return Stream(200, chunks, length=len(whole), pause=fault.drip_seconds)
        body = self.contacts_body(route, params)
        if kind == "count":
            text = fault.count
            body["meta"]["count"] = overload.mark()
        else:  # bignum
            text = "9" * fault.digits
            if body["payload"]:
                body["payload"][0] = {**body["payload"][0], "id": overload.mark()}
        return Answer(200, overload.splice(json_answer(200, body).body, text))

    def _paging_lie(self, fault: Fault, route: Route, params: Params) -> Answer:
        kind = fault.kind
        page = page_number(params)
        if kind == "ignore_page":
            return self.answer(route, _with_page(params, 1))
        last_page = max(1, math.ceil(len(self.select(route, params)) / self.page_size(params)))
        if kind == "repeat_last":
            return self.answer(route, _with_page(params, min(page, last_page)))
        if kind == "has_more":
            body = self.contacts_body(route, _with_page(params, min(page, last_page)))
            meta = {k: v for k, v in body["meta"].items() if k != "count"}
            asked = last(params, "page", 1) if self.chatwoot else str(page)
            meta.update(current_page=asked, has_more=True)
            return json_answer(200, {"meta": meta, "payload": body["payload"]})
        if kind == "short":
            body = self.contacts_body(route, params)
            body["payload"] = body["payload"][: fault.keep]
            return json_answer(200, body)
        # dup_ids
        body = self.contacts_body(route, params)
        firsts = self.contacts_body(route, _with_page(params, 1))["payload"]
        body["payload"] = [
            {**row, "id": first["id"]} for row, first in zip(body["payload"], firsts, strict=False)
        ]
        return json_answer(200, body)

    def _status(self, fault: Fault) -> Answer:
        headers: tuple[tuple[str, str], ...] = ()
        if fault.retry_after is not None and fault.status in {429, 503}:
            headers = (("Retry-After", fault.retry_after),)
        status = fault.status
        if status == 429:  # Rack::Attack's default answer
            return Answer(429, b"Retry later\n", "text/plain; charset=utf-8", headers)
        if status == 401 and self.chatwoot:
            return json_answer(401, {"error": "Invalid Access Token"}, headers)
        messages = {
            401: "Invalid API key or secret",
            403: "You do not have permission to access contacts",
            404: NOT_FOUND["error"],
        }
        return json_answer(status, {"error": messages.get(status) or phrase(status)}, headers)


_UNSTABLE_SHIFT = 7
"""How far an odd page's order is turned from an even page's, under ``unstable_order``."""


_LIMITS = frozenset({"huge_length", "endless", "bomb", "deep", "count", "bignum", "drip", "many"})
_PAGING = frozenset({"ignore_page", "repeat_last", "has_more", "dup_ids", "short"})


def _with_page(params: Params, page: int) -> Params:
    """``params`` asking for ``page`` instead (the last ``page`` wins, as Rails reads it)."""
    return [*params, ("page", str(page))]


def wrong_shape(body: dict[str, Any], shape: str) -> Any:
    """``body`` bent into one of ``faults.SHAPES``."""
    meta, payload = body["meta"], body["payload"]
    if shape == "payload_not_list":
        return {"meta": meta, "payload": {"contacts": payload}}
    if shape == "meta_missing":
        return {"payload": payload}
    if shape == "count_negative":
        return {"meta": {**meta, "count": -1}, "payload": payload}
    if shape == "count_string":
        return {"meta": {**meta, "count": str(meta["count"])}, "payload": payload}
    return payload  # not_object: the bare list
