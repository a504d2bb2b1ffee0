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

DEFAULT_PROFILE = "default"
SECRET_COMMAND_TIMEOUT = 10.0
"""Seconds an ``api_secret_command`` may take before it is killed."""

TOP_LEVEL_KEYS = ("default_profile", "theme", "keys", "profiles")
PROFILE_KEYS = (
    "base_url",
    "api_key",
    "api_secret",
    "api_secret_command",
    "dialect",
    "account_id",
    "labels",
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
        env: the environment to read (``os.environ`` when None).
        require_credentials: when False, missing credentials are not an error and a failing
            ``api_secret_command`` becomes a warning (for the demo mode and for screens that
            only need the theme and keys).

    Raises:
        ConfigError: an unreadable or malformed file, a value of the wrong type, an unknown
            profile, a refused base URL, a failed secret command, or missing credentials; the
            message says which setting to fix and where.
    """
    env = os.environ if env is None else env
    warnings: list[str] = []
    path, path_source = _choose_config_path(config_path, env)
    document = _read_config(path)
    if document is None:
        document = {}
        if path_source is not None:
            warnings.append(
                f"The config file {path} (from {path_source}) does not exist; "
                "using the defaults and the environment."
            )
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


def load_preferences(
    *, config_path: Path | None = None, env: Mapping[str, str] | None = None
) -> Preferences:
    """The theme, the ``[keys]`` and the profile names of the config file, and nothing else.

    Reads no credentials and runs no ``api_secret_command``: for ``--demo``, which needs no
    account but should look and answer keys as the user set it up, and for choosing a
    remembered profile before loading it. A missing file gives the defaults.

    Raises:
        ConfigError: as ``load_settings`` for an unreadable or malformed file.
    """
    env = os.environ if env is None else env
    path, _source = _choose_config_path(config_path, env)
    document = _read_config(path) or {}
    return Preferences(
        config_path=path,
        profiles=tuple(_profiles_table(document, path)),
        theme=_optional_str(document, "theme", f"{path}") or None,
        keys=MappingProxyType(_keys_table(document, path)),
    )


def run_secret_command(command: str, *, where: str = "the config file") -> Secret:
    """Run ``api_secret_command`` (split like a shell would, but with no shell) for the secret.

    The first line of its output, without the line ending, is the secret: ``pass show`` puts
    the password there and notes on the lines after. The command gets no input and its error
    output is discarded, and no message from here ever includes what it printed.

    Raises:
        ConfigError: the command cannot be parsed or run, fails, takes longer than
            ``SECRET_COMMAND_TIMEOUT`` seconds, or prints nothing.
    """
    import subprocess

    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise ConfigError(f"api_secret_command under {where} cannot be parsed: {exc}.") from None
    if not argv:
        raise ConfigError(f"api_secret_command under {where} is empty.")
    program = argv[0]
    label = f"The secret command {program!r} (api_secret_command under {where})"
    try:
        done = subprocess.run(  # noqa: S603 - the user's own command, split without a shell
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            timeout=SECRET_COMMAND_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        raise ConfigError(f"{label} was not found; check the program name and PATH.") from None
    except subprocess.TimeoutExpired:
        raise ConfigError(
            f"{label} did not finish within {SECRET_COMMAND_TIMEOUT:g} s and was stopped."
        ) from None
    except OSError as exc:
        raise ConfigError(
            f"{label} could not be run: {exc.strerror or type(exc).__name__}."
        ) from None
    if done.returncode != 0:
        raise ConfigError(f"{label} failed with exit status {done.returncode}.")
    try:
        text = done.stdout.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{label} printed something that is not UTF-8 text.") from None
    lines = text.splitlines()
    secret = lines[0] if lines else ""
    if not secret:
        raise ConfigError(
            f"{label} printed nothing (exit status 0); the secret must be its first line."
        )
    return Secret(secret)


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


def _read_config(path: Path) -> dict[str, Any] | None:
    """The parsed file, or None when there is no file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise ConfigError(f"The config file {path} is a directory, not a file.") from None
    except OSError as exc:
        raise ConfigError(f"Cannot read the config file {path}: {exc.strerror or exc}.") from None
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
    value = _optional_str(table, key, where)  # checked even when the environment wins
    if env.get(env_name):
        return env[env_name], env_name
    return (value, origin_file) if value else ("", None)


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
