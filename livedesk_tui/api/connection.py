"""Where to connect and with what credentials, with the secrets kept out of sight.

``Secret`` hides its value from ``repr``, ``str``, f-strings and tracebacks that show locals;
only ``reveal()`` gives it up, and only the request signer calls it.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import SplitResult, urlsplit

from .errors import ConfigError

Dialect = Literal["livedesk", "chatwoot"]
DIALECTS: tuple[Dialect, ...] = ("livedesk", "chatwoot")
DEFAULT_BASE_URL = "https://livedesk-api.engagelab.com"


class Secret:
    """A credential that never prints itself."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return "Secret('********')" if self._value else "Secret('')"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __reduce__(self) -> tuple[type, tuple[str]]:
        raise TypeError("a Secret is not to be pickled")


@dataclass(frozen=True, slots=True)
class NetworkSettings:
    """What the profile says about trust and proxies (the environment is read when used)."""

    ca_bundle: Path | None = None
    """Extra CAs (a PEM file or a hashed directory), trusted beside the system's."""
    ca_bundle_origin: str = ""
    proxy: Secret | None = None
    """A proxy URL (it may hold credentials), ``"none"``, or ``None``: the environment's."""
    proxy_origin: str = ""


@dataclass(frozen=True, slots=True)
class Connection:
    """Everything the client needs to reach one account."""

    base_url: str
    api_key: Secret = field(default_factory=lambda: Secret(""))
    api_secret: Secret = field(default_factory=lambda: Secret(""))
    dialect: Dialect = "livedesk"
    account_id: int | None = None
    origin: str = "defaults"
    """Where the credentials came from, for messages: a profile and file, or env vars."""
    profile: str = "default"
    network: NetworkSettings = field(default_factory=lambda: NetworkSettings())
    """Trust and proxy settings of the profile (see ``api.network``)."""

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and 127.0.0.0/8 / ::1 literals; never for look-alike names."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(url: str) -> str:
    """Validate a base URL; return it without a trailing slash.

    Credentials go with every request, so plain ``http://`` is refused except to loopback, and a
    URL carrying a user name, query or fragment is refused outright, as is one with a space or a
    control character in it.

    A refused URL is never shown whole: whatever it holds beside its host may be a password, and
    a password holding ``/``, ``#``, ``?`` or ``@`` moves where parsers think the host begins.
    So any ``@`` is refused before the URL is parsed, and the messages name at most the host of
    a URL with no ``@`` in it.
    """
    text = url.strip()
    if _UNSAFE.search(text):
        raise ConfigError(
            "The base URL contains a space or a control character; give it as "
            f"https://host[/path], e.g. {DEFAULT_BASE_URL}."
        )
    if "@" in text:
        raise ConfigError(
            "The base URL must not contain a user name or password (nothing before an @): give "
            "the credentials as api_key and api_secret instead."
        )
    parts, problem = _split(text)
    if parts is None:
        raise ConfigError(f"The base URL is not valid: {problem}.")
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError(
            "The base URL is not an http(s) URL with a host; "
            f"use e.g. {DEFAULT_BASE_URL} (set base_url or LIVEDESK_BASE_URL)."
        )
    if parts.query or parts.fragment:
        raise ConfigError(
            f"The base URL of {parts.hostname} must have no ?query or #fragment: give only "
            "https://host[/path]."
        )
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigError(
            f"Refusing plain http:// to {parts.hostname}: credentials would cross the network "
            "unencrypted. Use https:// (http:// is allowed only for localhost and 127.0.0.1)."
        )
    return text.rstrip("/")


_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")
"""Whitespace (a space, a line break, Unicode's) and C0, DEL and C1 controls."""


def _split(text: str) -> tuple[SplitResult | None, str]:
    """The parts of ``text``, or None and why not (in words of our own: the parser's words
    quote the text, and an exception kept as context would carry it too)."""
    try:
        parts = urlsplit(text)
    except ValueError:
        return None, "it cannot be parsed (check the brackets around an IPv6 address)"
    try:
        parts.port  # noqa: B018 - parsed on access
    except ValueError:
        return None, "its port is not a number from 0 to 65535"
    return parts, ""
