"""One profile's connection settings, each from its flag, else its variable, else the file.

``settings`` picks the config file and the profile; here each setting of that profile (base
URL, dialect, account id, CA bundle, proxy, key and secret) is taken from the highest layer
that gives it and checked, and a refusal names the layer it came from (``--dialect``,
``LIVEDESK_DIALECT``, ``dialect under [profiles.work] of ...``), never a credential's text.
``profile_problems`` runs the same checks on a profile's table alone, without the environment
or its ``api_secret_command``, for the warnings of ``load_preferences``.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .api.connection import (
    DEFAULT_BASE_URL,
    DIALECTS,
    Dialect,
    NetworkSettings,
    Secret,
    check_base_url,
)
from .api.errors import ConfigError
from .config_values import (
    PROFILE_KEYS,
    check_credential,
    label_suggestions,
    optional_str,
    positive_int,
    profile_header,
    unknown_key_warnings,
)

ENV_BASE_URL = "LIVEDESK_BASE_URL"
ENV_API_KEY = "LIVEDESK_API_KEY"
ENV_API_SECRET = "LIVEDESK_API_SECRET"  # noqa: S105 - the variable's name, not a secret
ENV_DIALECT = "LIVEDESK_DIALECT"
ENV_ACCOUNT_ID = "LIVEDESK_ACCOUNT_ID"
ENV_CA_BUNDLE = "LIVEDESK_CA_BUNDLE"
ENV_PROXY = "LIVEDESK_PROXY"


def _first(*values: str | None) -> str:
    for value in values:
        if value:
            return value
    return ""


def choose_base_url(
    argument: str | None, env: Mapping[str, str], table: Mapping[str, Any], where: str
) -> str:
    """The base URL: ``--base-url``, else ``LIVEDESK_BASE_URL``, else the profile's, else the
    default; refused (naming where it came from) when it is not one the client may use."""
    chosen = _first(argument, env.get(ENV_BASE_URL), optional_str(table, "base_url", where))
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


def choose_dialect(
    argument: str | None, env: Mapping[str, str], table: Mapping[str, Any], where: str
) -> Dialect:
    """The server's dialect: ``--dialect``, else ``LIVEDESK_DIALECT``, else the profile's, else
    ``livedesk``; its letter case does not matter."""
    if argument:
        value, source = argument, "--dialect"
    elif env.get(ENV_DIALECT):
        value, source = env[ENV_DIALECT], ENV_DIALECT
    else:
        value, source = optional_str(table, "dialect", where), f"dialect under {where}"
    if not value:
        return "livedesk"
    for dialect in DIALECTS:
        if value.strip().lower() == dialect:
            return dialect
    raise ConfigError(f"{source} must be one of {', '.join(DIALECTS)}, not {value!r}.")


def choose_network(
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
        (optional_str(table, "ca_bundle", where), f"ca_bundle under {where}"),
    )
    bundle = Path(bundle_text).expanduser() if bundle_text else None
    if bundle is not None and not bundle.exists():
        raise ConfigError(f"The CA bundle {bundle} ({bundle_origin}) does not exist.")
    proxy_text, proxy_origin = _first_with_origin(
        (proxy, "--proxy"),
        (env.get(ENV_PROXY), ENV_PROXY),
        (optional_str(table, "proxy", where), f"proxy under {where}"),
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


def choose_account_id(
    argument: int | None, env: Mapping[str, str], table: Mapping[str, Any], where: str
) -> int | None:
    """The Chatwoot account id: ``--account-id``, else ``LIVEDESK_ACCOUNT_ID``, else the
    profile's; None when none of them gives one."""
    if argument is not None:
        return positive_int(argument, "--account-id")
    if env.get(ENV_ACCOUNT_ID):
        return positive_int(env[ENV_ACCOUNT_ID], ENV_ACCOUNT_ID)
    if table.get("account_id") is not None:
        return positive_int(table["account_id"], f"account_id under {where}")
    return None


def credential(
    env: Mapping[str, str],
    env_name: str,
    table: Mapping[str, Any],
    key: str,
    where: str,
    origin_file: str,
) -> tuple[str, str | None]:
    """One credential and where it came from; the environment wins over the file."""
    value = file_credential(table, key, where)  # checked even when the environment wins
    if env.get(env_name):
        check_credential(env[env_name], env_name)
        return env[env_name], env_name
    return (value, origin_file) if value else ("", None)


def file_credential(table: Mapping[str, Any], key: str, where: str) -> str:
    """The credential ``key`` of the profile's table, checked; "" when it has none."""
    value = optional_str(table, key, where)
    if value:
        check_credential(value, f"{key} under {where}")
    return value


def credentials_origin(key_source: str | None, secret_source: str | None) -> str:
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


def refuse_missing_credentials(
    dialect: Dialect, key: str, secret: str, name: str, where: str, hint: str
) -> None:
    """Refuse a profile without the credentials its dialect needs, saying where to put them."""
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


def problems(check: Any) -> list[str]:
    """The message of the ConfigError ``check()`` raises, as a list of one; else []."""
    try:
        check()
    except ConfigError as exc:
        return [exc.message]
    return []


def profile_problems(name: str, table: Mapping[str, Any], path: Path) -> list[str]:
    """What ``load_settings`` would refuse or warn about in one profile, without running its
    ``api_secret_command`` or looking at the environment: one line each."""
    where = f"{profile_header(name)} of {path}"
    found = unknown_key_warnings(table, PROFILE_KEYS, where)
    found += problems(lambda: choose_base_url(None, {}, table, where))
    found += problems(lambda: choose_dialect(None, {}, table, where))
    found += problems(lambda: choose_account_id(None, {}, table, where))
    found += problems(lambda: label_suggestions(table, where))
    found += problems(lambda: choose_network(None, None, {}, table, where))
    for key in ("api_key", "api_secret"):
        found += problems(lambda key=key: file_credential(table, key, where))
    found += problems(lambda: _secret_command_problem(table, where))
    return found


def _secret_command_problem(table: Mapping[str, Any], where: str) -> None:
    command = optional_str(table, "api_secret_command", where)
    if not command:
        return
    if optional_str(table, "api_secret", where):
        raise ConfigError(
            f"Both api_secret and api_secret_command are set under {where}; keep one."
        )
    try:
        shlex.split(command)
    except ValueError as exc:
        raise ConfigError(f"api_secret_command under {where} cannot be parsed: {exc}.") from None
