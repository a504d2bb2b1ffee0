"""The demo server's HTTP plumbing: a silent threaded HTTP/1.1 server that can end its own
connections, and the answers it sends.

The handler never prints: the demo server runs inside the TUI, where a stray line on stdout or
stderr would corrupt the screen. Errors while handling are passed to the application, which
keeps them for tests to look at.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

JSON_TYPE = "application/json; charset=utf-8"
IDLE_TIMEOUT = 120.0
"""Seconds a keep-alive connection may sit idle before the server closes it."""
MAX_REQUEST_BODY = 1 << 20


@dataclass(frozen=True, slots=True)
class Answer:
    """A complete response: status, body and the headers beyond the standard ones."""

    status: int
    body: bytes
    content_type: str = JSON_TYPE
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Stream:
    """A response sent as it is made, for answers too big, too slow or too long to hold.

    With ``length`` it goes out with that ``Content-Length`` (promised, whether or not the
    chunks add up to it), without it chunked. ``pause`` seconds pass before each chunk. The
    connection closes after it, and sending stops early when the client goes away or the
    server stops.
    """

    status: int
    chunks: Iterable[bytes]
    content_type: str = JSON_TYPE
    headers: tuple[tuple[str, str], ...] = ()
    length: int | None = None
    pause: float = 0.0


def json_answer(status: int, data: Any, headers: tuple[tuple[str, str], ...] = ()) -> Answer:
    """``data`` as compact UTF-8 JSON (non-ASCII characters as they are, not escaped)."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Answer(status, body, JSON_TYPE, headers)


def phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def html_answer(status: int) -> Answer:
    """The kind of error page a reverse proxy sends when the application behind it fails."""
    title = f"{status} {phrase(status)}"
    page = (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    )
    return Answer(status, page.encode(), "text/html")


def parse_int(text: str) -> int | None:
    """A whole number from ASCII digits (with a sign), or ``None`` for anything else."""
    text = text.strip()
    digits = text[1:] if text[:1] in {"-", "+"} else text
    if digits.isascii() and digits.isdigit() and len(digits) <= 18:
        return int(text)
    return None


class Application(Protocol):
    """What the server hands each request to."""

    stopping: threading.Event

    def handle(self, handler: Handler) -> None: ...

    def note_error(self, exc: BaseException) -> None: ...


class Handler(BaseHTTPRequestHandler):
    """One connection: hands each request to the application; never logs anything anywhere."""

    protocol_version = "HTTP/1.1"
    server_version = "livedesk-demo"
    sys_version = ""
    timeout = IDLE_TIMEOUT
    server: LoopbackHTTPServer
    _answered = False

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without this, Nagle's algorithm holds the
        # second until the client's delayed ACK, adding ~40 ms to every answer.
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._answered = False
        try:
            self._discard_body()
            self.server.app.handle(self)
        except OSError:
            self.close_connection = True  # the client went away, or the server is stopping
        except Exception as exc:  # a bug must show as a 500, not as a silent hang-up
            self.server.app.note_error(exc)
            self.close_connection = True
            if not self._answered:
                self.send(json_answer(500, {"error": "Internal Server Error"}))

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _discard_body(self) -> None:
        length = parse_int(self.headers.get("Content-Length", "") or "")
        if length and 0 < length <= MAX_REQUEST_BODY:
            self.rfile.read(length)
        elif length:
            self.close_connection = True

    def send(self, answer: Answer) -> None:
        self._head(answer, len(answer.body))
        self.wfile.write(answer.body)

    def send_partial(self, answer: Answer, part: bytes) -> None:
        """Promise ``answer``'s full length, send only ``part`` of it, then close the socket."""
        self._head(answer, len(answer.body))
        self.wfile.write(part)
        self.wfile.flush()
        self.close_connection = True

    def send_stream(self, stream: Stream) -> None:
        """Send ``stream`` chunk by chunk (see ``Stream``), then close the connection."""
        self.close_connection = True
        stopping = self.server.app.stopping
        self._head(stream, stream.length)
        self.wfile.flush()
        chunked = stream.length is None
        for chunk in stream.chunks:
            if (stream.pause > 0 and stopping.wait(stream.pause)) or stopping.is_set():
                return
            if not chunk:
                continue
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def _head(self, answer: Answer | Stream, length: int | None) -> None:
        self._answered = True
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        if length is None:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(length))
        for name, value in answer.headers:
            self.send_header(name, value)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Silence: the TUI owns the terminal."""


class LoopbackHTTPServer(ThreadingHTTPServer):
    """A threaded server that tracks its connections, so stopping can end every one of them."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        app: Application,
        listening: socket.socket | None = None,
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.app = app
        self._connections: dict[Any, threading.Thread] = {}
        self._connections_lock = threading.Lock()
        if listening is None:
            super().__init__(address, Handler)
            return
        # Serve on a socket bound and listening already (made by another process).
        super().__init__(address, Handler, bind_and_activate=False)
        self.socket.close()
        self.socket = listening
        self.server_address = listening.getsockname()

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections[request] = threading.current_thread()
        try:
            if self.app.stopping.is_set():
                self.shutdown_request(request)
                return
            super().process_request_thread(request, client_address)
        finally:
            with self._connections_lock:
                self._connections.pop(request, None)

    def close_connections(self, timeout: float) -> None:
        """Shut every open connection down, then wait up to ``timeout`` for their threads."""
        with self._connections_lock:
            connections = list(self._connections.items())
        for sock, _thread in connections:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + timeout
        for _sock, thread in connections:
            if thread is not threading.current_thread():
                thread.join(max(0.0, deadline - time.monotonic()))

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Silence: a client hanging up mid-answer is normal, and nothing may print."""
