"""Start-up against a far HTTPS server: process start to the first contact row when the server
is 150 ms away (a round trip), beside the two things that bound it from below.

A support team in Singapore on a server in Frankfurt waits for three round trips before the
first row can be drawn (TCP, TLS, the request), whatever the client does. The figure is
compared with the larger of two floors measured in the same run, interleaved:

- the bare Textual floor (``floor_app.py``, as the ``startup`` figure uses): drawing the rows,
- the network's own minimum: a fresh interpreter that opens a TLS connection through the same
  link and reads page 1 with nothing but ``socket`` and ``ssl``, trusting what the app is told
  to trust (``SSL_CERT_FILE``, through OpenSSL's defaults).

The server is the tests' own HTTPS demo server (``tests/tls_servers.py``, a certificate from a
CA made for the run, valid for 127.0.0.1) behind their delaying TCP forwarder
(``tests/netproxies.py``), in a process of its own. The app is pointed at the forwarder with
``LIVEDESK_BASE_URL`` and told to trust the CA with ``SSL_CERT_FILE``: no proxy settings, no
change to the app. An app that cannot connect (one that ignores ``SSL_CERT_FILE``) is reported
as such, with the reason its ``export`` gives, instead of being waited for.

    python -m benchmarks --only far
    python -m benchmarks.far_server serve [--delay-ms 75]   # the far server, to try by hand
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import select
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from .common import PYTHON, ROOT, Figure, ensure_compiled, median, ratio_figure, spread
from .ptyrun import PtyProcess, PtyTimeout, scratch_home, terminal_env
from .rows import DEMO_CONTACTS, marker, write_pages
from .servers import cli_argv
from .startup import FLOOR_APP

DELAY_MS = 75.0
"""One way; a round trip is twice that."""
LIMIT = 1.2
FIRST_ROW_TIMEOUT = 20.0
"""Seconds the app is given to show its first row (the network minimum is about 0.5 s)."""

_NETWORK_VARIABLES = re.compile(r"(?i)^(https?_proxy|all_proxy|no_proxy|ssl_cert_(file|dir))$")


# --- the far server, in a process of its own ---------------------------------------------------


def serve(delay_ms: float, contacts: int, directory: Path) -> None:
    """Serve the HTTPS demo server behind a delaying forwarder until standard input closes.

    Prints one JSON line first: ``url`` (the forwarder, what the app connects to), ``direct``
    (the server itself) and ``ca`` (the CA's PEM file).
    """
    sys.path.insert(0, str(ROOT / "tests"))
    from netproxies import DelayingForwarder
    from tls_servers import Certificates, TLSDemoServer

    certificates = Certificates(directory)
    server = TLSDemoServer(certificates["good"], contacts=contacts)
    server.store.warm()  # every order built before the first request, as demo-server does
    with server, DelayingForwarder(("127.0.0.1", server.port), delay_ms=delay_ms) as forwarder:
        url = f"https://127.0.0.1:{forwarder.port}"
        ready = {"url": url, "direct": server.base_url, "ca": str(certificates.ca_pem)}
        print(json.dumps(ready), flush=True)
        print(
            f"HTTPS demo API {delay_ms:g} ms away (each way) on {url}\n"
            f"  export LIVEDESK_BASE_URL={url} LIVEDESK_API_KEY={server.api_key} "
            f"LIVEDESK_API_SECRET={server.api_secret} SSL_CERT_FILE={certificates.ca_pem}\n"
            "Close standard input (Ctrl+D) to stop.",
            file=sys.stderr,
            flush=True,
        )
        while sys.stdin.buffer.read(4096):
            pass


class FarServerProcess:
    """``serve`` in a child process, ended on exit (its standard input is closed).

    Args:
        directory: Where its certificates are written.
        delay_ms: The forwarder's one-way delay.
        contacts: How many contacts it serves.
    """

    def __init__(
        self, directory: Path, delay_ms: float = DELAY_MS, contacts: int = DEMO_CONTACTS
    ) -> None:
        self.directory = directory
        self.delay_ms = delay_ms
        self.contacts = contacts
        self.url = ""
        self.direct = ""
        self.ca = ""
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> FarServerProcess:
        argv = [PYTHON, "-m", "benchmarks.far_server", "serve", "--delay-ms", f"{self.delay_ms:g}"]
        argv += ["--contacts", str(self.contacts), "--dir", str(self.directory)]
        self._process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
        )
        try:
            line = _read_line(self._process, timeout=60)
            ready = json.loads(line)
        except (RuntimeError, ValueError) as exc:
            error = self._stop_and_read_stderr()
            raise RuntimeError(f"the far server did not start: {exc}; {error}") from None
        self.url, self.direct, self.ca = ready["url"], ready["direct"], ready["ca"]
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop_and_read_stderr()

    def _stop_and_read_stderr(self) -> str:
        process, self._process = self._process, None
        if process is None:
            return ""
        try:
            _, err = process.communicate(timeout=10)  # closes its stdin: it stops
        except subprocess.TimeoutExpired:
            process.kill()
            _, err = process.communicate(timeout=10)
        lines = (err or b"").decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else f"exit code {process.returncode}"

    def env(self, base: dict[str, str]) -> dict[str, str]:
        """``base`` without any proxy or CA setting of its own, plus what points the app at
        this server and trusts its CA."""
        from livedesk_tui.demo.credentials import DEMO_API_KEY, DEMO_API_SECRET

        clean = {k: v for k, v in base.items() if not _NETWORK_VARIABLES.match(k)}
        return {
            **clean,
            "LIVEDESK_BASE_URL": self.url,
            "LIVEDESK_API_KEY": DEMO_API_KEY,
            "LIVEDESK_API_SECRET": DEMO_API_SECRET,
            "SSL_CERT_FILE": self.ca,
        }


def _read_line(process: subprocess.Popen[bytes], timeout: float) -> str:
    """The first line ``process`` writes on its stdout, within ``timeout`` seconds.

    Raises:
        RuntimeError: it ended or stayed silent.
    """
    assert process.stdout is not None
    seen = b""
    deadline = time.monotonic() + timeout
    while b"\n" not in seen:
        left = deadline - time.monotonic()
        if left <= 0:
            raise RuntimeError(f"no answer in {timeout:g} s")
        ready, _, _ = select.select([process.stdout], [], [], min(left, 0.5))
        if ready:
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:
                raise RuntimeError(f"it ended (exit code {process.wait(10)})")
            seen += chunk
    return seen.split(b"\n", 1)[0].decode("utf-8", "replace")


# --- what is timed -----------------------------------------------------------------------------

# Page 1 as the app asks for it, read by a fresh interpreter with nothing but the standard
# library; the connection and the credentials come from the same environment as the app's.
_NETWORK_MINIMUM = r"""
import base64, os, socket, ssl, sys
from urllib.parse import urlsplit
url = urlsplit(os.environ["LIVEDESK_BASE_URL"])
pair = f"{os.environ['LIVEDESK_API_KEY']}:{os.environ['LIVEDESK_API_SECRET']}".encode()
context = ssl.create_default_context()  # OpenSSL's defaults: SSL_CERT_FILE, as the app is given
with socket.create_connection((url.hostname, url.port), timeout=20) as raw:
    raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    with context.wrap_socket(raw, server_hostname=url.hostname) as tls:
        tls.sendall(
            b"GET /api/v2/accounts/contacts?page=1&page_size=15&include_contact_inboxes=true"
            b" HTTP/1.1\r\nHost: " + url.netloc.encode() + b"\r\nAuthorization: Basic "
            + base64.b64encode(pair) + b"\r\nAccept: application/json\r\n\r\n"
        )
        data = b""
        while b"\r\n\r\n" not in data:
            data += tls.recv(65536) or sys.exit("the server closed the connection")
        head, _, body = data.partition(b"\r\n\r\n")
        length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:")))
        while len(body) < length:
            body += tls.recv(65536) or sys.exit("the answer broke off")
print(head.split(b" ")[1].decode(), len(body), flush=True)
"""


def network_minimum_ms(env: dict[str, str]) -> float:
    """Milliseconds from starting a fresh interpreter to page 1's body read (see above).

    Raises:
        RuntimeError: it failed or was not answered 200.
    """
    started = time.perf_counter()
    process = subprocess.Popen(
        [PYTHON, "-c", _NETWORK_MINIMUM],
        env=env,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        line = _read_line(process, timeout=30)
        elapsed = (time.perf_counter() - started) * 1000
    finally:
        _, err = process.communicate(timeout=30)
    if not line.startswith("200 "):
        reason = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [line]
        raise RuntimeError(f"the network minimum's request failed: {reason[0]}")
    return elapsed


def first_row_ms(argv: list[str], env: dict[str, str], text: bytes, timeout: float) -> float:
    """Milliseconds from fork to ``text`` on an 80x24 pty.

    Raises:
        PtyTimeout: it did not appear within ``timeout`` seconds.
    """
    with PtyProcess(argv, env, cwd=ROOT) as proc:
        seen = proc.wait_for(text, timeout=timeout)
        elapsed = (seen - proc.started) * 1000
        proc.close(quit_keys=b"q")
    return elapsed


def why_app_cannot_connect(env: dict[str, str]) -> str | None:
    """Ask the app's own ``export`` for one page of nothing through the same settings: ``None``
    when it gets it, else the one line it printed (or what happened)."""
    argv = cli_argv("export", "--search", "no such contact anywhere", "--page-size", "1")
    argv += ["--retries", "0", "--timeout", "10", "--format", "jsonl", "--output", "-"]
    try:
        done = subprocess.run(
            argv, env=env, cwd=ROOT, capture_output=True, timeout=60, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired:
        return "its export did not finish in 60 s"
    if done.returncode == 0:
        return None
    lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
    reason = lines[-1].removeprefix("livedesk-tui: ") if lines else f"exit code {done.returncode}"
    return "".join(ch for ch in reason if ch.isprintable())[:300]


def _rotate(runs: int, measures: list[Callable[[], float | None]]) -> list[list[float]]:
    """Run every measure ``runs`` times, in an order that rotates each run, so a slow moment of
    the machine falls on each in turn. A measure returning ``None`` is not kept."""
    results: list[list[float]] = [[] for _ in measures]
    for index in range(runs):
        for offset in range(len(measures)):
            which = (index + offset) % len(measures)
            value = measures[which]()
            if value is not None:
                results[which].append(value)
    return results


def far_first_row(quick: bool = False) -> Figure:
    """The far-server figure: first row at 80x24 against an HTTPS server 150 ms away, against
    the larger of the bare Textual floor and the network's own minimum."""
    runs = 1 if quick else 9
    ensure_compiled()
    notes: list[str] = []
    with scratch_home() as tmp:
        home = Path(tmp)
        pages = write_pages(home / "rows.json", 1)
        text = marker(pages[0][0][0])
        floor_argv = [PYTHON, str(FLOOR_APP), str(home / "rows.json")]
        with FarServerProcess(home / "certificates") as server:
            env = server.env(terminal_env(home))
            problem = why_app_cannot_connect(env)
            app_argv = cli_argv()
            failed: list[str] = []

            def app() -> float | None:
                if problem or failed:
                    return None
                try:
                    return first_row_ms(app_argv, env, text, FIRST_ROW_TIMEOUT)
                except PtyTimeout as exc:
                    failed.append(f"no contact row in {FIRST_ROW_TIMEOUT:g} s ({exc})"[:300])
                    return None

            def floor() -> float:
                return first_row_ms(floor_argv, terminal_env(home), text, 30)

            def network() -> float:
                return network_minimum_ms(env)

            if not quick:  # one untimed start of each fills the OS file cache, as in daily use
                _rotate(1, [app, floor, network])
            app_ms, floor_ms, network_ms = _rotate(runs, [app, floor, network])
    problem = problem or (failed[0] if failed else None)
    bound = max(median(floor_ms), median(network_ms))
    floor_is_network = median(network_ms) >= median(floor_ms)
    floor_title = (
        "the network alone: fresh process, TLS connect + GET page 1"
        if floor_is_network
        else "15-row DataTable app"
    )
    if problem:
        notes.append(f"app could not connect: {problem}")
    else:
        notes.append(f"app {spread(app_ms)}")
    notes.append(
        f"floor (15-row DataTable app) median {median(floor_ms):.0f} ms, {spread(floor_ms)}"
    )
    notes.append(
        f"network minimum (TLS connect + GET page 1, stdlib) median {median(network_ms):.0f} ms, "
        f"{spread(network_ms)}"
    )
    notes.append(
        f"link: {DELAY_MS * 2:g} ms round trip (TCP forwarder, each chunk delayed "
        f"{DELAY_MS:g} ms each way, handshake round trip included); trust: SSL_CERT_FILE"
    )
    title = "start to first row, HTTPS server 150 ms away, 80x24 pty"
    if problem:
        figure = Figure(
            key="far",
            title=title + " (app could not connect)",
            value=math.nan,
            unit="ms",
            floor=bound,
            floor_title=floor_title,
            goal=f"ratio <= {LIMIT:g}",
            met=False,
            notes=notes,
        )
        figure.ratio = None
        return figure
    return ratio_figure(
        "far",
        title,
        median(app_ms),
        bound,
        unit="ms",
        floor_title=floor_title,
        limit=LIMIT,
        notes=notes,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.far_server", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="the far HTTPS demo server, until stdin closes")
    run.add_argument("--delay-ms", type=float, default=DELAY_MS, help="one way (default 75)")
    run.add_argument("--contacts", type=int, default=DEMO_CONTACTS)
    run.add_argument("--dir", type=Path, help="where to write the certificates")
    args = parser.parse_args(argv)
    if args.dir is not None:
        serve(args.delay_ms, args.contacts, args.dir)
        return 0
    with tempfile.TemporaryDirectory(prefix="livedesk-far-") as tmp:
        serve(args.delay_ms, args.contacts, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
