"""What tmux does with a program's clipboard sequence, read from tmux itself.

A program in a tmux pane cannot reach the terminal outside by itself. tmux takes a bare OSC 52
only with ``set-clipboard on`` (its default, ``external``, ignores programs' sequences), and
passes a wrapped one (``ESC P tmux; ...``) on only with ``allow-passthrough on`` (tmux 3.3 and
later; older ones pass it always). With tmux's defaults both are dropped, silently: a copy that
said "copied" would be a lie. So the two options are read (``tmux show-options``, which finds
the pane's server through ``TMUX``) before each copy, in a thread, with a short timeout.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass

from .osc52 import in_tmux

TIMEOUT = 1.0
"""Seconds one ``tmux show-options`` may take before the settings count as unknown."""


@dataclass(frozen=True, slots=True)
class TmuxClipboard:
    """The global values of tmux's two clipboard options.

    ``allow_passthrough`` is ``None`` for a tmux older than 3.3, which has no such option and
    passes a wrapped sequence on.
    """

    set_clipboard: str
    allow_passthrough: str | None

    @property
    def takes_bare(self) -> bool:
        """tmux takes a bare OSC 52 itself and sets the outer terminal's clipboard."""
        return self.set_clipboard == "on"

    @property
    def passes_wrapped(self) -> bool:
        """tmux hands a wrapped sequence on to the outer terminal."""
        return self.allow_passthrough is None or self.allow_passthrough in ("on", "all")


def _show(option: str, environ: Mapping[str, str], timeout: float) -> str | None:
    """``tmux show-options -gv OPTION``, or None when tmux does not answer with a value."""
    try:
        done = subprocess.run(  # noqa: S603 - a fixed command; tmux from the user's PATH
            ["tmux", "show-options", "-gv", option],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=timeout,
            env=dict(environ),
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    value = done.stdout.strip()
    return value if done.returncode == 0 and value else None


def read_tmux_clipboard(
    environ: Mapping[str, str], *, timeout: float = TIMEOUT
) -> TmuxClipboard | None:
    """tmux's clipboard options, or None outside tmux or when they cannot be read (no
    ``tmux`` on the PATH, no answer within ``timeout`` seconds). Runs ``tmux``: call it off
    the event loop."""
    if not in_tmux(environ):
        return None
    set_clipboard = _show("set-clipboard", environ, timeout)
    if set_clipboard is None:
        return None
    return TmuxClipboard(set_clipboard, _show("allow-passthrough", environ, timeout))
