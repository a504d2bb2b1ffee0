"""Proxies and a far-away link on loopback, for the proxy tests and the far-server benchmark.

Company networks put a proxy between the client and the server, and a data centre far away puts
a round trip of 100-300 ms under every exchange. Each of these runs on 127.0.0.1 in a thread of
its own (one asyncio loop), so a test can count what went through it:

- ``ConnectProxy``: an HTTP proxy. It tunnels ``CONNECT host:port`` and forwards absolute-form
  requests (``GET http://host:port/path``) for ``http://`` targets; it can demand
  ``Proxy-Authorization`` (407 otherwise) and records what it was sent, and it can answer every
  ``CONNECT`` with an error status (502).
- ``Socks5Proxy``: a minimal SOCKS5 proxy (no authentication, or user name and password).
- ``DelayingForwarder``: a plain TCP forwarder to one address that delays every chunk it reads,
  either way, as a link ``delay_ms`` long each way would.

Every target must be a loopback address (``127.0.0.0/8``, ``::1`` or ``localhost``): anything
else is refused (403 from the HTTP proxy, "not allowed" from the SOCKS proxy) without being
resolved or contacted.

How the delay is made: each chunk is delivered ``delay`` seconds after it was read, in order.
A TCP handshake to a real far server takes a round trip before the first byte can be sent; a
connection to the forwarder is made at once on loopback, so the client's bytes are held until a
round trip after the connection was accepted, then delayed as any other. A client that connects
early and sends later is not charged the handshake twice. Bandwidth is not limited.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ipaddress
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from types import TracebackType
from typing import Generic, Self, TypeVar
from urllib.parse import urlsplit

import pytest

from livedesk_tui.api.connection import is_loopback

CHUNK = 65536
HEAD_LIMIT = 65536
"""The longest request head the proxies read (the line and the headers)."""
HEAD_TIMEOUT = 10.0
"""Seconds a client may take to send its request head."""
CONNECT_TIMEOUT = 5.0
"""Seconds to connect to a target."""
REALM = "livedesk-test-proxy"

_HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authorization", "te"}


def is_loopback_target(host: str) -> bool:
    """True for ``localhost`` and loopback IP literals; never resolves a name (the client's
    own rule, so the proxies refuse exactly what the client would not call loopback)."""
    return is_loopback(host)


def split_authority(authority: str) -> tuple[str, int] | None:
    """``host:port`` or ``[v6]:port`` as (host, port); ``None`` when it is neither."""
    host, sep, port = authority.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536 or not host:
        return None
    if host.startswith("["):
        if not host.endswith("]"):
            return None
        host = host[1:-1]
    elif ":" in host:
        return None
    return host, int(port)


# --- the relay --------------------------------------------------------------------------------


async def pipe(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    *,
    delay: float = 0.0,
    hold_until: float = 0.0,
    first: bytes = b"",
    counted: Callable[[int], None] | None = None,
) -> None:
    """Copy ``reader`` to ``writer`` until its end, then half-close ``writer``.

    Each chunk is written ``delay`` seconds after it was read (in order), and none before
    ``hold_until + delay`` (a time of the running loop's clock). ``first`` is sent ahead of
    what is read (bytes already read with a request head). ``counted`` is told each chunk's size.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def deliver() -> None:
        while True:
            read_at, data = await queue.get()
            wait = max(read_at, hold_until) + delay - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if not data:
                if writer.can_write_eof():
                    with contextlib.suppress(OSError):
                        writer.write_eof()
                return
            writer.write(data)
            await writer.drain()

    deliverer = asyncio.create_task(deliver())
    try:
        if first:
            queue.put_nowait((loop.time(), first))
        while not deliverer.done():
            data = await reader.read(CHUNK)
            if counted is not None and data:
                counted(len(data))
            queue.put_nowait((loop.time(), data))
            if not data:
                break
        await deliverer
    finally:
        deliverer.cancel()


async def relay_both_ways(
    client: tuple[asyncio.StreamReader, asyncio.StreamWriter],
    upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter],
    *,
    delay: float = 0.0,
    hold_until: float = 0.0,
    first: bytes = b"",
) -> None:
    """Relay between two connections until both directions end (or one breaks), then close
    both."""
    tasks = [
        asyncio.create_task(
            pipe(client[0], upstream[1], delay=delay, hold_until=hold_until, first=first)
        ),
        asyncio.create_task(pipe(upstream[0], client[1], delay=delay)),
    ]
    loop_gone = False
    try:
        # Both directions run to their end; one that breaks ends the other.
        await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    except GeneratorExit:  # closed by the collector, its loop gone: nothing can be awaited
        loop_gone = True
        raise
    finally:
        for task in tasks:
            task.cancel()
        if not loop_gone:
            await asyncio.gather(*tasks, return_exceptions=True)
        for _, writer in (client, upstream):
            writer.close()


