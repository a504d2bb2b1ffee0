"""The demo server: a LiveDesk-compatible contacts API on loopback, with real sockets and real
HTTP/1.1 keep-alive.

It runs inside the TUI process (``--demo``), in tests, and standalone (``livedesk-tui
demo-server``, through ``serve.serve_cli``). It never writes to stdout or stderr while serving: in the
TUI a stray line would corrupt the screen.

What it answers is decided per dialect in ``routes``; how contacts are filtered and ordered in
``store``; for Chatwoot, by the version played (``chatwoot``: 4.8 to 4.15, the newest by
default). ``rate_limit`` throttles as Chatwoot's rack-attack does (``throttle``). Latency (``latency_ms``, settable while running) is slept in each handler thread, so
concurrent requests overlap as on a real server. ``faults`` injects failures into contact
listing and search answers (after the credentials pass), so a client's error paths run over
real sockets. Every request is logged in ``requests`` for tests to inspect.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from types import TracebackType
from urllib.parse import parse_qsl, urlsplit

from ..api.connection import DIALECTS, Connection, Secret, is_loopback
from .catalogue import DemoContact
from .chatwoot import DEFAULT_VERSION, EMPTIES_FIRST_DESCENDING, ChatwootVersion
from .credentials import DEMO_API_KEY, DEMO_API_SECRET
from .dataset import generate_contacts, hostile_contacts
from .faults import FaultPlan
from .routes import NOT_FOUND, DialectRules, page_number
from .store import ContactStore
from .throttle import WINDOW, FixedWindow
from .wire import Answer, Handler, LoopbackHTTPServer, Stream, json_answer


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request as the server saw it (credentials are never recorded)."""

    method: str
    path: str
    params: list[tuple[str, str]] = field(default_factory=list)
    status: int | None = None
    """The status sent; ``None`` when no response was sent (a ``hang`` or ``close`` fault)."""
    page: int | None = None
    """The page asked for, for contact list and search requests."""
    fault: str | None = None
    """The kind of fault injected into the answer, if any."""


