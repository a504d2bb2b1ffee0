"""What differs between the servers the client speaks to, one class per server kind.

LiveDesk and Chatwoot list contacts with the same idea and different details: the path, the
header carrying the credentials, how a page size, labels and a sort are spelt, whether the
account's labels can be listed, how a search pages, and what a refusal most likely means. Each
``ServerDialect`` holds its server's details, so the client, the first page asked for ahead of
time and the export ask ``dialect_for(connection)`` instead of comparing names, and a new
server kind (or a Chatwoot version that behaves otherwise) is one class, not a branch in each.

Kept free of ``httpx`` (and of anything slow to import): the first page is asked for from
these requests before the HTTP stack is loaded (see ``first_page``).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import ClassVar

from .connection import Connection, Dialect
from .models import MAX_PAGE_SIZE, ContactQuery, Page

Params = list[tuple[str, str]]

CHATWOOT_PAGE_SIZE = 15


@dataclass(frozen=True, slots=True)
class ServerDialect:
    """One server kind's requests and wording, for one connection.

    Subclasses set the class attributes and override the methods whose details differ; the
    defaults are LiveDesk's.
    """

    connection: Connection

    name: ClassVar[Dialect] = "livedesk"
    """The name profiles and ``--dialect`` use."""
    title: ClassVar[str] = "LiveDesk"
    """The server kind as messages name it."""
    credentials_name: ClassVar[str] = "API key pair"
    """What the credentials are called in messages."""
    credential_word: ClassVar[str] = "key"
    """The credential, in one word, in "check the ... from" advice."""
    not_found_hint: ClassVar[str] = "the base URL and its data centre"
    """What to check when the contacts API is not at the address (HTTP 404)."""
    fixed_page_size: ClassVar[int | None] = None
    """The page size the server always uses whatever is asked; ``None``: it takes
    ``page_size`` (a server that does not is noticed from its pages, see ``paging``)."""
    stable_sort: ClassVar[str | None] = None
    """The sort an export asks for when none is chosen, where the server has no order of its
    own without one (pages could then repeat or skip contacts); ``None``: it has one."""
    windowed_rate_limit: ClassVar[bool] = False
    """Whether the rate limit counts in fixed windows aligned to the clock, so a 429 without
    ``Retry-After`` is asked again once the next window begins (else after a backoff)."""

    # --- the list request -----------------------------------------------------------------

    def list_path(self) -> str:
        """The path that lists contacts."""
        return "/api/v2/accounts/contacts"

    def search_path(self) -> str:
        """The path that lists the contacts matching a search (``q``)."""
        return self.list_path()

    def page_size(self, query: ContactQuery) -> int:
        """The page size a first request for ``query`` asks for."""
        if self.fixed_page_size is not None:
            return self.fixed_page_size
        return max(1, min(query.page_size, MAX_PAGE_SIZE))

    def may_use_page_size(self, size: int) -> bool:
        """Whether a page of ``size`` rows can show the size the server uses: never one below
        a fixed size (a short page before the end means contacts went meanwhile)."""
        return self.fixed_page_size is None or size >= self.fixed_page_size

    def list_request(self, query: ContactQuery) -> tuple[str, Params]:
        """The path and query parameters that ask for ``query``'s page."""
        params: Params = [("page", str(query.page)), *self.page_size_params(query)]
        params.extend(self.label_params(query.labels))
        params.append(("include_contact_inboxes", "true" if query.include_inboxes else "false"))
        if query.sort:
            params.extend(self.sort_params(query))
        if query.search:
            params.append(("q", query.search))
        return (self.search_path() if query.search else self.list_path()), params

    def page_size_params(self, query: ContactQuery) -> Params:
        """The parameters asking for ``query.page_size`` rows a page."""
        return [("page_size", str(query.page_size))]

    def label_params(self, labels: tuple[str, ...]) -> Params:
        """The parameters asking for contacts with every one of ``labels``."""
        if len(labels) == 1:
            return [("labels", labels[0])]
        return [("labels[]", label) for label in labels]

    def sort_params(self, query: ContactQuery) -> Params:
        """The parameters asking for ``query``'s sort (set) and direction."""
        return [("sort", query.sort or ""), ("direction", query.direction)]

    def credential_headers(self) -> dict[str, str]:
        """The headers that carry the credentials (built at send time, never kept)."""
        connection = self.connection
        pair = f"{connection.api_key.reveal()}:{connection.api_secret.reveal()}".encode()
        return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}

    # --- what the answers mean ------------------------------------------------------------

    def labels_path(self) -> str | None:
        """The path listing the account's labels; ``None`` where the server has none."""
        return None

    def read_labels(self, body: bytes) -> list[str]:
        """The label titles in an answer from ``labels_path``, sorted, each once; an answer
        that does not hold them gives none."""
        return []

    def labels_ignored(self, page: Page) -> bool:
        """Whether ``page`` answers a search with labels from a server that searched every
        contact instead (the rows then match the search, not the labels)."""
        return False

    def unauthorized_message(self) -> str:
        """The one-line message for an HTTP 401."""
        conn = self.connection
        return (
            f"{conn.host} refused the {self.credentials_name} (HTTP 401){self.refusal_causes()}."
            f" Check the {self.credential_word} from {conn.origin}."
        )

    def refusal_causes(self) -> str:
        """Why a 401 most likely came, as a clause after the message's colon (or empty)."""
        return ""