# --- a service on its own loop ----------------------------------------------------------------


class LoopbackService:
    """A TCP server on ``127.0.0.1`` (or ``host``) run by an asyncio loop in a daemon thread.

    Use as a context manager, or call ``start`` and ``stop``. Subclasses write ``handle``.
    """

    def __init__(self, host: str = "127.0.0.1") -> None:
        if not is_loopback_target(host):
            raise ValueError(f"a test service listens on loopback only, not {host!r}")
        self.host = host
        self.port = 0
        self.connections = 0
        """How many connections were accepted so far."""
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.host}:{self.port}>"

    @property
    def address(self) -> tuple[str, int]:
        return self.host, self.port

    def start(self) -> Self:
        """Listen on a free port and serve in a daemon thread; returns ``self``."""
        if self._thread is not None:
            return self
        ready = threading.Event()
        problem: list[BaseException] = []
        self._thread = threading.Thread(
            target=self._run, args=(ready, problem), name=repr(self), daemon=True
        )
        self._thread.start()
        ready.wait(10)
        if problem:
            raise problem[0]
        return self

    def stop(self) -> None:
        """Stop listening and end every connection. Calling it again does nothing."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop has already ended
            loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        self._loop = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self, ready: threading.Event, problem: list[BaseException]) -> None:
        loop = asyncio.new_event_loop()
        try:
            server = loop.run_until_complete(asyncio.start_server(self._accepted, self.host, 0))
        except OSError as exc:
            problem.append(exc)
            ready.set()
            loop.close()
            return
        self.port = server.sockets[0].getsockname()[1]
        self._loop = loop
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(self._wind_down(server))
            loop.close()

    async def _wind_down(self, server: asyncio.Server) -> None:
        server.close()
        # Until none is left: a connection accepted just now starts its handler a step later,
        # and a task being cancelled may start others (a relay's two pipes); one left pending
        # when the loop closes is destroyed mid-``finally``.
        for _ in range(50):
            await asyncio.sleep(0)
            others = asyncio.all_tasks() - {asyncio.current_task()}
            if not others:
                break
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)
        await asyncio.sleep(0)  # let the transports just closed finish closing

    async def _accepted(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with self._lock:
            self.connections += 1
        try:
            await self.handle(reader, writer)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            pass  # the client or the target went away
        except asyncio.CancelledError:
            pass  # stopping: asyncio's streams would report a cancelled handler as an error
        finally:
            writer.close()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError


async def open_upstream(host: str, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Connect to a loopback target (``localhost`` is 127.0.0.1: never resolved).

    Raises:
        ConnectionRefusedError: ``host`` is not loopback (the callers check first; this is
            the last guard against a test reaching out of the machine).
    """
    if not is_loopback_target(host):
        raise ConnectionRefusedError(f"not a loopback target: {host!r}")
    if host.lower() == "localhost":
        host = "127.0.0.1"
    return await asyncio.wait_for(asyncio.open_connection(host, port), CONNECT_TIMEOUT)


# --- the delaying forwarder -------------------------------------------------------------------


