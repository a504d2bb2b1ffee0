"""The first page's request, sent from a thread as the process starts.

Against a server far away the first page costs three round trips (TCP, TLS, the request), and
the interface takes about as long to load. This request leaves before either is done: a thread
asks for the first page with the standard library's ``http.client`` (``httpx`` takes about
0.1 s to import, and is not needed for this one request), while the interface or the export
starts. Whoever needs page 1 then waits for whichever is later.

It is only a head start. Anything but a clean ``200`` with a body in bounds (an error status, a
redirect, a compressed or oversized body, a network fault, a proxy it cannot go through) makes
``answer`` return ``None``, and the page is asked for again the ordinary way, which retries and
reports failures as every other request does. The request is the client's own (same path,
parameters, credentials, trust and proxy decisions), so the server cannot tell them apart.
"""

from __future__ import annotations

import base64
import concurrent.futures
import contextlib
import logging
import socket
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import unquote, urlencode, urlsplit

from .connection import Connection
from .dialects import dialect_for
from .models import ContactQuery
from .network import NetworkSettings, Proxy, choose_proxy, trust_context
from .requests import USER_AGENT, loggable

log = logging.getLogger("livedesk_tui.api")

MAX_BODY = 32 * 1024 * 1024
SWITCH_INTERVAL = 0.0005
"""Seconds between the interpreter's thread switches while the request is in flight."""
DEADLINE = 10.0
"""Seconds the head start may take before the ordinary request takes over."""


@dataclass(frozen=True, slots=True)
class Answer:
    """A ``200`` answer for the first page, as received."""

    asked: ContactQuery
    """The query as sent (with the page size asked for)."""
    body: bytes = field(repr=False)
    seconds: float = 0.0


