"""The config file, the environment and the command line, merged into one typed ``Settings``.

Layers, lowest first: built-in defaults, one named profile of the TOML config file, the
``LIVEDESK_*`` environment variables, then the explicit arguments the command line passes in::

    default_profile = "work"
    theme = "textual-dark"            # any Textual theme name
    [keys]                            # binding id -> keys, for App.set_keymap
    next_page = "n,right"
    [profiles.work]
    base_url = "https://livedesk-api.engagelab.com"
    api_key = "..."
    api_secret = "..."                # or: api_secret_command = "pass show livedesk"
    dialect = "livedesk"              # or "chatwoot" (with account_id; api_key is the token)
    account_id = 1
    labels = ["vip", "billing"]       # label suggestions (the LiveDesk API cannot list labels)

Credentials are wrapped in ``Secret`` as soon as they are read, and no message, warning or
``repr`` built here ever holds one: errors about a value name its key and profile, not its text.
A key or secret must be one line of printable ASCII with no spaces, wherever it comes from (the
file, ``LIVEDESK_API_KEY``/``LIVEDESK_API_SECRET``, the first line of ``api_secret_command``'s
output, whose own line ending is not part of it): a line break, a control character, a space or
a typographic quote is a paste gone wrong, refused at load time by the setting's name rather
than sent to fail (or to be quoted by the HTTP layer's error) later. The config file must be a
regular file of at most ``MAX_CONFIG_BYTES``; a FIFO, a device or a directory is refused
without being read.
"""

from __future__ import annotations

import json
import math
import os
import re
import shlex
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from types import MappingProxyType
from typing import Any

from . import paths
from .api.connection import (
    DEFAULT_BASE_URL,
    DIALECTS,
    Connection,
    Dialect,
    NetworkSettings,
    Secret,
    check_base_url,
)
from .api.errors import ConfigError

ENV_BASE_URL = "LIVEDESK_BASE_URL"
ENV_API_KEY = "LIVEDESK_API_KEY"
ENV_API_SECRET = "LIVEDESK_API_SECRET"  # noqa: S105 - the variable's name, not a secret
ENV_DIALECT = "LIVEDESK_DIALECT"
ENV_ACCOUNT_ID = "LIVEDESK_ACCOUNT_ID"
ENV_PROFILE = "LIVEDESK_PROFILE"
ENV_CONFIG = "LIVEDESK_CONFIG"
ENV_CA_BUNDLE = "LIVEDESK_CA_BUNDLE"
ENV_PROXY = "LIVEDESK_PROXY"

DEFAULT_PROFILE = "default"
SECRET_COMMAND_TIMEOUT = 10.0
"""Seconds an ``api_secret_command`` may take before it is killed, with every process it
started."""
SECRET_OUTPUT_LIMIT = 64 * 1024
"""Bytes an ``api_secret_command`` may print; past that it is killed and its output refused."""
MAX_CONFIG_BYTES = 1_000_000
"""A config file is a few lines of TOML: a larger one is the wrong file (a log, a disk image)."""

TOP_LEVEL_KEYS = ("default_profile", "theme", "keys", "profiles")
PROFILE_KEYS = (
    "base_url",
    "api_key",
    "api_secret",
    "api_secret_command",
    "dialect",
    "account_id",
    "labels",
    "ca_bundle",
    "proxy",
)
_CONNECTION_KEYS = (
    "base_url",
    "dialect",
    "account_id",
    "api_key",
    "api_secret",
    "api_secret_command",
)
_SECRET_KEYS = frozenset({"api_key", "api_secret"})