class DelayingForwarder(LoopbackService):
    """Forwards every connection to ``target``, each chunk delayed by ``delay_ms`` each way.

    Args:
        target: The (loopback host, port) to forward to.
        delay_ms: One-way delay; a round trip takes twice that.
        handshake: Hold the client's first bytes until a round trip after its connection was
            accepted, as a TCP handshake with a far server would.
    """

    def __init__(
        self, target: tuple[str, int], *, delay_ms: float = 75.0, handshake: bool = True
    ) -> None:
        super().__init__()
        if not is_loopback_target(target[0]):
            raise ValueError(f"the forwarder forwards to loopback only, not {target[0]!r}")
        self.target = target
        self.delay_ms = delay_ms
        self.handshake = handshake

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        delay = self.delay_ms / 1000
        loop = asyncio.get_running_loop()
        hold_until = loop.time() + 2 * delay if self.handshake else 0.0
        upstream = await open_upstream(*self.target)
        await relay_both_ways((reader, writer), upstream, delay=delay, hold_until=hold_until)


# --- the HTTP proxy ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProxyRequest:
    """One request the proxy received.

    Args:
        method: ``CONNECT``, ``GET``...
        target: As sent: ``host:port`` for ``CONNECT``, the absolute URL otherwise.
        status: The status the proxy answered with itself (200 for a tunnel opened), or the
            target's for a forwarded request (0 when it never answered).
        headers: The request's headers as sent to the proxy, in order.
        credentials: The user name and password of its ``Proxy-Authorization: Basic``
            header, decoded; ``None`` when it had none (or not Basic).
    """

    method: str
    target: str
    status: int
    headers: tuple[tuple[str, str], ...] = ()
    credentials: tuple[str, str] | None = None

    def header(self, name: str) -> str | None:
        """The first header of that name (any case), or ``None``."""
        lowered = name.lower()
        return next((value for key, value in self.headers if key.lower() == lowered), None)


@dataclass(slots=True)
class _Head:
    method: str
    target: str
    version: str
    headers: list[tuple[str, str]] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((value for key, value in self.headers if key.lower() == lowered), None)


def _parse_head(raw: bytes) -> _Head | None:
    lines = raw.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        return None
    head = _Head(parts[0], parts[1], parts[2])
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            return None
        head.headers.append((name, value.strip()))
    return head


