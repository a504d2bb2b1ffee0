"""A one-line progress bar for the export command, drawn on stderr only when it is a terminal."""

from __future__ import annotations

import time
from typing import TextIO

from .api.export import ExportProgress


class ProgressLine:
    """Redraws ``[#####-----] 240/1,000 contacts · page 16/67`` in place, at most 10 times a second."""

    WIDTH = 24

    def __init__(self, stream: TextIO, *, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self._last_draw = 0.0
        self._drawn = False

    def __call__(self, progress: ExportProgress) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        done = progress.pages_total is not None and progress.pages_done >= progress.pages_total
        if now - self._last_draw < 0.1 and not done:
            return
        self._last_draw = now
        self.stream.write("\r" + self.render(progress) + "\x1b[K")
        self.stream.flush()
        self._drawn = True

    def render(self, progress: ExportProgress) -> str:
        total = progress.contacts_total
        if total:
            filled = min(self.WIDTH, round(self.WIDTH * progress.written / total))
            bar = "[" + "#" * filled + "-" * (self.WIDTH - filled) + "]"
            counts = f"{progress.written:,}/{total:,} contacts"
        else:
            bar = "[" + "?" * 3 + "]"
            counts = f"{progress.written:,} contacts"
        pages = f"page {progress.pages_done}"
        if progress.pages_total:
            pages += f"/{progress.pages_total}"
        return f"Exporting {bar} {counts} · {pages}"

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