@dataclass(frozen=True)
class Settings:
    """Everything the command line and the app need to start, already validated."""

    connection: Connection
    """Where to connect; ``connection.origin`` says where the credentials came from."""
    profile: str = DEFAULT_PROFILE
    profiles: tuple[str, ...] = ()
    """Every profile name in the config file, in file order (for a profile switcher)."""
    config_path: Path = field(default_factory=paths.default_config_path)
    theme: str | None = None
    keys: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Binding id -> comma-separated keys, ready for ``App.set_keymap``."""
    label_suggestions: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    """Things a person should fix, e.g. a config file with a secret that others can read."""


def load_settings(
    *,
    config_path: Path | None = None,
    profile: str | None = None,
    base_url: str | None = None,
    dialect: str | None = None,
    account_id: int | None = None,
    ca_bundle: Path | None = None,
    proxy: str | None = None,
    env: Mapping[str, str] | None = None,
    require_credentials: bool = True,
) -> Settings:
    """Read the config file, apply the environment and the explicit arguments, and validate.

    Args:
        config_path: ``--config``; else ``LIVEDESK_CONFIG``; else the platformdirs default. A
            missing file is fine (defaults and environment apply).
        profile: ``--profile``; else ``LIVEDESK_PROFILE``; else ``default_profile`` in the
            file; else ``"default"``. A profile named by any of the first three must exist.
        base_url: ``--base-url``, over ``LIVEDESK_BASE_URL`` and the profile's ``base_url``.
        dialect: ``--dialect``, over ``LIVEDESK_DIALECT`` and the profile's ``dialect``.
        account_id: ``--account-id``, over ``LIVEDESK_ACCOUNT_ID`` and ``account_id``.
        ca_bundle: ``--ca-bundle``, over ``LIVEDESK_CA_BUNDLE`` and ``ca_bundle``: CAs trusted
            beside the system's (a PEM file or a hashed directory).
        proxy: ``--proxy``, over ``LIVEDESK_PROXY`` and ``proxy``: a proxy URL, or ``none``;
            over the proxy variables of the environment.
        env: the environment to read (``os.environ`` when None).
        require_credentials: when False, missing credentials are not an error and a failing
            ``api_secret_command`` becomes a warning (for the demo mode and for screens that
            only need the theme and keys).

    Raises:
        ConfigError: an unreadable or malformed file (or one that is not a small regular
            file), a value of the wrong type, an unknown profile, a refused base URL, a key or
            secret with a line break, control, space or non-ASCII character in it, a failed
            secret command, or missing credentials; the message says which setting to fix and
            where.
    """
    env = os.environ if env is None else env
    warnings: list[str] = []
    path, path_source = _choose_config_path(config_path, env)
    document = _read_config(path)
    if document is None:
        document = {}
        if path_source is not None:
            warnings.append(_missing_file_warning(path, path_source))
    warnings.extend(_unknown_key_warnings(document, TOP_LEVEL_KEYS, f"the top level of {path}"))

    default_profile = _optional_str(document, "default_profile", f"{path}")
    theme = _optional_str(document, "theme", f"{path}") or None
    keys = _keys_table(document, path)
    profiles = _profiles_table(document, path)

    name, name_source = _choose_profile(profile, env, default_profile, path)
    if name in profiles:
        table = profiles[name]
        where = f"{_profile_header(name)} of {path}"
        warnings.extend(_unknown_key_warnings(table, PROFILE_KEYS, where))
    elif name_source is None:
        table, where = {}, f"{_profile_header(name)} of {path}"
    else:
        raise ConfigError(_unknown_profile_message(name, name_source, profiles, path))

    origin_file = f"profile {name!r} in {path}"
    chosen_url = _first(base_url, env.get(ENV_BASE_URL), _optional_str(table, "base_url", where))
    url = _checked_url(chosen_url, base_url, env, where)
    chosen_dialect = _dialect(dialect, env, table, where)
    chosen_account = _account_id(account_id, env, table, where)
    if chosen_dialect == "chatwoot" and chosen_account is None:
        raise ConfigError(
            f"The chatwoot dialect needs an account id (the number in the Chatwoot URL): set "
            f"account_id under {where}, or {ENV_ACCOUNT_ID}, or pass --account-id."
        )
    labels = _labels(table, where)

    key, key_source = _credential(env, ENV_API_KEY, table, "api_key", where, origin_file)
    secret, secret_source = "", None
    if chosen_dialect == "livedesk":
        secret, secret_source = _credential(
            env, ENV_API_SECRET, table, "api_secret", where, origin_file
        )
        command = _optional_str(table, "api_secret_command", where)
        if command and _optional_str(table, "api_secret", where):
            raise ConfigError(
                f"Both api_secret and api_secret_command are set under {where}; keep one."
            )
        if not secret and command:
            try:
                _refuse_if_others_can_write(path)
                secret = run_secret_command(command, where=where).reveal()
                secret_source = origin_file
            except ConfigError as exc:
                if require_credentials:
                    raise
                warnings.append(exc.message)

    if require_credentials:
        hint = ""
        if profiles and name not in profiles:
            hint = (
                f" The file has profiles {', '.join(repr(p) for p in profiles)}: choose one with "
                f"--profile, {ENV_PROFILE} or default_profile."
            )
        _require_credentials(chosen_dialect, key, secret, name, where, hint)

    warning = _permission_warning(path, document)
    if warning:
        warnings.append(warning)

    connection = Connection(
        base_url=url,
        api_key=Secret(key),
        api_secret=Secret(secret),
        dialect=chosen_dialect,
        account_id=chosen_account,
        origin=_origin(key_source, secret_source),
        profile=name,
        network=_network(ca_bundle, proxy, env, table, where),
    )
    return Settings(
        connection=connection,
        profile=name,
        profiles=tuple(profiles),
        config_path=path,
        theme=theme,
        keys=MappingProxyType(keys),
        label_suggestions=labels,
        warnings=tuple(warnings),
    )


@dataclass(frozen=True)
class Preferences:
    """What the config file says beyond any one profile's connection."""

    config_path: Path
    profiles: tuple[str, ...] = ()
    """Every profile name in the file, in file order."""
    theme: str | None = None
    keys: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    warnings: tuple[str, ...] = ()
    """What else is wrong in the file, one line each: a named file that does not exist, unknown
    settings, a profile ``load_settings`` would refuse (never with a credential's text)."""


