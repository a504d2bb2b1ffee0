"""Which config file, read without trusting what the path leads to, and who else may touch it.

The path comes from ``--config``, else ``LIVEDESK_CONFIG``, else the platformdirs default. The
file must be a regular file of at most ``MAX_CONFIG_BYTES``: a FIFO (which would wait for a
writer), a device such as ``/dev/zero`` (which never ends), a socket or a directory is refused
without being read. The file may hold secrets and names the ``api_secret_command`` to run, so
one that others can read is warned about, and the command of one that others can write is not
run. Kept apart from ``settings`` so its layering reads as layering, not as file handling.
"""

from __future__ import annotations

import os
import shlex
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import paths
from .api.errors import ConfigError

ENV_CONFIG = "LIVEDESK_CONFIG"
MAX_CONFIG_BYTES = 1_000_000
"""A config file is a few lines of TOML: a larger one is the wrong file (a log, a disk image)."""

_SECRET_KEYS = frozenset({"api_key", "api_secret"})


def choose_config_path(config_path: Path | None, env: Mapping[str, str]) -> tuple[Path, str | None]:
    """The file to read and who named it (None for the platformdirs default)."""
    if config_path is not None:
        return Path(config_path).expanduser(), "--config"
    if env.get(ENV_CONFIG):
        return Path(env[ENV_CONFIG]).expanduser(), ENV_CONFIG
    return paths.default_config_path(), None


def missing_file_warning(path: Path, source: str) -> str:
    """The warning for a file named by ``source`` (a flag or variable) that does not exist."""
    return (
        f"The config file {path} (from {source}) does not exist; "
        "using the defaults and the environment."
    )


def read_config(path: Path) -> dict[str, Any] | None:
    """The parsed file, or None when there is no file.

    Raises:
        ConfigError: the file cannot be read, is not a small regular file, is not UTF-8 text
            or is not TOML; the message names the file, never a line of it.
    """
    data = _config_bytes(path)
    if data is None:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"The config file {path} is not UTF-8 text (bad byte at offset {exc.start})."
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # The parser's message names the line and column, never the text found there.
        raise ConfigError(f"The config file {path} is not valid TOML: {exc}.") from None


def _config_bytes(path: Path) -> bytes | None:
    """The bytes of a regular file of at most ``MAX_CONFIG_BYTES``, or None when there is none.

    What ``path`` is gets checked before it is opened, so a FIFO (which would wait for a writer)
    or a device such as ``/dev/zero`` (which never ends) is refused at once; it is opened
    without blocking and checked again, in case it was replaced in between; and no more than
    the limit is ever read.
    """
    failure = ""
    chunks: list[bytes] = []
    size = 0
    try:
        _refuse_odd_file(path, os.stat(path))
        fd = os.open(
            path,
            os.O_RDONLY
            | getattr(os, "O_NONBLOCK", 0)
            | getattr(os, "O_NOCTTY", 0)
            | getattr(os, "O_BINARY", 0),
        )
    except FileNotFoundError:
        return None
    except OSError as exc:
        failure = exc.strerror or type(exc).__name__
    if failure:
        raise ConfigError(f"Cannot read the config file {path}: {failure}.")
    try:
        _refuse_odd_file(path, os.fstat(fd))
        while size <= MAX_CONFIG_BYTES:
            chunk = os.read(fd, MAX_CONFIG_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        failure = exc.strerror or type(exc).__name__
    finally:
        os.close(fd)
    if failure:
        raise ConfigError(f"Cannot read the config file {path}: {failure}.")
    if size > MAX_CONFIG_BYTES:  # it grew since fstat
        raise ConfigError(_too_large(path))
    return b"".join(chunks)


def _refuse_odd_file(path: Path, info: os.stat_result) -> None:
    """Anything but a regular file of at most ``MAX_CONFIG_BYTES`` is the wrong file."""
    import stat

    mode = info.st_mode
    if stat.S_ISREG(mode):
        if info.st_size > MAX_CONFIG_BYTES:
            raise ConfigError(_too_large(path))
        return
    if stat.S_ISDIR(mode):
        raise ConfigError(f"The config file {path} is a directory, not a file.")
    if stat.S_ISFIFO(mode):
        kind = "a FIFO (named pipe)"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "a device"
    elif stat.S_ISSOCK(mode):
        kind = "a socket"
    else:
        kind = "neither a file nor a directory"
    raise ConfigError(
        f"The config file {path} is {kind}, not a regular file: give --config or "
        f"{ENV_CONFIG} the path of the TOML file itself."
    )


def _too_large(path: Path) -> str:
    return (
        f"The config file {path} is larger than {MAX_CONFIG_BYTES // 1_000_000} MB, so it is "
        "not a config file (those are a few lines of TOML); check the path."
    )


def _holds_secret(value: Any) -> bool:
    if isinstance(value, dict):
        return any(
            (key in _SECRET_KEYS and bool(item)) or _holds_secret(item)
            for key, item in value.items()
        )
    if isinstance(value, list):
        return any(_holds_secret(item) for item in value)
    return False


def permission_warning(path: Path, document: Mapping[str, Any]) -> str | None:
    """A warning when the file holds a key or secret and others can read it; else None."""
    if os.name != "posix" or not _holds_secret(document):
        return None
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if mode & 0o077:
        return (
            f"{path} holds a secret and is readable by others (mode {mode & 0o777:o}); "
            f"run chmod 600 {shlex.quote(str(path))}"
        )
    return None


def refuse_if_others_can_write(path: Path) -> None:
    """Whoever can edit the file can make ``api_secret_command`` run anything as this user.

    Raises:
        ConfigError: others (the group or everyone) can write to ``path``.
    """
    if os.name != "posix":
        return
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if mode & 0o022:
        raise ConfigError(
            f"Refusing to run api_secret_command from {path}: others can write to the file "
            f"(mode {mode & 0o777:o}); run chmod 600 {shlex.quote(str(path))}"
        )
