"""Start the demo server in a process of its own, for ``livedesk-tui --demo``.

The TUI then neither builds the data set nor answers requests itself: the server starts on the
other core while the TUI starts, and its work never competes with the screen for the
interpreter lock. The listening socket is made here and handed down, so its address is known
at once and a request sent before the server process is ready simply waits in the socket's
queue. The server process reads its standard input and stops when it ends: when this process
ends, however it ends, the server goes too.

Only the standard library and the connection type are imported here (not the server).
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
from types import TracebackType

from ..api.connection import Connection, Dialect, Secret
from .credentials import DEMO_API_KEY, DEMO_API_SECRET


class DemoProcess:
    """A demo server in a child process, on a free loopback port.

    Args:
        dialect: ``"livedesk"`` or ``"chatwoot"``.
        account_id: The account in Chatwoot paths.
        python: The interpreter to run it with (this one by default).
    """

    def __init__(
        self, *, dialect: Dialect = "livedesk", account_id: int = 1, python: str | None = None
    ) -> None:
        self.dialect: Dialect = dialect
        self.account_id = account_id
        self.python = python or sys.executable
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None

    def __repr__(self) -> str:
        return f"<DemoProcess {self.dialect} {self.base_url}>"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> DemoProcess:
        """Bind a free loopback port and start the server process on it; returns ``self``.

        Raises:
            OSError: no port could be bound, or the process could not be started.
        """
        listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            listening.bind(("127.0.0.1", 0))
            listening.listen(128)
            self.port = listening.getsockname()[1]
            fd = listening.fileno()
            argv = [
                self.python,
                "-m",
                "livedesk_tui",
                "demo-server",
                "--listen-fd",
                str(fd),
                "--until-stdin-closes",
                "--dialect",
                self.dialect,
                "--account-id",
                str(self.account_id),
            ]
            self._process = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,  # the terminal belongs to the TUI
                stderr=subprocess.DEVNULL,
                pass_fds=(fd,),
                start_new_session=True,  # keys typed at the TUI send it no signals
            )
        finally:
            # The child holds its own copy. Without ours, the port closes if the child dies,
            # and a request fails at once instead of waiting for an answer that never comes.
            listening.close()
        return self

    def stop(self, timeout: float = 3.0) -> None:
        """Close the server's input (it stops at once), then make sure it has ended."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)

    def __enter__(self) -> DemoProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def connection(self) -> Connection:
        """Where and how a client reaches the server (as ``DemoServer.connection``)."""
        return Connection(
            base_url=self.base_url,
            api_key=Secret(DEMO_API_KEY),
            api_secret=Secret(DEMO_API_SECRET),
            dialect=self.dialect,
            account_id=self.account_id,
            origin="the demo server",
            profile="demo",
        )
