"""``livedesk-tui demo-server``: the demo server in the foreground of a process of its own.

Kept apart from ``server`` (the server itself, which tests and ``--demo`` start in-process)
so that what only the standalone command needs, printing where it listens, checking its
arguments, stopping when the parent process ends, freezing the collector, lives in one place.
"""

from __future__ import annotations

import gc
import socket
import sys
import threading
from collections.abc import Callable

from ..api.connection import DIALECTS, is_loopback
from .chatwoot import DEFAULT_VERSION, ChatwootVersion
from .faults import Fault, parse_fault
from .server import DemoServer
from .throttle import FixedWindow


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