def basic_credentials(value: str | None) -> tuple[str, str] | None:
    """The (user, password) of a ``Basic`` authorization value, or ``None``."""
    if not value:
        return None
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8", "replace")
    except ValueError:
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def _answer(status: int, reason: str, headers: tuple[tuple[str, str], ...] = ()) -> bytes:
    body = f"{status} {reason}\n".encode()
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{name}: {value}" for name, value in headers]
    lines += [f"Content-Length: {len(body)}", "Content-Type: text/plain", "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


R = TypeVar("R")


class _RecordingProxy(LoopbackService, Generic[R]):
    """A proxy that records each request it receives, and resolves some names itself."""

    def __init__(self, names: dict[str, str] | None) -> None:
        super().__init__()
        self.names = {name.lower(): address for name, address in (names or {}).items()}
        """Host names the proxy resolves itself, each to a loopback address (a company proxy
        reaching a server by a name the client cannot resolve)."""
        self._requests: list[R] = []

    def resolve(self, host: str) -> str:
        """Where the proxy connects for ``host``: its own name for it, else ``host``."""
        return self.names.get(host.lower(), host)

    @property
    def requests(self) -> list[R]:
        """Every request received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    @property
    def count(self) -> int:
        """How many requests it received (a test's "went through the proxy")."""
        with self._lock:
            return len(self._requests)

    def reset(self) -> None:
        """Forget the requests received."""
        with self._lock:
            self._requests.clear()

    def _keep(self, record: R) -> None:
        with self._lock:
            self._requests.append(record)


class ConnectProxy(_RecordingProxy[ProxyRequest]):
    """An HTTP proxy for loopback targets that records every request it receives.

    Args:
        auth: (user, password) it demands as ``Proxy-Authorization: Basic``; without them (or
            with others) it answers 407 with ``Proxy-Authenticate: Basic realm="..."``.
        fail_connect: Answer every ``CONNECT`` with this status (e.g. 502) instead of
            tunnelling; settable while running.
        delay_ms: Delay each chunk of a tunnel or forwarded exchange by this much each way,
            and the answer to ``CONNECT`` by a round trip (the proxy's own TCP handshake with a
            server that far).

    Attributes:
        url: ``http://127.0.0.1:<port>``, what ``HTTPS_PROXY`` or ``proxy=`` is set to.
    """

    def __init__(
        self,
        *,
        auth: tuple[str, str] | None = None,
        fail_connect: int | None = None,
        delay_ms: float = 0.0,
        realm: str = REALM,
        names: dict[str, str] | None = None,
    ) -> None:
        super().__init__(names)
        self.auth = auth
        self.fail_connect = fail_connect
        self.delay_ms = delay_ms
        self.realm = realm

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url_with(self, user: str, password: str) -> str:
        """``http://user:password@127.0.0.1:<port>`` (percent-encoded)."""
        from urllib.parse import quote

        return f"http://{quote(user, safe='')}:{quote(password, safe='')}@{self.host}:{self.port}"

    def reset(self) -> None:
        """Forget the requests received; back to no failure."""
        super().reset()
        self.fail_connect = None

    def _record(self, head: _Head, status: int) -> None:
        record = ProxyRequest(
            head.method,
            head.target,
            status,
            tuple(head.headers),
            basic_credentials(head.header("Proxy-Authorization")),
        )
        self._keep(record)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            raw = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), HEAD_TIMEOUT)
        except asyncio.LimitOverrunError:
            writer.write(_answer(431, "Request Header Fields Too Large"))
            return
        except (asyncio.IncompleteReadError, TimeoutError):
            return
        head = _parse_head(raw[:-4])
        if head is None:
            writer.write(_answer(400, "Bad Request"))
            return
        status = await self._refusal(head)
        if status is None:
            if head.method.upper() == "CONNECT":
                await self._tunnel(head, reader, writer)
            else:
                await self._forward(head, reader, writer)
            return
        self._record(head, status)
        extra = (("Proxy-Authenticate", f'Basic realm="{self.realm}"'),) if status == 407 else ()
        writer.write(_answer(status, _reason(status), extra))
        await writer.drain()

    async def _refusal(self, head: _Head) -> int | None:
        """The status refusing this request, or ``None`` to serve it."""
        if self.auth is not None and basic_credentials(head.header("Proxy-Authorization")) != (
            self.auth
        ):
            return 407
        host = self._target(head)
        if host is None:
            return 400
        if not is_loopback_target(self.resolve(host[0])):
            return 403
        if head.method.upper() == "CONNECT" and self.fail_connect is not None:
            await asyncio.sleep(2 * self.delay_ms / 1000)
            return self.fail_connect
        return None

    @staticmethod
    def _target(head: _Head) -> tuple[str, int] | None:
        if head.method.upper() == "CONNECT":
            return split_authority(head.target)
        parts = urlsplit(head.target)
        if parts.scheme.lower() != "http" or not parts.hostname:
            return None
        try:
            return parts.hostname, parts.port or 80
        except ValueError:
            return None

    async def _tunnel(
        self, head: _Head, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        host, port = self._target(head) or ("", 0)
        delay = self.delay_ms / 1000
        await asyncio.sleep(2 * delay)
        try:
            upstream = await open_upstream(self.resolve(host), port)
        except (OSError, TimeoutError):
            self._record(head, 502)
            writer.write(_answer(502, _reason(502)))
            return
        self._record(head, 200)
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
        await relay_both_ways((reader, writer), upstream, delay=delay)

    async def _forward(
        self, head: _Head, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        """Send an absolute-form request on to its target as origin-form, one request per
        connection (``Connection: close`` both ways)."""
        parts = urlsplit(head.target)
        host, port = self._target(head) or ("", 0)
        length = head.header("Content-Length")
        if head.header("Transfer-Encoding") or (length and not length.isdigit()):
            self._record(head, 411)
            writer.write(_answer(411, _reason(411)))
            return
        body = await reader.readexactly(int(length)) if length else b""
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        headers = [(k, v) for k, v in head.headers if k.lower() not in _HOP_BY_HOP]
        if not any(k.lower() == "host" for k, _ in headers):
            headers.insert(0, ("Host", parts.netloc))
        headers.append(("Connection", "close"))
        request = f"{head.method} {path} {head.version}\r\n"
        request += "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
        delay = self.delay_ms / 1000
        try:
            up_reader, up_writer = await open_upstream(host, port)
        except (OSError, TimeoutError):
            self._record(head, 502)
            writer.write(_answer(502, _reason(502)))
            return
        try:
            await asyncio.sleep(2 * delay)
            up_writer.write(request.encode("latin-1") + body)
            await up_writer.drain()
            try:
                answer = await asyncio.wait_for(up_reader.readuntil(b"\r\n\r\n"), HEAD_TIMEOUT)
            except (asyncio.IncompleteReadError, TimeoutError):
                self._record(head, 0)
                return
            lines = answer.decode("latin-1").split("\r\n")
            status_parts = lines[0].split(" ")
            status = (
                int(status_parts[1]) if len(status_parts) > 1 and status_parts[1].isdigit() else 0
            )
            kept = [
                line for line in lines[1:] if line and line.split(":")[0].lower() not in _HOP_BY_HOP
            ]
            rewritten = "\r\n".join([lines[0], *kept, "Connection: close", "", ""])
            self._record(head, status)
            await asyncio.sleep(delay)
            await pipe(up_reader, writer, delay=delay, first=rewritten.encode("latin-1"))
        finally:
            up_writer.close()


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


# --- SOCKS5 -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SocksRequest:
    """One SOCKS5 ``CONNECT`` the proxy received: where to, its reply code (0 granted, 2 not
    allowed, 5 refused...), and the user name and password it authenticated with."""

    host: str
    port: int
    reply: int
    credentials: tuple[str, str] | None = None


class Socks5Proxy(_RecordingProxy[SocksRequest]):
    """A minimal SOCKS5 proxy (RFC 1928, ``CONNECT`` only) for loopback targets.

    Args:
        auth: (user, password) it demands (RFC 1929); without, it takes no authentication.
    """

    def __init__(
        self, *, auth: tuple[str, str] | None = None, names: dict[str, str] | None = None
    ) -> None:
        super().__init__(names)
        self.auth = auth

    @property
    def url(self) -> str:
        return f"socks5://{self.host}:{self.port}"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async def read(size: int) -> bytes:
            return await asyncio.wait_for(reader.readexactly(size), HEAD_TIMEOUT)

        version, count = await read(2)
        methods = await read(count)
        wanted = 0x02 if self.auth is not None else 0x00
        if version != 5 or wanted not in methods:
            writer.write(b"\x05\xff")
            return
        writer.write(bytes((5, wanted)))
        credentials = None
        if self.auth is not None:
            _sub, user_length = await read(2)
            user = (await read(user_length)).decode("utf-8", "replace")
            (password_length,) = await read(1)
            password = (await read(password_length)).decode("utf-8", "replace")
            credentials = (user, password)
            if credentials != self.auth:
                writer.write(b"\x01\x01")
                return
            writer.write(b"\x01\x00")
        _version, command, _reserved, kind = await read(4)
        if kind == 1:
            host = str(ipaddress.IPv4Address(await read(4)))
        elif kind == 4:
            host = str(ipaddress.IPv6Address(await read(16)))
        elif kind == 3:
            (length,) = await read(1)
            host = (await read(length)).decode("ascii", "replace")
        else:
            writer.write(_socks_reply(8))
            return
        port = int.from_bytes(await read(2), "big")

        def reply(code: int) -> None:
            self._keep(SocksRequest(host, port, code, credentials))
            writer.write(_socks_reply(code))

        if command != 1:
            reply(7)
            return
        target = self.resolve(host)
        if not is_loopback_target(target):
            reply(2)
            return
        try:
            upstream = await open_upstream(target, port)
        except (OSError, TimeoutError):
            reply(5)
            return
        reply(0)
        await writer.drain()
        await relay_both_ways((reader, writer), upstream)


def _socks_reply(code: int) -> bytes:
    return bytes((5, code, 0, 1, 127, 0, 0, 1, 0, 0))


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def connect_proxy() -> Iterator[ConnectProxy]:
    """A running ``ConnectProxy`` with no authentication, for one test."""
    with ConnectProxy() as proxy:
        yield proxy
