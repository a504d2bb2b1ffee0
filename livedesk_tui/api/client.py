"""``ContactsClient``: the one place that speaks HTTP to LiveDesk or Chatwoot.

One ``httpx.AsyncClient`` (one connection pool) per client. Reads are idempotent, so rate
limits, 5xx answers and network faults are retried a bounded number of times with exponential
backoff, honouring ``Retry-After`` when the server sends it. Every other failure becomes a typed
``ApiError`` at once.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import random
import ssl
import time
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field, replace
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import httpx

from .connection import Connection
from .errors import (
    ApiError,
    AuthError,
    BadResponseError,
    ForbiddenError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    ServerError,
)
from .models import MAX_PAGE_SIZE, ContactQuery, Page
from .parse import error_detail, parse_page

log = logging.getLogger("livedesk_tui.api")

USER_AGENT = "livedesk-tui/0.1"
CHATWOOT_PAGE_SIZE = 15
MAX_BODY_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 4
    """Tries in all, the first included."""
    backoff: float = 0.5
    """Seconds before the first retry; doubled each time, with jitter."""
    max_wait: float = 30.0
    """A ``Retry-After`` longer than this is not waited for: the error is reported instead."""

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return retry_after
        base = self.backoff * (2 ** (attempt - 1))
        return base * (0.75 + random.random() / 2)  # noqa: S311 - jitter, not cryptography


@dataclass(frozen=True, slots=True)
class FetchedPage:
    """A list-contacts answer as received: the body is read by ``read_contacts``."""

    query: ContactQuery
    """The query the caller asked for."""
    asked: ContactQuery
    """The query as sent (with the page size the server is known to use)."""
    body: bytes = field(repr=False)
    status: int = 200


DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=20.0, write=10.0, pool=10.0)


class _SignRequest(httpx.Auth):
    """Adds the credentials at send time, so no header dict holding them lives elsewhere."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        conn = self._connection
        if conn.dialect == "chatwoot":
            request.headers["api_access_token"] = conn.api_key.reveal()
        else:
            pair = f"{conn.api_key.reveal()}:{conn.api_secret.reveal()}".encode()
            request.headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        yield request

    def __repr__(self) -> str:
        return "<credentials>"


