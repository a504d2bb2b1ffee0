"""``ContactsClient``: the one place that speaks HTTP to LiveDesk or Chatwoot.

One ``httpx.AsyncClient`` (one connection pool) per client. Reads are idempotent, so rate
limits, 5xx answers and network faults are retried a bounded number of times with exponential
backoff, honouring ``Retry-After`` when the server sends it. Every other failure becomes a typed
``ApiError`` at once (a 400 or 422 will not change by asking again).

Whatever a server sends costs bounded time and memory:

* The timeout bounds a whole request, headers and body, not the gap between two bytes: a
  server dripping a byte a second fails in about the timeout.
* A body is read as a stream and given up as soon as it passes ``MAX_BODY_BYTES``; a
  ``Content-Length`` over it is refused before a byte is read. Compressed bodies (gzip,
  deflate: the only encodings asked for) are inflated here, a bounded piece at a time, and it
  is the inflated bytes that count: httpx's own decoders inflate each network read whole, and
  64 KiB of a compression bomb inflate to 64 MiB. An error answer's body is read up to
  ``ERROR_BODY_BYTES`` (its first words are all a message shows).
* Messages never copy an httpx exception's text: it can hold a URL, or a header value
  (credentials) that HTTP could not carry; they name the cause in fixed words instead.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import math
import random
import socket
import ssl
import time
import zlib
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, field, replace
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import urlsplit

import httpx

from .connection import Connection
from .dialects import ServerDialect, dialect_for
from .errors import (
    ApiError,
    AuthError,
    BadResponseError,
    ForbiddenError,
    NetworkError,
    NotFoundError,
    ProxyRefusedError,
    RateLimitedError,
    RejectedError,
    ServerError,
    TrustError,
)
from .first_page import FirstPage
from .models import MAX_PAGE_SIZE, ContactQuery, Page
from .network import choose_proxy, proxy_failure, tls_failure, trust_context
from .paging import served_page_size
from .parse import error_detail, parse_page
from .requests import USER_AGENT, loggable
from .sanitize import clean, clip

log = logging.getLogger("livedesk_tui.api")

MAX_BODY_BYTES = 32 * 1024 * 1024
"""The most a body may inflate to. A real page of 100 contacts is well under 1 MiB; this
leaves room for pages of unusually large contacts (and for a million minimal ones) while one
answer costs at most about twice this at its peak (the bytes, then the text they decode to)."""
ERROR_BODY_BYTES = 64 * 1024
"""How much of an error answer's body is read (a message shows its first words)."""
_PIECE = 1 << 20
"""The most one step of inflating may produce."""
ACCEPT_ENCODING = "gzip, deflate"
"""Asked for explicitly: httpx would add ``br`` (and ``zstd``) whenever their modules are
installed, and those are not inflated here."""
_RETRIED_4XX = frozenset({408, 425})
"""Client-error statuses that mean "not now" rather than "not this" (429 is told apart)."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 4
    """Tries in all, the first included."""
    backoff: float = 0.5
    """Seconds before the first retry; doubled each time, with jitter."""
    max_wait: float = 30.0
    """A ``Retry-After`` longer than this is not waited for: the error is reported instead."""
    rate_window: float = 60.0
    """Chatwoot's rate limit window: fixed, aligned to the clock, a minute long. A 429 without
    ``Retry-After`` from Chatwoot is retried once the next window has begun; asked again
    within the same window, it is refused again."""

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return retry_after
        base = self.backoff * (2 ** (attempt - 1))
        return base * (0.75 + random.random() / 2)  # noqa: S311 - jitter, not cryptography

    def window_wait(self, server_now: float) -> float:
        """Seconds from ``server_now`` (the server's clock, Unix seconds) until just after
        the next window begins: a little jitter, so many clients do not all ask at once, and
        never more than the window and 5 seconds."""
        window = self.rate_window
        boundary = (math.floor(server_now / window) + 1) * window
        jitter = random.uniform(0.0, min(1.0, window / 20))  # noqa: S311 - not cryptography
        return min(boundary - server_now + jitter, window + 5.0)


@dataclass(frozen=True, slots=True)
class FetchedPage:
    """A list-contacts answer as received: the body is read by ``read_contacts``."""

    query: ContactQuery
    """The query the caller asked for."""
    asked: ContactQuery
    """The query as sent (with the page size the server is known to use)."""
    body: bytes = field(repr=False)
    status: int = 200


@dataclass(frozen=True, slots=True)
class _Answer:
    """A response read whole (within the limits)."""

    status: int
    headers: httpx.Headers
    body: bytes


DEFAULT_TIMEOUT = 30.0
"""Seconds a whole request may take, from connecting to the body's last byte."""
CONNECT_TIMEOUT = 5.0
"""Seconds to wait for a connection (never more than the whole request's bound)."""


class _SignRequest(httpx.Auth):
    """Adds the credentials at send time, so no header dict holding them lives elsewhere."""

    def __init__(self, dialect: ServerDialect) -> None:
        self._dialect = dialect

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers.update(self._dialect.credential_headers())
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
        timeout: float | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        max_connections: int = 8,
        env: Mapping[str, str] | None = None,
        on_wait: Callable[[str, float], None] | None = None,
        first_page: FirstPage | None = None,
    ) -> None:
        """Raises ``ConfigError`` when the profile's CA bundle or proxy cannot be used.

        ``env`` holds the proxy and certificate variables (``os.environ`` when ``None``).
        ``on_wait`` is told, in one line and in seconds, each time a rate limit makes the
        client wait before asking again (the export prints it, the browser shows it), since
        such a wait can last up to a minute. ``first_page`` is page 1 asked for as the process
        started: its answer serves the first request for that page when it came in clean.
        """
        self.connection = connection
        self.dialect = dialect_for(connection)
        """What differs by server kind: paths, parameters, credentials, wording."""
        self.on_wait = on_wait
        self._first_page = first_page
        self.proxy = choose_proxy(connection.base_url, connection.network, env=env)
        """The proxy requests go through (``None``: direct)."""
        self.retry = retry or RetryPolicy()
        self._observed_page_size: int | None = self.dialect.fixed_page_size
        whole = DEFAULT_TIMEOUT if timeout is None else float(timeout)
        if not (math.isfinite(whole) and whole > 0):
            raise ValueError(f"a timeout is a number of seconds above 0, not {timeout!r}")
        self.timeout = whole
        """Seconds one request may take in all (each try of it)."""
        self._http = httpx.AsyncClient(
            base_url=connection.base_url,
            auth=_SignRequest(self.dialect),
            timeout=httpx.Timeout(whole, connect=min(CONNECT_TIMEOUT, whole)),
            headers={
                "User-Agent": USER_AGENT,
                "Accept": "application/json",
                "Accept-Encoding": ACCEPT_ENCODING,
            },
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            transport=transport,
            follow_redirects=False,
            trust_env=False,  # proxies and CAs are decided by api.network, curl's way
            verify=_tls_settings(connection, env),
            proxy=self.proxy.url.reveal() if self.proxy is not None else None,
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
        """One page of contacts matching ``query`` (every row of it: see ``read_contacts``)."""
        return self.read_contacts(await self.fetch_contacts(query))

    async def fetch_contacts(self, query: ContactQuery) -> FetchedPage:
        """The answer for one page, not read yet: the network part of ``list_contacts``.

        A caller fetching many pages at once (the export) starts the next request as soon as
        an answer is in, and reads it (``read_contacts``) in page order afterwards, so parsing
        never holds a request back.
        """
        size = self.effective_page_size(query)
        asked = query.with_page_size(size) if size != query.page_size else query
        first = self._first_page
        if first is not None and first.matches(query):
            self._first_page = None
            answer = await first.answer()
            if answer is not None and answer.asked == asked:
                return FetchedPage(query, asked, answer.body, 200)
        path, params = self.dialect.list_request(asked)
        response = await self._get(path, params)
        return FetchedPage(query, asked, response.body, response.status)

    def read_contacts(self, fetched: FetchedPage, *, max_contacts: int | None = None) -> Page:
        """The ``Page`` in a fetched answer (raises ``BadResponseError`` as ``list_contacts``).

        An answer fetched before the client learnt that the server uses another page size
        than the one asked for is read at the server's size: that is the size it was served at.
        CPU-bound for a big answer: call it off the event loop (``asyncio.to_thread``).

        Args:
            fetched: What ``fetch_contacts`` returned.
            max_contacts: Build at most this many contacts; the other rows are still checked,
                and counted in ``Page.omitted``. ``None``: every row (a page of more than
                ``parse.MAX_PAGE_ROWS`` is then a bad response).
        """
        asked = fetched.asked
        size = self.effective_page_size(fetched.query)
        if size != asked.page_size:
            asked = asked.with_page_size(size)
        parsed = parse_page(fetched.body, asked, status=fetched.status, max_contacts=max_contacts)
        page = self._settle_page_size(parsed)
        if self.dialect.labels_ignored(page):
            page = replace(page, labels_ignored=True)
        return page if page.query == fetched.query else replace(page, query=fetched.query)

    async def list_labels(self) -> list[str]:
        """The account's labels where the server can list them (Chatwoot); else empty."""
        path = self.dialect.labels_path()
        if path is None:
            return []
        response = await self._get(path, [])
        return self.dialect.read_labels(response.body)

    # --- page sizes ----------------------------------------------------------------------

    def _settle_page_size(self, page: Page) -> Page:
        """Adopt the server's page size when a page shows it differs from the one asked for.

        Chatwoot's is fixed at 15: a shorter page before the end (contacts deleted meanwhile)
        does not make it smaller, or every later page would be asked for at the wrong place.
        """
        served = served_page_size(page)
        if served is None:
            return page
        if not self.dialect.may_use_page_size(served):
            return page
        self.adopt_page_size(served, asked=page.page_size)
        return _with_page_size(page, served)

    def adopt_page_size(self, size: int, *, asked: int | None = None) -> None:
        """Ask for ``size`` contacts a page from now on: the size the server was seen to use
        (by this client, or on a page read without it). Never below Chatwoot's fixed 15."""
        if not self.dialect.may_use_page_size(size):
            return
        self._observed_page_size = size
        log.info("server ignored page_size=%s; it sends %d a page", asked, size)

    # --- transport -----------------------------------------------------------------------

    async def _get(self, path: str, params: list[tuple[str, str]]) -> _Answer:
        policy = self.retry
        for attempt in range(1, policy.attempts + 1):
            started = time.perf_counter()
            answer: _Answer | None = None
            try:
                async with asyncio.timeout(self.timeout):
                    answer = await self._receive(path, params)
                error = self._error_for(answer)
            except TimeoutError:
                error = self._timed_out(connecting=False)
            except httpx.HTTPError as exc:
                error = self._network_error(exc)
            except ApiError as exc:  # an answer past the limits
                error = exc
            elapsed = (time.perf_counter() - started) * 1000
            status = answer.status if answer is not None else "-"
            log.info("GET %s %s -> %s in %.0f ms", path, loggable(params), status, elapsed)
            if error is None and answer is not None:
                return answer
            assert error is not None
            retry_after = getattr(error, "retry_after", None)
            if not error.retryable or attempt == policy.attempts:
                raise error
            if retry_after is not None and retry_after > policy.max_wait:
                raise error
            wait = policy.delay(attempt, retry_after)
            if isinstance(error, RateLimitedError) and answer is not None:
                wait = self._throttled_wait(answer, retry_after, wait)
            log.warning(
                "%s; retry %d of %d in %.1f s", error.message, attempt, policy.attempts - 1, wait
            )
            await asyncio.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _throttled_wait(self, answer: _Answer, retry_after: float | None, backoff: float) -> float:
        """How long to wait after a 429, told to ``on_wait`` unless it is no wait at all: what
        ``Retry-After`` asks; for
        Chatwoot without one, until its next fixed window (by the server's ``Date`` when it
        disagrees with this clock); else ``backoff``."""
        host = self.connection.host
        if retry_after is not None:
            wait, why = retry_after, "as it asks"
        elif self.dialect.windowed_rate_limit:
            now = server_clock(answer.headers.get("date"), time.time())
            wait = self.retry.window_wait(now)
            window = self.retry.rate_window
            span = "minute's window" if window == 60 else f"{window:g}-second window"
            why = f"for the next {span}"
        else:
            return backoff
        if self.on_wait is not None and wait > 0:
            shown = math.ceil(wait) if wait >= 1 else round(wait, 1)
            self.on_wait(
                f"{host} is rate limiting requests (HTTP 429); waiting {shown:g} s {why}", wait
            )
        return wait

    async def _receive(self, path: str, params: list[tuple[str, str]]) -> _Answer:
        """One request, its body read within the limits (see the module docstring)."""
        host = self.connection.host
        async with self._http.stream("GET", path, params=tuple(params)) as response:
            ok = 200 <= response.status_code < 300
            limit = MAX_BODY_BYTES if ok else ERROR_BODY_BYTES
            length = _content_length(response.headers)
            if ok and length is not None and length > limit:
                raise _too_big(host, response.status_code, announced=length)
            inflate = _inflater(response.headers.get("content-encoding", ""), host)
            try:
                pieces, size = await _read_within(response, inflate, limit)
            except zlib.error:
                raise BadResponseError(
                    f"{host} sent a body that could not be decoded.",
                    status=response.status_code,
                ) from None
            if size > limit and ok:
                del pieces  # not held by the error's traceback while the error is kept
                raise _too_big(host, response.status_code)
            body = b"".join(pieces)[:limit]  # past it, an error's first words are enough
            return _Answer(response.status_code, response.headers, body)

    def _error_for(self, response: _Answer) -> ApiError | None:
        status = response.status
        if 200 <= status < 300:
            return None
        detail = error_detail(response.body, response.headers.get("content-type", ""))
        conn = self.connection
        where = conn.origin
        if status == 401:
            return AuthError(self.dialect.unauthorized_message(), detail=detail, status=status)
        if status == 403:
            return ForbiddenError(
                f"{conn.host} says this key has no permission to list contacts (HTTP 403); "
                f"ask an administrator, or use another key ({where}).",
                detail=detail,
                status=status,
            )
        if status == 404:
            return NotFoundError(
                f"{conn.host} has no contacts API at this address (HTTP 404); "
                f"check {self.dialect.not_found_hint}.",
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
                f"{conn.host} redirects the contacts API (HTTP {status}) to "
                f"{clean(clip(target, 80))}; set the base URL to the final address.",
                status=status,
            )
        if 400 <= status < 500 and status not in _RETRIED_4XX:
            return RejectedError(
                f"{conn.host} rejected the request (HTTP {status}).", detail=detail, status=status
            )
        return ServerError(
            f"{conn.host} rejected the request (HTTP {status}).", detail=detail, status=status
        )

    def _timed_out(self, *, connecting: bool) -> NetworkError:
        kind = "connecting" if connecting else "waiting for an answer"
        return NetworkError(
            f"Timed out {kind} to {self.connection.host}. Check the network and retry."
        )

    def _network_error(self, exc: httpx.HTTPError) -> ApiError:
        host = self.connection.host
        if isinstance(exc, httpx.TimeoutException):
            return self._timed_out(connecting=isinstance(exc, httpx.ConnectTimeout))
        if isinstance(exc, httpx.ProxyError) and self.proxy is not None:
            status = _leading_status(str(exc))
            return ProxyRefusedError(
                proxy_failure(clip(clean(str(exc)), 60), self.proxy, host), status=status
            )
        if isinstance(exc, httpx.ConnectError):
            refused = tls_failure(exc, host)
            if refused is not None:
                return TrustError(refused)
            if self.proxy is not None:
                return NetworkError(
                    f"Could not connect to the proxy {self.proxy.host} (from "
                    f"{self.proxy.origin}): {_reason(exc)}. Check the proxy setting."
                )
            return NetworkError(
                f"Could not connect to {host}: {_reason(exc)}. Is the base URL right?"
            )
        if isinstance(exc, httpx.LocalProtocolError):
            # h11's text quotes the offending header value whole: a credential, most likely.
            return RejectedError(
                f"The request to {host} could not be sent: a credential or setting holds a "
                f"character HTTP cannot carry (such as a line break); check the key from "
                f"{self.connection.origin}."
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
        return NetworkError(f"The request to {host} failed ({type(exc).__name__}).")


def _tls_settings(connection: Connection, env: Mapping[str, str] | None) -> ssl.SSLContext:
    """How the client verifies TLS: for ``https`` against the system's trust store and the
    profile's CA bundle (``api.network``).

    A plain ``http`` base URL (loopback only: the connection refuses it anywhere else) never
    uses TLS, yet httpx builds its context up front. Such a client gets a context that trusts
    no certificate at all: cheap to make, and failing closed if TLS were ever attempted with it.
    """
    if urlsplit(connection.base_url).scheme.lower() == "https":
        return trust_context(connection.network, env=env)
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies hostnames, trusts no CA


def _leading_status(text: str) -> int | None:
    head = text.split(" ", 1)[0]
    return int(head) if head.isdigit() and len(head) == 3 else None


async def _read_within(
    response: httpx.Response, inflate: Callable[[bytes | None], Iterator[bytes]], limit: int
) -> tuple[list[bytes], int]:
    """The decoded body in pieces and their size, stopping once past ``limit``."""
    pieces: list[bytes] = []
    size = 0
    async for raw in response.aiter_raw():
        for piece in inflate(raw):
            pieces.append(piece)
            size += len(piece)
            if size > limit:
                return pieces, size
    for piece in inflate(None):
        pieces.append(piece)
        size += len(piece)
    return pieces, size


def _too_big(host: str, status: int, announced: int | None = None) -> BadResponseError:
    cap = f"{MAX_BODY_BYTES // 2**20} MiB"
    said = ""
    if announced is not None:
        size = f"{announced:,}" if announced < _LENGTH_LIMIT else "more than 10^18"
        said = f" (it says it is {size} bytes)"
    return BadResponseError(
        f"{host} sent a response larger than {cap}{said}; refusing it.", status=status
    )


_LENGTH_LIMIT = 10**18


def _content_length(headers: httpx.Headers) -> int | None:
    """The announced length; one too long to be a number counts as past any limit."""
    value = headers.get("content-length", "").strip()
    if not (value.isascii() and value.isdigit()):
        return None
    return int(value) if len(value) <= 18 else _LENGTH_LIMIT


def _inflater(encoding: str, host: str) -> Callable[[bytes | None], Iterator[bytes]]:
    """A function taking the raw body piece by piece (``None`` at its end) and giving the
    decoded bytes in pieces of at most ``_PIECE``.

    Raises:
        BadResponseError: an encoding this client did not ask for (and does not decode).
    """
    codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    if not codings:
        return _as_is
    if len(codings) > 1 or codings[0] not in {"gzip", "x-gzip", "deflate"}:
        named = clean(clip(", ".join(codings), 40))
        raise BadResponseError(
            f"{host} sent a body encoded as {named}, which this client did not ask for "
            f"and cannot read."
        )
    return _Inflating(gzip=codings[0] != "deflate")


def _as_is(raw: bytes | None) -> Iterator[bytes]:
    if raw:
        yield raw


class _Inflating:
    """gzip or deflate (zlib-wrapped, or raw as some servers send it), inflated in bounded
    pieces, so a few kilobytes that inflate to a gigabyte are never inflated at once."""

    def __init__(self, *, gzip: bool) -> None:
        self._zlib = zlib.decompressobj(31 if gzip else 15)
        self._deflate = not gzip
        self._started = False

    def __call__(self, raw: bytes | None) -> Iterator[bytes]:
        if raw is None:
            yield self._zlib.flush()
            return
        if self._deflate and not self._started:
            self._started = True
            try:  # zlib-wrapped, as the standard says; else raw deflate, as IIS sends it
                first = self._zlib.decompress(raw, _PIECE)
            except zlib.error:
                self._zlib = zlib.decompressobj(-15)
                first = self._zlib.decompress(raw, _PIECE)
            yield first
            raw = self._zlib.unconsumed_tail
        while raw:
            yield self._zlib.decompress(raw, _PIECE)
            raw = self._zlib.unconsumed_tail


def _with_page_size(page: Page, size: int) -> Page:
    return replace(page, page_size=size)


def server_clock(date: str | None, local_now: float) -> float:
    """The server's time, in Unix seconds, from its ``Date`` header and this clock.

    ``Date`` has whole seconds: when it is within the second this clock is in, the clocks
    agree and this (finer) one is used; otherwise the server's, which a rate limit's windows
    follow. A missing or unreadable ``Date`` leaves this clock.
    """
    if not date:
        return local_now
    try:
        stamp = parsedate_to_datetime(date).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return local_now
    if not math.isfinite(stamp) or stamp <= local_now < stamp + 1:
        return local_now
    return stamp


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return max(0.0, when.timestamp() - time.time())


_ERRNO_REASONS = {
    errno.ECONNREFUSED: "connection refused",
    errno.ECONNRESET: "the connection was reset",
    errno.EHOSTUNREACH: "the host is unreachable",
    errno.ENETUNREACH: "the network is unreachable",
    errno.ETIMEDOUT: "the connection timed out",
    errno.EADDRNOTAVAIL: "the address is not available",
}


def _reason(exc: BaseException) -> str:
    """Why a connection failed, in fixed words: never the exception's own text, which may
    quote a URL or a header."""
    cause: BaseException | None = exc
    seen = 0
    while cause is not None and seen < 10:
        if isinstance(cause, socket.gaierror):
            return "the host name could not be resolved"
        if isinstance(cause, ssl.SSLCertVerificationError):
            return "its TLS certificate could not be verified"
        if isinstance(cause, ssl.SSLError):
            return "the TLS handshake failed"
        if isinstance(cause, OSError) and cause.errno in _ERRNO_REASONS:
            return _ERRNO_REASONS[cause.errno]
        cause = cause.__cause__ or cause.__context__
        seen += 1
    return f"the connection failed ({type(exc).__name__})"
