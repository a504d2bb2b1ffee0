"""The demo server: a LiveDesk-compatible contacts API on loopback, with real sockets and real
HTTP/1.1 keep-alive.

It runs inside the TUI process (``--demo``), in tests, and standalone (``livedesk-tui
demo-server``, through ``serve_cli``). It never writes to stdout or stderr while serving: in the
TUI a stray line would corrupt the screen.

What it answers is decided per dialect in ``routes``; how contacts are filtered and ordered in
``store``; for Chatwoot, by the version played (``chatwoot``: 4.8 to 4.15, the newest by
default). ``rate_limit`` throttles as Chatwoot's rack-attack does (``throttle``). Latency (``latency_ms``, settable while running) is slept in each handler thread, so
concurrent requests overlap as on a real server. ``faults`` injects failures into contact
listing and search answers (after the credentials pass), so a client's error paths run over
real sockets. Every request is logged in ``requests`` for tests to inspect.
"""

from __future__ import annotations

import gc
import socket
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from urllib.parse import parse_qsl, urlsplit

from ..api.connection import DIALECTS, Connection, Secret, is_loopback
from .catalogue import DemoContact
from .chatwoot import DEFAULT_VERSION, EMPTIES_FIRST_DESCENDING, ChatwootVersion
from .credentials import DEMO_API_KEY, DEMO_API_SECRET
from .dataset import generate_contacts, hostile_contacts
from .faults import Fault, FaultPlan, parse_fault
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


# --- the command line ------------------------------------------------------------------------


def serve_cli(
    *,
    host: str,
    port: int,
    contacts: int,
    latency_ms: float,
    seed: int,
    dialect: str,
    account_id: int,
    faults: list[str],
    hostile: bool,
    chatwoot_version: str = DEFAULT_VERSION,
    rate_limit: int | None = None,
    unstable_order: bool = False,
    out: Callable[[str], None] | None = None,
    err: Callable[[str], None] | None = None,
    listen_fd: int | None = None,
    until_stdin_closes: bool = False,
) -> int:
    """Run the demo server in the foreground until Ctrl+C; return the exit code.

    Prints where it listens and how to point the client at it. A non-loopback host, a bad
    fault spec or a port that cannot be bound ends with one line on stderr and exit code 2.

    ``listen_fd`` serves on an inherited listening socket instead of binding ``host:port``
    (``--demo`` binds it, so its address is known before this process is even running), and
    ``until_stdin_closes`` stops serving when standard input reaches its end (when the process
    that started this one ends, however it ends). ``chatwoot_version``, ``rate_limit`` (a
    minute's requests) and ``unstable_order`` are ``DemoServer``'s.
    """
    say = out or _print_out
    complain = err or _print_err
    problem = _cli_problem(host, port, contacts, latency_ms, dialect)
    if problem:
        complain(f"livedesk-tui demo-server: {problem}")
        return 2
    try:
        plan = [parse_fault(spec) for spec in faults]
    except ValueError as exc:
        complain(f"livedesk-tui demo-server: {exc}")
        return 2
    try:
        ChatwootVersion.of(chatwoot_version)
        if rate_limit is not None:
            FixedWindow(rate_limit)
    except ValueError as exc:
        complain(f"livedesk-tui demo-server: {exc}")
        return 2
    server: DemoServer | None = None
    try:
        server = DemoServer(
            contacts=contacts,
            seed=seed,
            host=host,
            port=port,
            latency_ms=latency_ms,
            dialect=dialect,
            account_id=account_id,
            hostile=hostile,
            chatwoot_version=chatwoot_version,
            rate_limit=rate_limit,
            unstable_order=unstable_order,
        )
        for fault in plan:
            server.faults.add(fault)
        _prepare_for_serving(server)
        try:
            listening = None if listen_fd is None else socket.socket(fileno=listen_fd)
            server.start(listening)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            complain(f"livedesk-tui demo-server: cannot listen on {host}:{port}: {reason}")
            return 2
        for line in banner(server, contacts=len(server.store), faults=plan):
            say(line)
        if until_stdin_closes:
            threading.Thread(
                target=_stop_at_end_of_input, args=(server,), name="demo-stdin", daemon=True
            ).start()
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        if server is not None:
            server.stop()
    return 0


def _stop_at_end_of_input(server: DemoServer) -> None:
    try:
        while sys.stdin.buffer.read(4096):
            pass
    except (OSError, ValueError):
        pass
    server.stop()


def _prepare_for_serving(server: DemoServer) -> None:
    """Build every sort order and label mask before the first request, and take the data set
    out of the cyclic collector's sight: it lives as long as the process, and scanning a
    hundred thousand contacts' objects would stall answers for hundreds of milliseconds.

    Only for a server that has the process to itself (``serve_cli``): ``gc.freeze`` is
    process-wide.
    """
    server.store.warm()
    gc.collect()
    gc.freeze()


def banner(server: DemoServer, *, contacts: int, faults: list[Fault]) -> list[str]:
    """The lines ``serve_cli`` prints on start."""
    url = server.base_url
    size = f"{contacts:,} contacts, seed {server.seed}"
    if server.dialect == "chatwoot":
        lines = [
            f"Chatwoot {server.chatwoot_version}-style demo API on {url} "
            f"({size}, account {server.account_id})",
            f"  export LIVEDESK_BASE_URL={url} LIVEDESK_API_KEY={server.api_key}",
            f"  then: livedesk-tui --dialect chatwoot --account-id {server.account_id}",
        ]
    else:
        lines = [
            f"LiveDesk demo API on {url} ({size})",
            f"  export LIVEDESK_BASE_URL={url} LIVEDESK_API_KEY={server.api_key} "
            f"LIVEDESK_API_SECRET={server.api_secret}",
        ]
    extras = []
    if server.latency_ms > 0:
        extras.append(f"latency {server.latency_ms:g} ms")
    if server.hostile:
        extras.append("hostile contacts first")
    if server.throttle is not None:
        extras.append(server.throttle.describe())
    if server.dialect == "chatwoot" and server.unstable_order:
        extras.append("unstable order without a sort")
    if faults:
        extras.append("faults " + ", ".join(fault.describe() for fault in faults))
    if extras:
        lines.append("  " + "; ".join(extras))
    lines.append("Press Ctrl+C to stop.")
    return lines


def _cli_problem(host: str, port: int, contacts: int, latency_ms: float, dialect: str) -> str:
    if not is_loopback(host):
        return (
            f"refusing to listen on {host!r}: the demo server serves loopback only "
            "(127.0.0.1, ::1 or localhost)"
        )
    if not 0 <= port <= 65535:
        return f"the port must be 0 to 65535, not {port}"
    if contacts < 0:
        return f"--contacts must be 0 or more, not {contacts}"
    if not latency_ms >= 0:
        return f"--latency-ms must be 0 or more, not {latency_ms}"
    if dialect not in DIALECTS:
        return f"unknown dialect {dialect!r}; use one of {', '.join(DIALECTS)}"
    return ""


def _print_out(line: str) -> None:
    print(line, flush=True)


def _print_err(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