def load_preferences(
    *, config_path: Path | None = None, env: Mapping[str, str] | None = None
) -> Preferences:
    """The theme, the ``[keys]`` and the profile names of the config file, and nothing else.

    Runs no ``api_secret_command`` and uses no credential: for ``--demo``, which needs no
    account but should look and answer keys as the user set it up, and for choosing a
    remembered profile before loading it. A missing file gives the defaults (with a warning
    when ``--config`` or ``LIVEDESK_CONFIG`` named it). Every profile is checked as
    ``load_settings`` would check it, and what it would refuse becomes a warning here, so that
    a broken file never goes unmentioned even when the theme and keys can be used.

    Raises:
        ConfigError: a file that cannot be read, is not a small regular file, is not TOML, or
            whose ``theme``, ``[keys]`` or ``profiles`` have the wrong type.
    """
    env = os.environ if env is None else env
    warnings: list[str] = []
    path, source = _choose_config_path(config_path, env)
    document = _read_config(path)
    if document is None:
        document = {}
        if source is not None:
            warnings.append(_missing_file_warning(path, source))
    profiles = _profiles_table(document, path)
    theme = _optional_str(document, "theme", f"{path}") or None
    keys = _keys_table(document, path)
    warnings.extend(_unknown_key_warnings(document, TOP_LEVEL_KEYS, f"the top level of {path}"))
    warnings.extend(_problems(lambda: _optional_str(document, "default_profile", f"{path}")))
    for name, table in profiles.items():
        warnings.extend(_profile_problems(name, table, path))
    warning = _permission_warning(path, document)
    if warning:
        warnings.append(warning)
    return Preferences(
        config_path=path,
        profiles=tuple(profiles),
        theme=theme,
        keys=MappingProxyType(keys),
        warnings=tuple(warnings),
    )


