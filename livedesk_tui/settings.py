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

This module is the layering and the public names; the parts it layers live beside it, each
doing one thing: ``config_file`` (which file, read safely, and its permissions),
``config_values`` (what one value must look like), ``profile_settings`` (each setting of a
profile from its flag, variable or table) and ``secret_command`` (running
``api_secret_command`` within bounds).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from . import paths
from .api.connection import Connection, Secret
from .api.errors import ConfigError
from .config_file import (
    ENV_CONFIG,
    choose_config_path,
    missing_file_warning,
    permission_warning,
    read_config,
    refuse_if_others_can_write,
)
from .config_values import (
    PROFILE_KEYS,
    TOP_LEVEL_KEYS,
    keys_table,
    label_suggestions,
    optional_str,
    profile_header,
    profiles_table,
    unknown_key_warnings,
)
from .profile_settings import (
    ENV_ACCOUNT_ID,
    ENV_API_KEY,
    ENV_API_SECRET,
    ENV_BASE_URL,
    ENV_CA_BUNDLE,
    ENV_DIALECT,
    ENV_PROXY,
    choose_account_id,
    choose_base_url,
    choose_dialect,
    choose_network,
    credential,
    credentials_origin,
    problems,
    profile_problems,
    refuse_missing_credentials,
)
from .secret_command import run_secret_command

__all__ = [
    "DEFAULT_PROFILE",
    "ENV_ACCOUNT_ID",
    "ENV_API_KEY",
    "ENV_API_SECRET",
    "ENV_BASE_URL",
    "ENV_CA_BUNDLE",
    "ENV_CONFIG",
    "ENV_DIALECT",
    "ENV_PROFILE",
    "ENV_PROXY",
    "PROFILE_KEYS",
    "TOP_LEVEL_KEYS",
    "Preferences",
    "Settings",
    "load_preferences",
    "load_settings",
]

ENV_PROFILE = "LIVEDESK_PROFILE"

DEFAULT_PROFILE = "default"


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
    path, path_source = choose_config_path(config_path, env)
    document = read_config(path)
    if document is None:
        document = {}
        if path_source is not None:
            warnings.append(missing_file_warning(path, path_source))
    warnings.extend(unknown_key_warnings(document, TOP_LEVEL_KEYS, f"the top level of {path}"))

    default_profile = optional_str(document, "default_profile", f"{path}")
    theme = optional_str(document, "theme", f"{path}") or None
    keys = keys_table(document, path)
    profiles = profiles_table(document, path)

    name, name_source = _choose_profile(profile, env, default_profile, path)
    if name in profiles:
        table = profiles[name]
        where = f"{profile_header(name)} of {path}"
        warnings.extend(unknown_key_warnings(table, PROFILE_KEYS, where))
    elif name_source is None:
        table, where = {}, f"{profile_header(name)} of {path}"
    else:
        raise ConfigError(_unknown_profile_message(name, name_source, profiles, path))

    origin_file = f"profile {name!r} in {path}"
    url = choose_base_url(base_url, env, table, where)
    chosen_dialect = choose_dialect(dialect, env, table, where)
    chosen_account = choose_account_id(account_id, env, table, where)
    if chosen_dialect == "chatwoot" and chosen_account is None:
        raise ConfigError(
            f"The chatwoot dialect needs an account id (the number in the Chatwoot URL): set "
            f"account_id under {where}, or {ENV_ACCOUNT_ID}, or pass --account-id."
        )
    labels = label_suggestions(table, where)

    key, key_source = credential(env, ENV_API_KEY, table, "api_key", where, origin_file)
    secret, secret_source = "", None
    if chosen_dialect == "livedesk":
        secret, secret_source = credential(
            env, ENV_API_SECRET, table, "api_secret", where, origin_file
        )
        command = optional_str(table, "api_secret_command", where)
        if command and optional_str(table, "api_secret", where):
            raise ConfigError(
                f"Both api_secret and api_secret_command are set under {where}; keep one."
            )
        if not secret and command:
            try:
                refuse_if_others_can_write(path)
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
        refuse_missing_credentials(chosen_dialect, key, secret, name, where, hint)

    warning = permission_warning(path, document)
    if warning:
        warnings.append(warning)

    connection = Connection(
        base_url=url,
        api_key=Secret(key),
        api_secret=Secret(secret),
        dialect=chosen_dialect,
        account_id=chosen_account,
        origin=credentials_origin(key_source, secret_source),
        profile=name,
        network=choose_network(ca_bundle, proxy, env, table, where),
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
    path, source = choose_config_path(config_path, env)
    document = read_config(path)
    if document is None:
        document = {}
        if source is not None:
            warnings.append(missing_file_warning(path, source))
    profiles = profiles_table(document, path)
    theme = optional_str(document, "theme", f"{path}") or None
    keys = keys_table(document, path)
    warnings.extend(unknown_key_warnings(document, TOP_LEVEL_KEYS, f"the top level of {path}"))
    warnings.extend(problems(lambda: optional_str(document, "default_profile", f"{path}")))
    for name, table in profiles.items():
        warnings.extend(profile_problems(name, table, path))
    warning = permission_warning(path, document)
    if warning:
        warnings.append(warning)
    return Preferences(
        config_path=path,
        profiles=tuple(profiles),
        theme=theme,
        keys=MappingProxyType(keys),
        warnings=tuple(warnings),
    )


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
        f"Add a {profile_header(name)} table or choose another profile."
    )
