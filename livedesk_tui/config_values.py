"""The checks of one value of the config file, the environment or a flag, apart from the layering.

``settings`` decides which layer a setting comes from; what a value of each kind must look like
(a string, a table of keys, a positive whole number, a credential of printable ASCII) is checked
here, so the secret command can refuse its output by the same rule as a secret in the file, and
every refusal names the setting and where it is set in the same words. No message built here
ever quotes a value that may be a credential.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from .api.errors import ConfigError

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


def type_name(value: object) -> str:
    """What kind of TOML value ``value`` is, in a person's words, never the value itself."""
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


def optional_str(table: Mapping[str, Any], key: str, where: str) -> str:
    """A string setting, "" when absent; never echoes the value (it may be a secret)."""
    value = table.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ConfigError(
            f'{key} under {where} must be a string in quotes, e.g. {key} = "...", '
            f"not {type_name(value)}."
        )
    return value


def keys_table(document: Mapping[str, Any], path: Path) -> dict[str, str]:
    """The ``[keys]`` table of the file: binding id -> comma-separated keys."""
    value = document.get("keys", {})
    if not isinstance(value, dict):
        raise ConfigError(
            f'keys in {path} must be a table of binding ids to keys, e.g. [keys] next_page = "n", '
            f"not {type_name(value)}."
        )
    for binding, keys in value.items():
        if not isinstance(keys, str):
            raise ConfigError(
                f'{binding} under [keys] of {path} must be a string of keys, e.g. "n,right", '
                f"not {type_name(keys)}."
            )
    return dict(value)


def profiles_table(document: Mapping[str, Any], path: Path) -> dict[str, dict[str, Any]]:
    """The ``[profiles]`` of the file, each one a table, in file order."""
    value = document.get("profiles", {})
    if not isinstance(value, dict):
        raise ConfigError(
            f"profiles in {path} must be a table of profiles, e.g. [profiles.work], "
            f"not {type_name(value)}."
        )
    for name, table in value.items():
        if not isinstance(table, dict):
            raise ConfigError(
                f"Profile {name!r} in {path} must be a table ({profile_header(name)}), "
                f"not {type_name(table)}."
            )
    return value


def unknown_key_warnings(table: Mapping[str, Any], known: tuple[str, ...], where: str) -> list[str]:
    """One warning for each key of ``table`` not in ``known``, with the likely one meant."""
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


def positive_int(value: object, source: str) -> int:
    """``value`` (a number, or digits from the environment) as a whole number above 0."""
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    if number is None or number <= 0:
        shown = repr(value) if isinstance(value, str | int) else type_name(value)
        raise ConfigError(f"{source} must be a positive whole number, not {shown}.")
    return number


def label_suggestions(table: Mapping[str, Any], where: str) -> tuple[str, ...]:
    """The profile's label suggestions, stripped, without blanks or repeats, in file order."""
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


_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def credential_problem(value: str) -> str:
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


def check_credential(value: str, setting: str) -> None:
    """Refuse a credential that cannot be right, naming ``setting`` (and where it is set)."""
    problem = credential_problem(value)
    if problem:
        raise ConfigError(
            f"{setting} {problem}: a key or secret is one line of printable ASCII with no "
            "spaces; copy it again without the extra characters."
        )


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def profile_header(name: str) -> str:
    """The TOML table header of profile ``name``, quoted when the name needs it."""
    return f"[profiles.{_toml_key(name)}]"


def _toml_key(key: str) -> str:
    if _BARE_KEY.fullmatch(key):
        return key
    # A JSON string is a valid TOML basic string, except that TOML also wants DEL escaped.
    return json.dumps(key, ensure_ascii=False).replace("\x7f", "\\u007f")