class DemoServer:
    """The demo API server; use it as a context manager, or call ``start`` and ``stop``.

    Args:
        contacts: How many contacts to generate (ignored when ``dataset`` is given).
        seed: Seed of the generated contacts.
        host: A loopback address to listen on.
        port: Port to listen on; 0 picks a free one (``base_url`` says which, once started).
        latency_ms: Delay before each answer, slept in the handler thread.
        dialect: ``"livedesk"`` or ``"chatwoot"``.
        account_id: The account in Chatwoot paths.
        api_key: The key (for Chatwoot, the access token) requests must carry.
        api_secret: The secret LiveDesk requests must carry.
        ignore_page_size: Always serve 15 a page, as Chatwoot does.
        hostile: Put ``hostile_contacts()`` first in the default order.
        dataset: Serve these contacts, in this order, instead of generated ones.
        chatwoot_version: The Chatwoot version played (``"4.8"`` to ``"4.15"``, or with a
            patch, ``"4.10.1"``): its sort keys, search rules and null order.
        unstable_order: Chatwoot dialect: a list without a sort comes in another order on
            every other page, as a query without ``ORDER BY`` may (paging repeats and skips).
        rate_limit: Answer 429 ``Retry later`` (no ``Retry-After``) past this many requests
            in a window of the clock; ``None``: no limit.
        rate_window: The window's length in seconds (Chatwoot's is 60, aligned to the minute).

    Raises:
        ValueError: an unknown dialect, a host that is not loopback, a version outside 4.8 to
            4.15, or a rate limit below 1.
    """

    def __init__(
        self,
        *,
        contacts: int = 1000,
        seed: int = 7,
        host: str = "127.0.0.1",
        port: int = 0,
        latency_ms: float = 0.0,
        dialect: str = "livedesk",
        account_id: int = 1,
        api_key: str = DEMO_API_KEY,
        api_secret: str = DEMO_API_SECRET,
        ignore_page_size: bool = False,
        hostile: bool = False,
        dataset: list[DemoContact] | None = None,
        chatwoot_version: str = DEFAULT_VERSION,
        unstable_order: bool = False,
        rate_limit: int | None = None,
        rate_window: float = WINDOW,
    ) -> None:
        if dialect not in DIALECTS:
            raise ValueError(f"unknown dialect {dialect!r}; use one of {', '.join(DIALECTS)}")
        if not is_loopback(host):
            raise ValueError(f"the demo server listens on loopback only, not {host!r}")
        version = ChatwootVersion.of(chatwoot_version)
        throttle = None if rate_limit is None else FixedWindow(rate_limit, rate_window)
        served = list(dataset) if dataset is not None else generate_contacts(contacts, seed)
        if hostile:
            served = hostile_contacts() + served
        self.seed = seed
        self.host = host
        self.port = port
        self.latency_ms = latency_ms
        self.dialect = dialect
        self.account_id = account_id
        self.api_key = api_key
        self.api_secret = api_secret
        self.hostile = hostile
        self.faults = FaultPlan()
        self.chatwoot_version = version
        self.throttle = throttle
        self.unstable_order = unstable_order
        chatwoot = dialect == "chatwoot"
        self.store = ContactStore(
            served,
            empties_first_descending=EMPTIES_FIRST_DESCENDING if chatwoot else frozenset(),
            search_company=chatwoot and version.search_matches_company,
            exact_identifier=chatwoot,
        )
        self._rules = DialectRules(
            self.store,
            name=dialect,
            account_id=account_id,
            api_key=api_key,
            api_secret=api_secret,
            ignore_page_size=ignore_page_size,
            version=version,
            unstable_order=unstable_order,
        )
        self.stopping = threading.Event()
        self._state = threading.Lock()
        self._log_lock = threading.Lock()
        self._requests: list[RequestRecord] = []
        self._errors: list[str] = []
        self._in_flight = 0
        self._peak_in_flight = 0
        self._httpd: LoopbackHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        where = self.base_url if self._httpd else "not started"
        kind = f"chatwoot {self.chatwoot_version}" if self.dialect == "chatwoot" else self.dialect
        return f"<DemoServer {kind} {where} {len(self.store)} contacts>"

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self, listening: socket.socket | None = None) -> DemoServer:
        """Bind and serve in a daemon thread; returns ``self``. Calling it again does nothing.

        Args:
            listening: A socket already bound to a loopback address and listening, to serve
                on instead of binding one (another process may have made it and passed it on).

        Raises:
            OSError: the address cannot be bound.
            RuntimeError: the server was stopped (a stopped server does not start again).
            ValueError: ``listening`` is not bound to a loopback address.
        """
        with self._state:
            if self.stopping.is_set():
                raise RuntimeError("this demo server was stopped; make a new one")
            if self._httpd is not None:
                return self
            if listening is not None:
                host, port = listening.getsockname()[:2]
                if not is_loopback(host):
                    raise ValueError(f"the demo server listens on loopback only, not {host!r}")
                self.host, self.port = host, port
            httpd = LoopbackHTTPServer((self._bind_host, self.port), self, listening)
            self._httpd = httpd
            self.port = httpd.server_address[1]
            self._thread = threading.Thread(
                target=httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"livedesk-demo-server:{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every connection; hanging and sleeping handlers end at once.

        Calling it again does nothing.
        """
        with self._state:
            if self.stopping.is_set():
                return
            self.stopping.set()
            httpd, thread = self._httpd, self._thread
        if httpd is None:
            return
        if thread is not None:
            httpd.shutdown()
            thread.join(timeout=5)
        httpd.server_close()
        httpd.close_connections(timeout=5)

    def serve_forever(self) -> None:
        """Serve until ``stop`` is called or the calling thread is interrupted (Ctrl+C)."""
        self.start()
        try:
            while not self.stopping.wait(0.25):
                pass
        finally:
            self.stop()

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._httpd is not None and not self.stopping.is_set()

    @property
    def _bind_host(self) -> str:
        host = self.host.strip("[]")
        return "127.0.0.1" if host.lower() == "localhost" else host

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` (the port is known once started)."""
        host = self._bind_host
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    def connection(self) -> Connection:
        """Where and how a client reaches this server."""
        return Connection(
            base_url=self.base_url,
            api_key=Secret(self.api_key),
            api_secret=Secret(self.api_secret),
            dialect="chatwoot" if self.dialect == "chatwoot" else "livedesk",
            account_id=self.account_id,
            origin="the demo server",
            profile="demo",
        )

    @property
    def contacts(self) -> list[DemoContact]:
        """The served contacts in default order (hostile ones first when asked for)."""
        return self.store.contacts

    # --- what happened -----------------------------------------------------------------------

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of the requests received so far, oldest first."""
        with self._log_lock:
            return list(self._requests)

    def reset_log(self) -> None:
        """Forget the logged requests and errors, and restart ``peak_in_flight``."""
        with self._log_lock:
            self._requests.clear()
            self._errors.clear()
            self._peak_in_flight = self._in_flight

    def reset(self) -> None:
        """Back to as started: no faults, no latency, an empty log (for a server shared by
        several tests)."""
        self.faults.clear()
        self.latency_ms = 0
        if self.throttle is not None:
            self.throttle.reset()
        self.reset_log()

    @property
    def errors(self) -> list[str]:
        """Unexpected exceptions raised while handling requests (each was answered with 500)."""
        with self._log_lock:
            return list(self._errors)

    @property
    def peak_in_flight(self) -> int:
        """The most requests handled at one moment (since ``reset_log``)."""
        with self._log_lock:
            return self._peak_in_flight

    def note_error(self, exc: BaseException) -> None:
        with self._log_lock:
            self._errors.append(f"{type(exc).__name__}: {exc}")

    def _record(self, record: RequestRecord) -> None:
        with self._log_lock:
            self._requests.append(record)

    # --- handling ----------------------------------------------------------------------------

    def handle(self, handler: Handler) -> None:
        """Answer one request (called in its connection's thread)."""
        with self._log_lock:
            self._in_flight += 1
            self._peak_in_flight = max(self._peak_in_flight, self._in_flight)
        try:
            self._handle(handler)
        finally:
            with self._log_lock:
                self._in_flight -= 1

    def _handle(self, handler: Handler) -> None:
        parts = urlsplit(handler.path)
        path = parts.path
        params = parse_qsl(parts.query, keep_blank_values=True)

        def send(
            answer: Answer | Stream, page: int | None = None, fault: str | None = None
        ) -> None:
            self._record(RequestRecord(handler.command, path, params, answer.status, page, fault))
            if isinstance(answer, Stream):
                handler.send_stream(answer)
            else:
                handler.send(answer)

        latency = self.latency_ms
        if latency > 0 and self.stopping.wait(latency / 1000):
            handler.close_connection = True
            return
        if self.throttle is not None and not self.throttle.allow():
            send(Answer(429, b"Retry later\n", "text/plain; charset=utf-8"), fault="throttled")
            return
        route = self._rules.route(path) if handler.command == "GET" else None
        if route is None:
            send(json_answer(404, NOT_FOUND))
            return
        page = page_number(params) if route.lists_contacts else None
        problem = self._rules.refuse(handler.headers, route) or self._rules.invalid(route, params)
        if problem is not None:
            send(problem, page)
            return
        fault = self.faults.match(page) if page is not None else None
        if fault is None:
            send(self._rules.answer(route, params), page)
        elif fault.kind in {"close", "hang"}:
            self._record(RequestRecord("GET", path, params, None, page, fault.kind))
            if fault.kind == "hang":
                self.stopping.wait(fault.hang_seconds)
            handler.close_connection = True
        elif fault.kind == "drop":
            answer = self._rules.answer(route, params)
            self._record(RequestRecord("GET", path, params, answer.status, page, fault.kind))
            handler.send_partial(answer, answer.body[: len(answer.body) // 2])
        else:
            send(self._rules.fault_answer(fault, route, params), page, fault.kind)