def run_secret_command(command: str, *, where: str = "the config file") -> Secret:
    """Run ``api_secret_command`` (split like a shell would, but with no shell) for the secret.

    The secret is the first line of its output, without its line ending (``\\n`` or
    ``\\r\\n``): ``pass show`` prints the password and a newline there, and notes on the lines
    after, which are ignored. Any other control character, a space or a character that is not
    ASCII in that line refuses it, as for a secret in the file. The command gets no input, its
    error output is discarded, and no message from here ever includes what it printed.

    The command runs in a session of its own: when it takes longer than
    ``SECRET_COMMAND_TIMEOUT`` seconds or prints more than ``SECRET_OUTPUT_LIMIT`` bytes, it is
    killed with every process it started (a ``gpg`` it called, a ``sleep`` of its own) and its
    output is dropped unread beyond the limit.

    Raises:
        ConfigError: the command cannot be parsed or run, fails, takes too long, prints too
            much, prints nothing, or prints a first line that cannot be a secret.
    """
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise ConfigError(f"api_secret_command under {where} cannot be parsed: {exc}.") from None
    if not argv:
        raise ConfigError(f"api_secret_command under {where} is empty.")
    program = argv[0]
    label = f"The secret command {program!r} (api_secret_command under {where})"
    status, output = _run_capped(argv, label)
    if status != 0:
        raise ConfigError(f"{label} failed with exit status {status}.")
    try:
        text = output.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None:
        raise ConfigError(f"{label} printed something that is not UTF-8 text.")
    secret = text.partition("\n")[0]
    secret = secret.removesuffix("\r")
    if not secret:
        raise ConfigError(
            f"{label} printed nothing (exit status 0); the secret must be its first line."
        )
    problem = _credential_problem(secret)
    if problem:
        raise ConfigError(
            f"{label} printed a first line that {problem}; the secret must be one line of "
            "printable ASCII with no spaces."
        )
    return Secret(secret)


