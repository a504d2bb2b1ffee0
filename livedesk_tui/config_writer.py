"""Writing a profile into the config file (``save_profile``) and the TOML serialiser it uses."""

from __future__ import annotations

import json
import math
import re
import shlex
from collections.abc import Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from . import paths
from .api.connection import DIALECTS, Secret, check_base_url
from .api.errors import ConfigError
from .config_file import read_config
from .config_values import check_credential, positive_int

_CONNECTION_KEYS = (
    "base_url",
    "dialect",
    "account_id",
    "api_key",
    "api_secret",
    "api_secret_command",
)


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
            check_credential(value, setting)
    if account_id is not None:
        account_id = positive_int(account_id, "account_id")
    if dialect == "chatwoot" and account_id is None:
        raise ConfigError("The chatwoot dialect needs an account id (account_id).")
    if api_secret_command:
        try:
            shlex.split(api_secret_command)
        except ValueError as exc:
            raise ConfigError(f"api_secret_command cannot be parsed: {exc}.") from None

    document = read_config(path) or {}
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