class ContactsClient:
    """List contacts and labels from one account.

    ``list_contacts`` returns a ``Page`` whose ``page_size`` is the size the server really used:
    when a server ignores ``page_size`` (Chatwoot always sends 15) the client notices from the
    first page that is not the last, and uses that size from then on, so no contact is skipped
    or listed twice.
    """

    def __init__(
        self,
        connection: Connection,
        *,
        retry: RetryPolicy | None = None,
        timeout: httpx.Timeout | float | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        max_connections: int = 8,
    ) -> None:
        self.connection = connection
        self.retry = retry or RetryPolicy()
        self._observed_page_size: int | None = (
            CHATWOOT_PAGE_SIZE if connection.dialect == "chatwoot" else None
        )
        self._http = httpx.AsyncClient(
            base_url=connection.base_url,
            auth=_SignRequest(connection),
            timeout=timeout if timeout is not None else DEFAULT_TIMEOUT,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            transport=transport,
            follow_redirects=False,
            trust_env=False,
            verify=_tls_settings(connection.base_url),
        )

    def __repr__(self) -> str:
        return f"<ContactsClient {self.connection.dialect} {self.connection.host}>"

    async def __aenter__(self) -> ContactsClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- the calls -----------------------------------------------------------------------

    def effective_page_size(self, query: ContactQuery) -> int:
        """The page size that will really be used for ``query``."""
        if self._observed_page_size is not None:
            return self._observed_page_size
        return max(1, min(query.page_size, MAX_PAGE_SIZE))

    async def list_contacts(self, query: ContactQuery) -> Page:
        """One page of contacts matching ``query``."""
        return self.read_contacts(await self.fetch_contacts(query))

    async def fetch_contacts(self, query: ContactQuery) -> FetchedPage:
        """The answer for one page, not read yet: the network part of ``list_contacts``.

        A caller fetching many pages at once (the export) starts the next request as soon as
        an answer is in, and reads it (``read_contacts``) in page order afterwards, so parsing
        never holds a request back.
        """
        size = self.effective_page_size(query)
        asked = query.with_page_size(size) if size != query.page_size else query
        path, params = self._list_request(asked)
        response = await self._get(path, params)
        return FetchedPage(query, asked, response.content, response.status_code)

    def read_contacts(self, fetched: FetchedPage) -> Page:
        """The ``Page`` in a fetched answer (raises ``BadResponseError`` as ``list_contacts``).

        An answer fetched before the client learnt that the server uses another page size
        than the one asked for is read at the server's size: that is the size it was served at.
        """
        asked = fetched.asked
        size = self.effective_page_size(fetched.query)
        if size != asked.page_size:
            asked = asked.with_page_size(size)
        page = self._settle_page_size(parse_page(fetched.body, asked, status=fetched.status))
        return page if page.query == fetched.query else replace(page, query=fetched.query)

    async def list_labels(self) -> list[str]:
        """The account's labels where the server can list them (Chatwoot); else empty."""
        if self.connection.dialect != "chatwoot":
            return []
        response = await self._get(f"{self._account_path()}/labels", {})
        try:
            payload = response.json().get("payload", [])
            titles = [item.get("title") for item in payload if isinstance(item, dict)]
        except (ValueError, AttributeError, TypeError):
            return []
        return sorted({t for t in titles if isinstance(t, str) and t})

    # --- dialects ------------------------------------------------------------------------

    def _account_path(self) -> str:
        return f"/api/v1/accounts/{self.connection.account_id}"

    def _list_request(self, query: ContactQuery) -> tuple[str, list[tuple[str, str]]]:
        params: list[tuple[str, str]] = [("page", str(query.page))]
        chatwoot = self.connection.dialect == "chatwoot"
        if chatwoot:
            path = f"{self._account_path()}/contacts"
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
                params.append(("sort", prefix + query.sort))
            else:
                params.append(("sort", query.sort))
                params.append(("direction", query.direction))
        if query.search:
            params.append(("q", query.search))
        return path, params

    def _settle_page_size(self, page: Page) -> Page:
        """Adopt the server's page size when a page shows it differs from the one asked for."""
        rows = len(page.contacts)
        asked = page.page_size
        if rows == 0 or rows == asked:
            return page
        if page.total is not None:
            before = (page.number - 1) * asked
            if before + rows == page.total:  # a short last page under the size asked for
                return page
            if rows > asked or before + rows < page.total:
                self._observed_page_size = rows
                log.info("server ignored page_size=%d; it sends %d a page", asked, rows)
                return _with_page_size(page, rows)
            return page
        if rows > asked or page.has_more:
            self._observed_page_size = rows
            return _with_page_size(page, rows)
        return page

    # --- transport -----------------------------------------------------------------------

    async def _get(self, path: str, params: list[tuple[str, str]]) -> httpx.Response:
        policy = self.retry
        for attempt in range(1, policy.attempts + 1):
            started = time.perf_counter()
            try:
                response = await self._http.get(path, params=params)
                if len(response.content) > MAX_BODY_BYTES:
                    raise BadResponseError(
                        f"The response was larger than {MAX_BODY_BYTES // 2**20} MiB; refusing it.",
                        status=response.status_code,
                    )
                error = self._error_for(response)
            except httpx.HTTPError as exc:
                error = self._network_error(exc)
                response = None
            elapsed = (time.perf_counter() - started) * 1000
            status = response.status_code if response is not None else "-"
            log.info("GET %s %s -> %s in %.0f ms", path, _loggable(params), status, elapsed)
            if error is None and response is not None:
                return response
            assert error is not None
            retry_after = getattr(error, "retry_after", None)
            if not error.retryable or attempt == policy.attempts:
                raise error
            if retry_after is not None and retry_after > policy.max_wait:
                raise error
            wait = policy.delay(attempt, retry_after)
            log.warning(
                "%s; retry %d of %d in %.1f s", error.message, attempt, policy.attempts - 1, wait
            )
            await asyncio.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _error_for(self, response: httpx.Response) -> ApiError | None:
        status = response.status_code
        if 200 <= status < 300:
            return None
        detail = error_detail(response.content, response.headers.get("content-type", ""))
        conn = self.connection
        where = conn.origin
        if status == 401:
            what = "access token" if conn.dialect == "chatwoot" else "API key pair"
            return AuthError(
                f"{conn.host} refused the {what} (HTTP 401). Check the key from {where}.",
                detail=detail,
                status=status,
            )
        if status == 403:
            return ForbiddenError(
                f"{conn.host} says this key has no permission to list contacts (HTTP 403); "
                f"ask an administrator, or use another key ({where}).",
                detail=detail,
                status=status,
            )
        if status == 404:
            hint = (
                "the account id"
                if conn.dialect == "chatwoot"
                else "the base URL and its data centre"
            )
            return NotFoundError(
                f"{conn.host} has no contacts API at this address (HTTP 404); check {hint}.",
                detail=detail,
                status=status,
            )
        if status == 429:
            retry_after = _retry_after(response.headers)
            when = f"; it asks to wait {retry_after:.0f} s" if retry_after is not None else ""
            return RateLimitedError(
                f"{conn.host} is rate limiting requests (HTTP 429){when}. Wait a moment and retry.",
                detail=detail,
                retry_after=retry_after,
            )
        if status >= 500:
            return ServerError(
                f"{conn.host} had a server error (HTTP {status}). Retry in a moment.",
                detail=detail,
                status=status,
            )
        if 300 <= status < 400:
            target = response.headers.get("location", "elsewhere")
            return NotFoundError(
                f"{conn.host} redirects the contacts API (HTTP {status}) to {target[:80]}; "
                "set the base URL to the final address.",
                status=status,
            )
        return ServerError(
            f"{conn.host} rejected the request (HTTP {status}).", detail=detail, status=status
        )

    def _network_error(self, exc: httpx.HTTPError) -> ApiError:
        host = self.connection.host
        if isinstance(exc, httpx.TimeoutException):
            kind = (
                "connecting" if isinstance(exc, httpx.ConnectTimeout) else "waiting for an answer"
            )
            return NetworkError(f"Timed out {kind} to {host}. Check the network and retry.")
        if isinstance(exc, httpx.ConnectError):
            return NetworkError(
                f"Could not connect to {host}: {_reason(exc)}. Is the base URL right?"
            )
        if isinstance(exc, httpx.RemoteProtocolError) and "without sending a response" in str(exc):
            return NetworkError(
                f"{host} closed the connection without answering. Retry in a moment."
            )
        if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
            return NetworkError(
                f"The connection to {host} broke off mid-response. Retry in a moment."
            )
        if isinstance(exc, httpx.DecodingError):
            return BadResponseError(f"{host} sent a body that could not be decoded.")
        return NetworkError(f"The request to {host} failed: {_reason(exc)}.")


def _tls_settings(base_url: str) -> ssl.SSLContext | bool:
    """How the client verifies TLS: for ``https`` the default, verified context.

    A plain ``http`` base URL (loopback only: the connection refuses it anywhere else) never
    uses TLS, yet httpx builds its context up front, and loading the system's CA bundle costs
    50 to 90 ms on every start. Such a client gets a context that trusts no certificate at all:
    cheap to make, and failing closed if TLS were ever attempted with it.
    """
    if urlsplit(base_url).scheme.lower() == "https":
        return True
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies hostnames, trusts no CA


def _with_page_size(page: Page, size: int) -> Page:
    return replace(page, page_size=size)


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:120]


def _loggable(params: list[tuple[str, str]]) -> dict[str, Any]:
    """Query parameters for the log, with search text (personal data) redacted."""
    shown: dict[str, Any] = {}
    for key, value in params:
        shown[key] = "<redacted>" if key == "q" else value
    return shown