def _run_capped(argv: list[str], label: str) -> tuple[int, bytes]:
    """Run ``argv`` in its own session; its exit status and at most ``SECRET_OUTPUT_LIMIT``
    bytes of its output. Its process group is killed when it overruns the time or the size."""
    import subprocess
    import threading
    import time

    limit, timeout = SECRET_OUTPUT_LIMIT, SECRET_COMMAND_TIMEOUT
    failure = ""
    try:
        process = subprocess.Popen(  # noqa: S603 - the user's own command, split without a shell
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=os.name == "posix",
        )
    except FileNotFoundError:
        failure = "was not found; check the program name and PATH"
    except OSError as exc:
        failure = f"could not be run: {exc.strerror or type(exc).__name__}"
    if failure:  # raised here, not in the except block, so no context holds the OSError
        raise ConfigError(f"{label} {failure}.")

    chunks: list[bytes] = []
    size = 0
    ended = threading.Event()

    def pump() -> None:
        """Read until the end or just past the limit; the pipe is closed here, never while
        this thread may still be reading it."""
        nonlocal size
        stream = process.stdout
        assert stream is not None
        try:
            while size <= limit:
                chunk = os.read(stream.fileno(), min(65536, limit + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        except OSError:
            pass
        finally:
            ended.set()
            stream.close()

    deadline = time.monotonic() + timeout
    reader = threading.Thread(target=pump, name="api_secret_command output", daemon=True)
    reader.start()
    status: int | None = None
    if not ended.wait(timeout):
        failure = f"did not finish within {timeout:g} s and was stopped"
    elif size > limit:
        failure = (
            f"printed more than {limit // 1024} KiB and was stopped; the secret must be the "
            "first line of a short output"
        )
    else:
        try:
            status = process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:  # it closed its output but went on running
            failure = f"did not finish within {timeout:g} s and was stopped"
    if failure or status is None:
        _kill_group(process)
        process.wait()
        reader.join(1.0)  # the pipe ends once the group is gone
        chunks.clear()
        raise ConfigError(f"{label} {failure}.")
    reader.join()
    return status, b"".join(chunks)


def _kill_group(process: Any) -> None:
    """Kill ``process`` and every process of its group (not yet reaped, so its id is still its
    group's)."""
    import signal

    try:
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except OSError:
        pass


def save_profile(
    path: Path,
    name: str,
    *,
    base_url: str,
    api_key: str | Secret = "",
    api_secret: str | Secret = "",
    api_secret_command: str = "",
    dialect: str = "livedesk",
    account_id: int | None = None,
    make_default: bool = False,
) -> None:
    """Write one profile into the config file, creating the file with mode 0600 if needed.

    The profile's connection settings (base URL, dialect, account id, key, secret or secret
    command) are replaced by the ones given, empty ones removed; its other settings (``labels``)
    and every other profile, ``[keys]`` and ``theme`` are kept. The first profile written to a
    file that names no ``default_profile`` becomes the default. Comments in the file are not
    kept. The file is replaced atomically and left with mode 0600 (see ``paths.write_private``).

    Raises:
        ConfigError: an invalid value, or an existing file that cannot be read or parsed (it is
            then left untouched), or the file cannot be written.
    """
    key_text = api_key.reveal() if isinstance(api_key, Secret) else api_key
    secret_text = api_secret.reveal() if isinstance(api_secret, Secret) else api_secret
    if not name.strip():
        raise ConfigError("A profile needs a name.")
    url = check_base_url(base_url)
    if dialect not in DIALECTS:
        raise ConfigError(f"dialect must be one of {', '.join(DIALECTS)}, not {dialect!r}.")
    if secret_text and api_secret_command:
        raise ConfigError("Give api_secret or api_secret_command, not both.")
    for setting, value in (("api_key", key_text), ("api_secret", secret_text)):
        if value:
            _check_credential(value, setting)
    if account_id is not None:
        account_id = _positive_int(account_id, "account_id")
    if dialect == "chatwoot" and account_id is None:
        raise ConfigError("The chatwoot dialect needs an account id (account_id).")
    if api_secret_command:
        try:
            shlex.split(api_secret_command)
        except ValueError as exc:
            raise ConfigError(f"api_secret_command cannot be parsed: {exc}.") from None

    document = _read_config(path) or {}
    profiles = document.get("profiles", {})
    if not isinstance(profiles, dict):
        raise ConfigError(f"profiles in {path} must be a table; fix it before saving a profile.")
    old = profiles.get(name)
    kept = (
        {k: v for k, v in old.items() if k not in _CONNECTION_KEYS} if isinstance(old, dict) else {}
    )
    entry: dict[str, Any] = {"base_url": url, "dialect": dialect}
    if account_id is not None:
        entry["account_id"] = account_id
    if key_text:
        entry["api_key"] = key_text
    if secret_text:
        entry["api_secret"] = secret_text
    if api_secret_command:
        entry["api_secret_command"] = api_secret_command
    entry.update(kept)
    profiles = {**profiles, name: entry}

    default = document.get("default_profile")
    if make_default or (default is None and len(profiles) == 1):
        default = name
    new_document: dict[str, Any] = {} if default is None else {"default_profile": default}
    new_document.update(
        (k, v) for k, v in document.items() if k not in ("default_profile", "profiles")
    )
    new_document["profiles"] = profiles

    header = (
        "# livedesk-tui configuration: profiles, [keys] and theme.\n"
        "# It may hold API secrets: keep it readable by you only (chmod 600).\n"
    )
    try:
        data = (header + dumps_toml(new_document)).encode("utf-8")
    except UnicodeEncodeError:
        raise ConfigError("A value given for the profile is not valid text.") from None
    try:
        paths.write_private(path, data)
    except OSError as exc:
        raise ConfigError(f"Cannot write the config file {path}: {exc.strerror or exc}.") from None


# --- reading -------------------------------------------------------------------------------


def _choose_config_path(
    config_path: Path | None, env: Mapping[str, str]
) -> tuple[Path, str | None]:
    """The file to read and who named it (None for the platformdirs default)."""
    if config_path is not None:
        return Path(config_path).expanduser(), "--config"
    if env.get(ENV_CONFIG):
        return Path(env[ENV_CONFIG]).expanduser(), ENV_CONFIG
    return paths.default_config_path(), None


def _missing_file_warning(path: Path, source: str) -> str:
    return (
        f"The config file {path} (from {source}) does not exist; "
        "using the defaults and the environment."
    )


def _read_config(path: Path) -> dict[str, Any] | None:
    """The parsed file, or None when there is no file."""
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


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, datetime | date | time):
        return "a date or time"
    return type(value).__name__


def _optional_str(table: Mapping[str, Any], key: str, where: str) -> str:
    """A string setting, "" when absent; never echoes the value (it may be a secret)."""
    value = table.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ConfigError(
            f'{key} under {where} must be a string in quotes, e.g. {key} = "...", '
            f"not {_type_name(value)}."
        )
    return value


def _keys_table(document: Mapping[str, Any], path: Path) -> dict[str, str]:
    value = document.get("keys", {})
    if not isinstance(value, dict):
        raise ConfigError(
            f'keys in {path} must be a table of binding ids to keys, e.g. [keys] next_page = "n", '
            f"not {_type_name(value)}."
        )
    for binding, keys in value.items():
        if not isinstance(keys, str):
            raise ConfigError(
                f'{binding} under [keys] of {path} must be a string of keys, e.g. "n,right", '
                f"not {_type_name(keys)}."
            )
    return dict(value)


def _profiles_table(document: Mapping[str, Any], path: Path) -> dict[str, dict[str, Any]]:
    value = document.get("profiles", {})
    if not isinstance(value, dict):
        raise ConfigError(
            f"profiles in {path} must be a table of profiles, e.g. [profiles.work], "
            f"not {_type_name(value)}."
        )
    for name, table in value.items():
        if not isinstance(table, dict):
            raise ConfigError(
                f"Profile {name!r} in {path} must be a table ({_profile_header(name)}), "
                f"not {_type_name(table)}."
            )
    return value


def _choose_profile(
    argument: str | None, env: Mapping[str, str], default_profile: str, path: Path
) -> tuple[str, str | None]:
    """The profile name and who named it (None when nobody did and "default" is assumed)."""
    if argument:
        return argument, "--profile"
    if env.get(ENV_PROFILE):
        return env[ENV_PROFILE], ENV_PROFILE
    if default_profile:
        return default_profile, f"default_profile in {path}"
    return DEFAULT_PROFILE, None


def _unknown_profile_message(
    name: str, source: str, profiles: Mapping[str, Any], path: Path
) -> str:
    if profiles:
        there = "profiles there: " + ", ".join(repr(p) for p in profiles)
    elif path.exists():
        there = "it defines no profiles"
    else:
        there = "the file does not exist"
    return (
        f"There is no profile {name!r} (named by {source}) in {path}; {there}. "
        f"Add a {_profile_header(name)} table or choose another profile."
    )


def _unknown_key_warnings(
    table: Mapping[str, Any], known: tuple[str, ...], where: str
) -> list[str]:
    import difflib

    found: list[str] = []
    for key in table:
        if key in known:
            continue
        hint = difflib.get_close_matches(key, known, n=1)
        if hint:
            suggestion = f" (did you mean {hint[0]!r}?)"
        elif key in PROFILE_KEYS:
            suggestion = " (profile settings go under [profiles.NAME])"
        else:
            suggestion = ""
        found.append(f"Unknown setting {key!r} in {where} is ignored{suggestion}.")
    return found


def _first(*values: str | None) -> str:
    for value in values:
        if value:
            return value
    return ""


def _checked_url(chosen: str, argument: str | None, env: Mapping[str, str], where: str) -> str:
    if not chosen:
        return DEFAULT_BASE_URL
    if argument:
        source = "--base-url"
    elif env.get(ENV_BASE_URL):
        source = ENV_BASE_URL
    else:
        source = f"base_url under {where}"
    try:
        return check_base_url(chosen)
    except ConfigError as exc:
        raise ConfigError(f"{exc.message} (from {source})") from None


def _dialect(
    argument: str | None, env: Mapping[str, str], table: Mapping[str, Any], where: str
) -> Dialect:
    if argument:
        value, source = argument, "--dialect"
    elif env.get(ENV_DIALECT):
        value, source = env[ENV_DIALECT], ENV_DIALECT
    else:
        value, source = _optional_str(table, "dialect", where), f"dialect under {where}"
    if not value:
        return "livedesk"
    for dialect in DIALECTS:
        if value.strip().lower() == dialect:
            return dialect
    raise ConfigError(f"{source} must be one of {', '.join(DIALECTS)}, not {value!r}.")


def _network(
    ca_bundle: Path | None,
    proxy: str | None,
    env: Mapping[str, str],
    table: Mapping[str, Any],
    where: str,
) -> NetworkSettings:
    """The profile's trust and proxy settings: the flag, else the variable, else the file."""
    from .api.network import NO_PROXY_WORDS, parse_proxy

    bundle_text, bundle_origin = _first_with_origin(
        (str(ca_bundle) if ca_bundle is not None else None, "--ca-bundle"),
        (env.get(ENV_CA_BUNDLE), ENV_CA_BUNDLE),
        (_optional_str(table, "ca_bundle", where), f"ca_bundle under {where}"),
    )
    bundle = Path(bundle_text).expanduser() if bundle_text else None
    if bundle is not None and not bundle.exists():
        raise ConfigError(f"The CA bundle {bundle} ({bundle_origin}) does not exist.")
    proxy_text, proxy_origin = _first_with_origin(
        (proxy, "--proxy"),
        (env.get(ENV_PROXY), ENV_PROXY),
        (_optional_str(table, "proxy", where), f"proxy under {where}"),
    )
    if proxy_text and proxy_text.strip().lower() not in NO_PROXY_WORDS:
        parse_proxy(proxy_text, proxy_origin)  # refused now, naming the setting
    return NetworkSettings(
        ca_bundle=bundle,
        ca_bundle_origin=bundle_origin,
        proxy=Secret(proxy_text) if proxy_text else None,
        proxy_origin=proxy_origin,
    )


def _first_with_origin(*choices: tuple[str | None, str]) -> tuple[str, str]:
    for value, origin in choices:
        if value is not None and value.strip():
            return value.strip(), origin
    return "", ""


def _positive_int(value: object, source: str) -> int:
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    if number is None or number <= 0:
        shown = repr(value) if isinstance(value, str | int) else _type_name(value)
        raise ConfigError(f"{source} must be a positive whole number, not {shown}.")
    return number


def _account_id(
    argument: int | None, env: Mapping[str, str], table: Mapping[str, Any], where: str
) -> int | None:
    if argument is not None:
        return _positive_int(argument, "--account-id")
    if env.get(ENV_ACCOUNT_ID):
        return _positive_int(env[ENV_ACCOUNT_ID], ENV_ACCOUNT_ID)
    if table.get("account_id") is not None:
        return _positive_int(table["account_id"], f"account_id under {where}")
    return None


def _labels(table: Mapping[str, Any], where: str) -> tuple[str, ...]:
    value = table.get("labels")
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(
            f'labels under {where} must be a list of strings, e.g. labels = ["vip", "billing"].'
        )
    seen: dict[str, None] = {}
    for item in value:
        if item.strip():
            seen.setdefault(item.strip(), None)
    return tuple(seen)


def _credential(
    env: Mapping[str, str],
    env_name: str,
    table: Mapping[str, Any],
    key: str,
    where: str,
    origin_file: str,
) -> tuple[str, str | None]:
    """One credential and where it came from; the environment wins over the file."""
    value = _file_credential(table, key, where)  # checked even when the environment wins
    if env.get(env_name):
        _check_credential(env[env_name], env_name)
        return env[env_name], env_name
    return (value, origin_file) if value else ("", None)


def _file_credential(table: Mapping[str, Any], key: str, where: str) -> str:
    value = _optional_str(table, key, where)
    if value:
        _check_credential(value, f"{key} under {where}")
    return value


_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def _credential_problem(value: str) -> str:
    """What makes ``value`` unusable as a key or secret, in words that never quote it; "" when
    it is one line of printable ASCII with no spaces (as every issued key and token is).

    A header cannot carry a line break (h11 refuses it, quoting the value in its error) nor a
    character that is not ASCII; a space or a control character is a paste gone wrong.
    """
    if value.isascii() and value.isprintable() and " " not in value:
        return ""
    if value[-1:] in _LINE_BREAKS:
        return "ends with a line break"
    if any(char in _LINE_BREAKS for char in value):
        return "holds a line break"
    if any(ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0 for char in value):
        return "holds a control character"
    if any(char.isspace() for char in value):
        return "holds a space or other whitespace"
    return "holds a character that is not ASCII (a typographic quote or an accent, say)"


def _check_credential(value: str, setting: str) -> None:
    """Refuse a credential that cannot be right, naming ``setting`` (and where it is set)."""
    problem = _credential_problem(value)
    if problem:
        raise ConfigError(
            f"{setting} {problem}: a key or secret is one line of printable ASCII with no "
            "spaces; copy it again without the extra characters."
        )


def _origin(key_source: str | None, secret_source: str | None) -> str:
    """Where the credentials came from, for messages; names places, never values."""
    if key_source is None and secret_source is None:
        return "no credentials"
    if key_source == ENV_API_KEY and secret_source == ENV_API_SECRET:
        return f"{ENV_API_KEY} / {ENV_API_SECRET}"
    parts: list[str] = []
    for source in (key_source, secret_source):
        if source and source not in parts:
            parts.append(source)
    return " and ".join(parts)


def _require_credentials(
    dialect: Dialect, key: str, secret: str, name: str, where: str, hint: str
) -> None:
    if dialect == "chatwoot":
        if not key:
            raise ConfigError(
                f"No access token for the Chatwoot profile {name!r}: put api_key under {where}, "
                f"or set {ENV_API_KEY}.{hint}"
            )
        return
    missing = [label for label, value in (("API key", key), ("API secret", secret)) if not value]
    if not missing:
        return
    settings_names = []
    env_names = []
    if not key:
        settings_names.append("api_key")
        env_names.append(ENV_API_KEY)
    if not secret:
        settings_names.append("api_secret (or api_secret_command)")
        env_names.append(ENV_API_SECRET)
    raise ConfigError(
        f"No {' and '.join(missing)} for the LiveDesk profile {name!r}: put "
        f"{' and '.join(settings_names)} under {where}, or set {' and '.join(env_names)}. "
        f"Keys come from the LiveDesk console (Project Settings, API management).{hint}"
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


def _permission_warning(path: Path, document: Mapping[str, Any]) -> str | None:
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


def _refuse_if_others_can_write(path: Path) -> None:
    """Whoever can edit the file can make ``api_secret_command`` run anything as this user."""
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


def _problems(check: Any) -> list[str]:
    """The message of the ConfigError ``check()`` raises, as a list of one; else []."""
    try:
        check()
    except ConfigError as exc:
        return [exc.message]
    return []


def _profile_problems(name: str, table: Mapping[str, Any], path: Path) -> list[str]:
    """What ``load_settings`` would refuse or warn about in one profile, without running its
    ``api_secret_command`` or looking at the environment: one line each."""
    where = f"{_profile_header(name)} of {path}"
    found = _unknown_key_warnings(table, PROFILE_KEYS, where)
    found += _problems(
        lambda: _checked_url(_optional_str(table, "base_url", where), None, {}, where)
    )
    found += _problems(lambda: _dialect(None, {}, table, where))
    found += _problems(lambda: _account_id(None, {}, table, where))
    found += _problems(lambda: _labels(table, where))
    found += _problems(lambda: _network(None, None, {}, table, where))
    for key in ("api_key", "api_secret"):
        found += _problems(lambda key=key: _file_credential(table, key, where))
    found += _problems(lambda: _secret_command_problem(table, where))
    return found


def _secret_command_problem(table: Mapping[str, Any], where: str) -> None:
    command = _optional_str(table, "api_secret_command", where)
    if not command:
        return
    if _optional_str(table, "api_secret", where):
        raise ConfigError(
            f"Both api_secret and api_secret_command are set under {where}; keep one."
        )
    try:
        shlex.split(command)
    except ValueError as exc:
        raise ConfigError(f"api_secret_command under {where} cannot be parsed: {exc}.") from None


def _profile_header(name: str) -> str:
    return f"[profiles.{_toml_key(name)}]"


# --- writing TOML --------------------------------------------------------------------------

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _toml_string(key)


def _toml_string(text: str) -> str:
    # A JSON string is a valid TOML basic string, except that TOML also wants DEL escaped.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, Mapping):
        items = ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    raise ConfigError(f"A value of type {type(value).__name__} cannot be written to TOML.")


def dumps_toml(document: Mapping[str, Any]) -> str:
    """Serialise what ``tomllib`` reads back as the same data: tables with headers, arrays inline.

    Enough for a config file (strings, numbers, booleans, dates, lists, nested tables); not a
    general TOML writer that keeps comments or layout.
    """
    lines: list[str] = []
    _emit_table(lines, (), document)
    return "\n".join(lines) + "\n"


def _emit_table(lines: list[str], path: tuple[str, ...], table: Mapping[str, Any]) -> None:
    plain = [(k, v) for k, v in table.items() if not isinstance(v, Mapping)]
    nested = [(k, v) for k, v in table.items() if isinstance(v, Mapping)]
    if path and (plain or not nested):
        if lines:
            lines.append("")
        lines.append("[" + ".".join(_toml_key(part) for part in path) + "]")
    for key, value in plain:
        lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    for key, value in nested:
        _emit_table(lines, (*path, key), value)
