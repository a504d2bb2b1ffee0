"""SIGTERM and SIGHUP end the browser as ``q`` does.

Left to Python's defaults, either signal (a service manager stopping the machine, ``kill``, a
closed terminal window, an SSH link that dropped) ends the process on the spot: the terminal
stays in the alternate screen with mouse reporting on, the filters are not saved, an export's
partial file is cut mid-line and the ``--demo`` server is left to notice on its own. Handled on
the running asyncio loop instead, the signal only asks the app to stop; it then leaves through
Textual's own shutdown (which writes the sequences giving the terminal back) and ``run``
returns, after which the caller saves the filters and stops the demo server.

Nothing here knows about Textual.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable
from typing import Any

HANDLED: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)
"""The signals handled (Windows has no SIGHUP)."""


def exit_code(sig: signal.Signals) -> int:
    """The exit status a shell reports for a program ended by ``sig`` (143 for SIGTERM)."""
    return 128 + int(sig)


class SignalHandlers:
    """Route ``HANDLED`` signals to ``on_signal`` on the running loop, until ``restore``.

    Args:
        on_signal: Called on the loop with the signal that arrived.
    """

    def __init__(self, on_signal: Callable[[signal.Signals], None]) -> None:
        self._on_signal = on_signal
        self._installed: dict[signal.Signals, tuple[asyncio.AbstractEventLoop, Any]] = {}

    def install(self) -> None:
        """Handle the signals on the running loop; a loop outside the main thread (or one that
        cannot take signals) keeps the defaults."""
        loop = asyncio.get_running_loop()
        for sig in HANDLED:
            previous = signal.getsignal(sig)
            try:
                loop.add_signal_handler(sig, self._on_signal, sig)
            except (NotImplementedError, RuntimeError, ValueError):
                continue
            self._installed[sig] = (loop, previous)

    def restore(self) -> None:
        """Give each signal back the handler it had before ``install``."""
        installed, self._installed = self._installed, {}
        for sig, (loop, previous) in installed.items():
            with contextlib.suppress(RuntimeError, ValueError):
                loop.remove_signal_handler(sig)
            if previous is not None:
                with contextlib.suppress(OSError, TypeError, ValueError):
                    signal.signal(sig, previous)