class LiveDesk(ServerDialect):
    """The LiveDesk contacts API: a key pair in HTTP Basic, any page size up to 100, a sort
    with a direction, a search on the list path; no label list."""

    __slots__ = ()


class Chatwoot(ServerDialect):
    """Chatwoot's contacts API (versions 4.8 to 4.15), under the account's path.

    It sends 15 contacts a page whatever is asked, spells a descending sort with a leading
    ``-``, searches on a path of its own (paging by a total before 4.10.1, by ``has_more``
    since, when it also stops applying labels), lists the account's labels, and answers every
    refusal with a 401. Version-dependent spellings are sent in a form every version reads.
    """

    __slots__ = ()

    name: ClassVar[Dialect] = "chatwoot"
    title: ClassVar[str] = "Chatwoot"
    credentials_name: ClassVar[str] = "access token"
    credential_word: ClassVar[str] = "token"
    not_found_hint: ClassVar[str] = "the account id"
    fixed_page_size: ClassVar[int | None] = CHATWOOT_PAGE_SIZE
    stable_sort: ClassVar[str | None] = "created_at"
    windowed_rate_limit: ClassVar[bool] = True

    SORT_KEYS: ClassVar[dict[str, tuple[str, ...]]] = {"company": ("company_name", "company")}
    """Sort keys Chatwoot names differently by version: the company key is ``company_name``
    since 4.13 and ``company`` before. An undeclared key is ignored without an error (the
    answer comes back unsorted), and each version applies the one it declares from a
    comma-separated list."""

    def account_path(self) -> str:
        """The per-account prefix of every path."""
        return f"/api/v1/accounts/{self.connection.account_id}"

    def list_path(self) -> str:
        return f"{self.account_path()}/contacts"

    def search_path(self) -> str:
        return f"{self.list_path()}/search"

    def page_size_params(self, query: ContactQuery) -> Params:
        return []  # not read: every page holds 15

    def label_params(self, labels: tuple[str, ...]) -> Params:
        return [("labels[]", label) for label in labels]

    def sort_params(self, query: ContactQuery) -> Params:
        prefix = "-" if query.direction == "desc" else ""
        sort = query.sort or ""
        keys = self.SORT_KEYS.get(sort, (sort,))
        return [("sort", ",".join(prefix + key for key in keys))]

    def credential_headers(self) -> dict[str, str]:
        return {"api_access_token": self.connection.api_key.reveal()}

    def labels_path(self) -> str | None:
        return f"{self.account_path()}/labels"

    def read_labels(self, body: bytes) -> list[str]:
        import json  # not on the first page's way

        try:
            payload = json.loads(body).get("payload", [])
            titles = [item.get("title") for item in payload if isinstance(item, dict)]
        except (ValueError, AttributeError, TypeError, RecursionError):
            return []
        return sorted({t for t in titles if isinstance(t, str) and t})

    def labels_ignored(self, page: Page) -> bool:
        # Only 4.10.1 and later say has_more on a search, and they ignore its labels.
        query = page.query
        return bool(query.search and query.labels) and page.has_more is not None

    def refusal_causes(self) -> str:
        # Every refusal is a 401 there: name each cause.
        return (
            f": it is wrong or revoked, its user is not a member of account "
            f"{self.connection.account_id}, the account is suspended, or a reverse proxy in "
            "front of Chatwoot drops the api_access_token header for its underscore (nginx "
            "needs underscores_in_headers on)"
        )


DIALECT_CLASSES: dict[str, type[ServerDialect]] = {"livedesk": LiveDesk, "chatwoot": Chatwoot}
"""Each server kind's class, by the name a connection gives."""


def dialect_for(connection: Connection) -> ServerDialect:
    """The details of the server ``connection`` speaks to.

    Raises:
        ValueError: a dialect name no class answers to (settings accept only known ones).
    """
    try:
        kind = DIALECT_CLASSES[connection.dialect]
    except KeyError:
        raise ValueError(f"no dialect is called {connection.dialect!r}") from None
    return kind(connection)
