"""A rate limit as Chatwoot's rack-attack applies it: so many requests per fixed window of the
clock (60 seconds, aligned to the minute), every request counted, the throttled ones included.

So a client that retries within the same window fails again; only the next window lets it
through. The window's length is a parameter so tests need not wait a minute.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

WINDOW = 60.0
"""Chatwoot's window, in seconds."""


class FixedWindow:
    """At most ``limit`` requests per window of ``window`` seconds aligned to ``clock``'s zero.

    Raises:
        ValueError: a limit below 1 or a window that is not a positive number of seconds.
    """

    def __init__(
        self, limit: int, window: float = WINDOW, clock: Callable[[], float] = time.time
    ) -> None:
        if limit < 1:
            raise ValueError(f"a rate limit is 1 or more requests a window, not {limit}")
        if not (math.isfinite(window) and window > 0):
            raise ValueError(f"a rate limit window is a number of seconds above 0, not {window}")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._current = -1
        self._count = 0

    def allow(self) -> bool:
        """Count one request; whether it is within this window's limit."""
        index = math.floor(self._clock() / self.window)
        with self._lock:
            if index != self._current:
                self._current, self._count = index, 0
            self._count += 1
            return self._count <= self.limit

    def reset(self) -> None:
        """Forget this window's count."""
        with self._lock:
            self._current, self._count = -1, 0

    def describe(self) -> str:
        if self.window == WINDOW:
            return f"rate limit {self.limit} a minute"
        return f"rate limit {self.limit} per {self.window:g} s"