class FirstPage:
    """The first page of ``query``, asked for in a thread from the moment ``start`` is called.

    Args:
        connection: Where to ask.
        query: The query whose page 1 the app or the export will want first.
        network: Trust and proxy settings (the connection's own when ``None``).
        env: The environment (proxy and certificate variables).
        deadline: Seconds after which the head start gives up.
    """

    def __init__(
        self,
        connection: Connection,
        query: ContactQuery,
        *,
        network: NetworkSettings | None = None,
        env: Mapping[str, str] | None = None,
        deadline: float = DEADLINE,
    ) -> None:
        self.connection = connection
        self.query = query.at_page(1)
        self._network = network if network is not None else connection.network
        self._env = env
        self._deadline = deadline
        self._future: concurrent.futures.Future[Answer | None] = concurrent.futures.Future()
        self._taken = False
        self._switch = sys.getswitchinterval()

    def start(self) -> FirstPage:
        # While it runs, the interpreter lends the thread the lock more often: the thread only
        # waits on the network, and at the default 5 ms each of its wake-ups would wait for the
        # interface's start-up (all CPU) to give the lock up.
        self._switch = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL)
        threading.Thread(target=self._run, name="livedesk-first-page", daemon=True).start()
        return self

    def matches(self, query: ContactQuery) -> bool:
        """Whether ``query`` is the one asked for, and its answer not taken yet."""
        return not self._taken and query == self.query

    async def answer(self) -> Answer | None:
        """The answer, once; ``None`` when there is none to use (ask the ordinary way)."""
        import asyncio  # not before: the request leaves before asyncio is needed (~25 ms)

        if self._taken:
            return None
        self._taken = True
        return await asyncio.wrap_future(self._future)

    def take_if_ready(self, max_bytes: int) -> Answer | None:
        """The answer if it is in already, holds at most ``max_bytes``, and is not taken yet
        (then it is taken); else ``None``, and ``answer`` still gives it."""
        if self._taken or not self._future.done():
            return None
        answer = self._future.result()
        if answer is None or len(answer.body) > max_bytes:
            return None
        self._taken = True
        return answer

    def wait(self, timeout: float | None = None) -> Answer | None:
        """``answer`` for code that is not on an event loop."""
        if self._taken:
            return None
        self._taken = True
        try:
            return self._future.result(timeout)
        except concurrent.futures.TimeoutError:
            return None

    def _run(self) -> None:
        started = time.perf_counter()
        try:
            answer = self._fetch(started)
        except Exception as exc:  # a head start that fails is simply not there
            log.info("first page ahead of time: %s", type(exc).__name__)
            answer = None
        finally:
            sys.setswitchinterval(self._switch)
        self._future.set_result(answer)

    def _fetch(self, started: float) -> Answer | None:
        parts = urlsplit(self.connection.base_url)
        secure = parts.scheme == "https"
        server = _Server(secure, parts.hostname or "", parts.port or (443 if secure else 80))
        timeout = max(0.1, self._deadline)
        proxy = choose_proxy(self.connection.base_url, self._network, env=self._env)
        early: socket.socket | None = None
        if proxy is None:
            # The TCP handshake's round trip goes by while the rest is imported and built.
            early = socket.create_connection((server.host, server.port), timeout=timeout)
        try:
            return self._ask(server, parts.path, early, proxy, started, timeout)
        finally:
            if early is not None:
                early.close()

    def _ask(
        self,
        server: _Server,
        base_path: str,
        early: socket.socket | None,
        proxy: Proxy | None,
        started: float,
        timeout: float,
    ) -> Answer | None:
        import http.client

        dialect = dialect_for(self.connection)
        asked = self.query.with_page_size(dialect.page_size(self.query))
        secure, host, port = server
        path, params = dialect.list_request(asked)
        target = base_path.rstrip("/") + path + "?" + urlencode(params)
        conn: http.client.HTTPConnection
        if proxy is not None:
            proxy_parts = urlsplit(proxy.url.reveal())
            if proxy_parts.scheme != "http" or not secure:
                return None  # socks and TLS proxies: the ordinary client goes through them
            conn = http.client.HTTPSConnection(
                proxy_parts.hostname or "",
                proxy_parts.port,
                timeout=timeout,
                context=trust_context(self._network, env=self._env),
            )
            tunnel_headers = {}
            if proxy_parts.username:
                pair = f"{unquote(proxy_parts.username)}:{unquote(proxy_parts.password or '')}"
                token = base64.b64encode(pair.encode()).decode("ascii")
                tunnel_headers["Proxy-Authorization"] = "Basic " + token
            conn.set_tunnel(host, port, headers=tunnel_headers)
        elif secure:
            context = trust_context(self._network, env=self._env)
            conn = http.client.HTTPSConnection(host, port, timeout=timeout, context=context)
            conn.sock = context.wrap_socket(_no_delay(early), server_hostname=host)
        else:
            conn = http.client.HTTPConnection(host, port, timeout=timeout)
            conn.sock = _no_delay(early)
        headers = {
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
            "Accept-Encoding": "identity",
            **dialect.credential_headers(),
        }
        try:
            conn.request("GET", target, headers=headers)
            response = conn.getresponse()
            elapsed = (time.perf_counter() - started) * 1000
            log.info("GET %s %s -> %s in %.0f ms", path, loggable(params), response.status, elapsed)
            if response.status != 200:
                return None
            if response.getheader("content-encoding", "identity").lower() != "identity":
                return None
            body = _read(response, started + self._deadline)
        finally:
            conn.close()
        if body is None:
            return None
        return Answer(asked, body, time.perf_counter() - started)


class _Server(NamedTuple):
    secure: bool
    host: str
    port: int


def _no_delay(sock: socket.socket | None) -> socket.socket:
    """The connection opened ahead, set as ``http.client`` sets its own (no Nagle delay)."""
    assert sock is not None
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _read(response: object, deadline: float) -> bytes | None:
    """The whole body, or ``None`` past ``MAX_BODY`` bytes or the deadline."""
    length = getattr(response, "length", None)
    if length is not None and length > MAX_BODY:
        return None
    chunks: list[bytes] = []
    size = 0
    read1 = response.read1  # type: ignore[attr-defined]
    while True:
        if time.perf_counter() > deadline:
            return None
        chunk = read1(65536)
        if not chunk:
            missing = getattr(response, "length", None)
            return None if missing else b"".join(chunks)  # cut short: promised more
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
