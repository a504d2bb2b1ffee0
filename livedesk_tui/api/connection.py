"""Where to connect and with what credentials, with the secrets kept out of sight.

``Secret`` hides its value from ``repr``, ``str``, f-strings and tracebacks that show locals;
only ``reveal()`` gives it up, and only the request signer calls it.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

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
    URL carrying a user name, query or fragment is refused outright.
    """
    text = url.strip()
    shown = _without_userinfo(text)
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise ConfigError(f"The base URL {shown!r} is not valid: {exc}.") from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError(
            f"The base URL {shown!r} is not an http(s) URL; "
            f"use e.g. {DEFAULT_BASE_URL} (set base_url or LIVEDESK_BASE_URL)."
        )
    if parts.username is not None or parts.password is not None:
        raise ConfigError("The base URL must not contain a user name or password.")
    if parts.query or parts.fragment:
        raise ConfigError(f"The base URL {shown!r} must have no ?query or #fragment.")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigError(
            f"Refusing plain http:// to {parts.hostname}: credentials would cross the network "
            "unencrypted. Use https:// (http:// is allowed only for localhost and 127.0.0.1)."
        )
    del port
    return text.rstrip("/")


def _without_userinfo(url: str) -> str:
    """The URL with any ``user:password@`` blanked, for messages."""
    return re.sub(r"(?<=//)[^/@?#]*@", "***@", url, count=1)
