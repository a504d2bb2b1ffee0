"""The list-contacts request of each server kind, as plain data: path, parameters, headers.

Kept free of ``httpx`` so the first page can be asked for before the HTTP stack is imported
(see ``first_page``); the client builds its requests from the same functions.
"""

from __future__ import annotations

import base64

from .connection import Connection
from .models import MAX_PAGE_SIZE, ContactQuery

USER_AGENT = "livedesk-tui/0.1"
CHATWOOT_PAGE_SIZE = 15
CHATWOOT_SORT_KEYS: dict[str, tuple[str, ...]] = {"company": ("company_name", "company")}
"""Sort keys Chatwoot names differently by version: the company key is ``company_name`` since
4.13 and ``company`` before. An undeclared key is ignored without an error (the answer comes
back unsorted), and each version applies the one it declares from a comma-separated list."""

Params = list[tuple[str, str]]


def account_path(connection: Connection) -> str:
    """Chatwoot's per-account prefix of every path."""
    return f"/api/v1/accounts/{connection.account_id}"


def list_request(connection: Connection, query: ContactQuery) -> tuple[str, Params]:
    """The path and query parameters that ask for ``query``'s page."""
    params: Params = [("page", str(query.page))]
    chatwoot = connection.dialect == "chatwoot"
    if chatwoot:
        path = f"{account_path(connection)}/contacts"
        if query.search:
            path += "/search"
    else:
        path = "/api/v2/accounts/contacts"
        params.append(("page_size", str(query.page_size)))
    if len(query.labels) == 1 and not chatwoot:
        params.append(("labels", query.labels[0]))
    else:
        params.extend(("labels[]", label) for label in query.labels)
    params.append(("include_contact_inboxes", "true" if query.include_inboxes else "false"))
    if query.sort:
        if chatwoot:
            prefix = "-" if query.direction == "desc" else ""
            keys = CHATWOOT_SORT_KEYS.get(query.sort, (query.sort,))
            params.append(("sort", ",".join(prefix + key for key in keys)))
        else:
            params.append(("sort", query.sort))
            params.append(("direction", query.direction))
    if query.search:
        params.append(("q", query.search))
    return path, params


def credential_headers(connection: Connection) -> dict[str, str]:
    """The headers that carry the credentials (built at send time, never kept)."""
    if connection.dialect == "chatwoot":
        return {"api_access_token": connection.api_key.reveal()}
    pair = f"{connection.api_key.reveal()}:{connection.api_secret.reveal()}".encode()
    return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}


def first_page_size(connection: Connection, query: ContactQuery) -> int:
    """The page size a first request for ``query`` asks for (Chatwoot's is fixed at 15)."""
    if connection.dialect == "chatwoot":
        return CHATWOOT_PAGE_SIZE
    return max(1, min(query.page_size, MAX_PAGE_SIZE))


def loggable(params: Params) -> dict[str, str]:
    """Query parameters for the log, with search text (personal data) redacted."""
    return {key: "<redacted>" if key == "q" else value for key, value in params}
