"""Where livedesk-tui keeps its files, in one place, and how a private file is written.

Every location comes from platformdirs (app name ``livedesk-tui``), which honours
``XDG_CONFIG_HOME``, ``XDG_STATE_HOME`` and the other XDG variables on Linux. Locations are
computed when asked for, never at import, so a test that points the XDG variables at a temporary
directory is obeyed; and nothing here creates a directory except ``write_private``.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from platformdirs import PlatformDirs

APP_NAME = "livedesk-tui"
CONFIG_FILE = "config.toml"
STATE_FILE = "state.json"
LOG_FILE = "livedesk-tui.log"
PRIVATE_MODE = 0o600
"""Files holding credentials or personal habits are readable by their owner only."""


def _dirs() -> PlatformDirs:
    from platformdirs import PlatformDirs

    return PlatformDirs(APP_NAME, appauthor=False, ensure_exists=False)


def config_dir() -> Path:
    """The directory of the config file, e.g. ``~/.config/livedesk-tui``."""
    return _dirs().user_config_path


def default_config_path() -> Path:
    """The config file used when neither ``--config`` nor ``LIVEDESK_CONFIG`` names one."""
    return config_dir() / CONFIG_FILE


def state_dir() -> Path:
    """The directory of remembered UI state, e.g. ``~/.local/state/livedesk-tui``."""
    return _dirs().user_state_path


def state_path() -> Path:
    """The file holding the last filters and profile (see ``livedesk_tui.state``)."""
    return state_dir() / STATE_FILE


def log_dir() -> Path:
    """The directory for the debug log."""
    return _dirs().user_log_path


def default_log_path() -> Path:
    """The debug log written with ``--debug``."""
    return log_dir() / LOG_FILE


def write_private(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically, readable and writable by the owner only.

    The bytes go to a temporary file created with mode 0600 in the same directory (so the content
    is never visible to others, not even for a moment) and then renamed over the target, so a
    crash leaves either the old file or the new one, never half of each. Missing directories are
    created with mode 0700. When ``path`` is a symbolic link (a config kept in a dotfiles
    repository, say), the file it points to is replaced and the link kept.

    Raises:
        OSError: the directory or the file could not be written.
    """
    import tempfile

    target = path.resolve() if path.is_symlink() else path
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            if hasattr(os, "fchmod"):
                # mkstemp asks for 0600, but a strict umask may have taken the owner's write bit.
                os.fchmod(handle.fileno(), PRIVATE_MODE)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
