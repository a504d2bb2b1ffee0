"""The way out of a company network: which certificates to trust and which proxy to go through.

Trust. Certificates are verified against the operating system's trust store, so a CA that the
company installed on the machine just works. On macOS and Windows that store is the system's own
API, reached through ``truststore``. On Linux and the BSDs the system store *is* OpenSSL's
certificate directory and bundle file (``/etc/ssl/certs`` on Debian), which ``truststore``
itself uses there; it re-reads the whole bundle file on every connection (about 21 ms here, on
the event loop), so this module reads the same store once, through the hashed directory where
there is one (OpenSSL then loads a certificate only when a chain needs it). ``SSL_CERT_FILE`` and
``SSL_CERT_DIR`` are honoured everywhere, and a profile's ``ca_bundle`` adds the CAs of a file
(or hashed directory) to the system's, for a TLS-inspecting proxy's CA that is not installed.
Nothing here turns verification off.

Proxies. ``https_proxy`` / ``HTTPS_PROXY``, ``http_proxy`` / ``HTTP_PROXY``, ``all_proxy`` /
``ALL_PROXY`` and ``no_proxy`` / ``NO_PROXY`` are read as curl reads them (the lower-case name
first; a URL with no scheme is ``http://``; no port means 1080; ``NO_PROXY`` lists host names
matching themselves and their subdomains, IP addresses, CIDR ranges, or ``*``). A proxy set for
the profile (``proxy``, ``LIVEDESK_PROXY``, ``--proxy``) wins over the environment, and
``proxy = "none"`` goes direct whatever the environment says. A loopback server (the demo server
above all) is never reached through a proxy. A proxy URL may carry a user name and password:
it is kept as a ``Secret`` and shown with them blanked.
"""

from __future__ import annotations

import ipaddress
import os
import ssl
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .connection import NetworkSettings, Secret, is_loopback
from .errors import ConfigError

PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")
DEFAULT_PROXY_PORT = 1080
"""curl's default port for a proxy named without one."""
NO_PROXY_WORDS = ("none", "direct")
"""A configured proxy of one of these words means: no proxy, whatever the environment says."""

TRUST_SETTINGS = 'ca_bundle = "PATH" in the profile, LIVEDESK_CA_BUNDLE, or --ca-bundle'


@dataclass(frozen=True, slots=True)
class Proxy:
    """A proxy to go through; ``url`` may hold credentials, ``shown`` never does."""

    url: Secret = field(repr=False)
    shown: str
    """``scheme://host:port``, for messages (credentials left out)."""
    origin: str
    """Where it was set: ``HTTPS_PROXY``, ``--proxy``, ``profile "sg" (FILE)``."""

    @property
    def host(self) -> str:
        return urlsplit(self.shown).netloc


# --- trust ---------------------------------------------------------------------------------


def trust_context(
    settings: NetworkSettings | None = None, *, env: Mapping[str, str] | None = None
) -> ssl.SSLContext:
    """A client TLS context that verifies against the system store plus ``settings.ca_bundle``.

    Raises:
        ConfigError: ``ca_bundle``, ``SSL_CERT_FILE`` or ``SSL_CERT_DIR`` names something that
            cannot be read as certificates (the message names the setting).
    """
    settings = settings or NetworkSettings()
    env = os.environ if env is None else env
    ctx = _system_context(env)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if settings.ca_bundle is not None:
        _load(ctx, settings.ca_bundle, f"The CA bundle {{path}} ({settings.ca_bundle_origin})")
    return ctx


def _system_context(env: Mapping[str, str]) -> ssl.SSLContext:
    native = sys.platform in {"darwin", "win32"}
    if native:
        import truststore

        ctx: ssl.SSLContext = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    else:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    cafile = env.get("SSL_CERT_FILE", "").strip()
    capath = env.get("SSL_CERT_DIR", "").strip()
    # As OpenSSL reads them: a file of no certificate adds none (a missing one is a mistake).
    if cafile:
        _load(ctx, Path(cafile), "SSL_CERT_FILE ({path})", empty_ok=True)
    for folder in capath.split(os.pathsep) if capath else ():
        if folder:
            _load(ctx, Path(folder), "SSL_CERT_DIR ({path})", empty_ok=True)
    if native or cafile or capath:
        return ctx
    defaults = ssl.get_default_verify_paths()
    if defaults.openssl_capath and _has_hashed_certs(defaults.openssl_capath):
        ctx.load_verify_locations(capath=defaults.openssl_capath)
    else:
        ctx.set_default_verify_paths()
    return ctx


def _has_hashed_certs(folder: str) -> bool:
    try:
        with os.scandir(folder) as entries:
            return any(_is_hashed_name(entry.name) for entry in entries)
    except OSError:
        return False


def _is_hashed_name(name: str) -> bool:
    stem, dot, suffix = name.partition(".")
    return bool(dot) and len(stem) == 8 and suffix.isdigit() and _is_hex(stem)


def _is_hex(text: str) -> bool:
    return all(char in "0123456789abcdefABCDEF" for char in text)


def _load(ctx: ssl.SSLContext, path: Path, what: str, *, empty_ok: bool = False) -> None:
    shown = what.format(path=path)
    try:
        if path.is_dir():
            ctx.load_verify_locations(capath=str(path))
        else:
            ctx.load_verify_locations(cafile=str(path))
    except FileNotFoundError:
        raise ConfigError(f"{shown} does not exist.") from None
    except ssl.SSLError:
        if empty_ok:
            return
        raise ConfigError(f"{shown} holds no PEM certificate that can be read.") from None
    except OSError as exc:
        raise ConfigError(f"{shown} cannot be read: {exc.strerror or exc}.") from None


# Codes from OpenSSL's x509_vfy.h, grouped by what a person can do about them.
_SELF_SIGNED = {18}
_UNKNOWN_ISSUER = {2, 19, 20, 21}
_EXPIRED = {9, 10}
_WRONG_NAME = {62, 64}


def tls_failure(exc: BaseException, host: str) -> str | None:
    """A message for a certificate that failed verification, or ``None`` if it was not that.

    Says which host, why (self-signed, expired, wrong name, unknown issuer) and which setting
    fixes it.
    """
    found = next((e for e in _chain(exc) if isinstance(e, ssl.SSLCertVerificationError)), None)
    if found is None:
        return None
    code = found.verify_code
    fix = f"If your company inspects TLS, trust its CA: {TRUST_SETTINGS} (or SSL_CERT_FILE)."
    if code in _SELF_SIGNED:
        why = "its certificate is self-signed"
        fix = f"To trust it, name the certificate in {TRUST_SETTINGS}."
    elif code in _UNKNOWN_ISSUER:
        why = "its certificate was issued by a CA this machine does not trust (unknown issuer)"
    elif code in _EXPIRED:
        why = "its certificate has expired" if code == 10 else "its certificate is not valid yet"
        fix = "The server's certificate must be renewed; check also this machine's clock."
    elif code in _WRONG_NAME:
        why = "its certificate is for another name"
        fix = "Check the base URL's host name; a proxy that inspects TLS may also cause this."
    else:
        why = f"its certificate was refused ({_clean(found.verify_message)})"
    return f"Could not verify {host}: {why}. {fix}"


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _clean(text: str | None) -> str:
    return " ".join(str(text or "unknown reason").split())[:80]


# --- proxies -------------------------------------------------------------------------------


def choose_proxy(
    base_url: str,
    settings: NetworkSettings | None = None,
    *,
    env: Mapping[str, str] | None = None,
) -> Proxy | None:
    """The proxy to reach ``base_url`` through, or ``None`` to go direct.

    Raises:
        ConfigError: the proxy URL cannot be used (the message names where it was set, never
            its credentials).
    """
    settings = settings or NetworkSettings()
    env = os.environ if env is None else env
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    if not host or is_loopback(host):
        return None
    if settings.proxy is not None:
        url, origin = settings.proxy.reveal().strip(), settings.proxy_origin or "the profile"
    else:
        url, origin = _from_environment(parts.scheme.lower(), env)
    if not url or url.lower() in NO_PROXY_WORDS:
        return None
    if bypassed(host, _env(env, "no_proxy")[0]):
        return None
    return parse_proxy(url, origin)


def _env(env: Mapping[str, str], name: str) -> tuple[str, str]:
    """The value of ``name`` (lower case first, as curl reads it) and the variable it came from."""
    for variable in (name.lower(), name.upper()):
        value = env.get(variable, "").strip()
        if value:
            return value, variable
    return "", ""


def _from_environment(scheme: str, env: Mapping[str, str]) -> tuple[str, str]:
    url, variable = _env(env, f"{scheme}_proxy")
    if not url:
        url, variable = _env(env, "all_proxy")
    return url, variable


def parse_proxy(url: str, origin: str) -> Proxy:
    """Check a proxy URL; the message of a refusal names ``origin`` and blanks credentials."""
    text = url.strip()
    if "://" not in text:
        text = "http://" + text
    scheme = text.split("://", 1)[0].lower()
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError:
        raise ConfigError(f"The proxy set by {origin} has a port that is not a number.") from None
    host = parts.hostname
    if scheme not in PROXY_SCHEMES:
        raise ConfigError(
            f"The proxy set by {origin} is a {scheme}:// URL; use http://, https://, "
            "socks5:// or socks5h://."
        )
    if not host:
        raise ConfigError(f"The proxy set by {origin} names no host (use http://HOST:PORT).")
    if parts.path.strip("/") or parts.query or parts.fragment:
        raise ConfigError(f"The proxy set by {origin} must be just scheme://host:port.")
    port = port or DEFAULT_PROXY_PORT
    shown_host = f"[{host}]" if ":" in host else host
    shown = f"{scheme}://{shown_host}:{port}"
    user = f"{parts.username or ''}:{parts.password or ''}@" if parts.username else ""
    return Proxy(url=Secret(f"{scheme}://{user}{shown_host}:{port}"), shown=shown, origin=origin)


def bypassed(host: str, no_proxy: str) -> bool:
    """Whether ``NO_PROXY``'s value ``no_proxy`` sends ``host`` direct, as curl decides."""
    host = host.strip("[]").rstrip(".").lower()
    address = _address(host)
    for raw in no_proxy.replace(" ", ",").split(","):
        entry = raw.strip().lower()
        if not entry:
            continue
        if entry == "*":
            return True
        if address is not None:
            if _address_matches(address, entry):
                return True
            continue
        name = _strip_port(entry).lstrip(".").rstrip(".")
        if name and (host == name or host.endswith("." + name)):
            return True
    return False


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _address_matches(address: ipaddress.IPv4Address | ipaddress.IPv6Address, entry: str) -> bool:
    if entry.startswith("["):  # [::1] or [::1]:8080
        entry = entry[1 : entry.find("]")] if "]" in entry else entry[1:]
    elif entry.count(":") == 1:  # 10.0.0.1:8080
        entry = entry.split(":", 1)[0]
    try:
        return address in ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return False


def _strip_port(entry: str) -> str:
    name, sep, port = entry.rpartition(":")
    return name if sep and port.isdigit() and ":" not in name else entry


def proxy_failure(status_text: str, proxy: Proxy, host: str) -> str:
    """A message for a proxy that refused to tunnel to ``host`` (its CONNECT answer)."""
    code = status_text.split(" ", 1)[0]
    where = f"the proxy {proxy.host} (from {proxy.origin})"
    if code == "407":
        return (
            f"{where} wants a user name and password (HTTP 407); put them in the proxy URL "
            "(http://USER:PASSWORD@HOST:PORT). The API at "
            f"{host} was not reached."
        )
    if code in {"502", "503", "504"}:
        return (
            f"{where} could not reach {host} (HTTP {code}); the API itself was not reached. "
            "Check the base URL, or ask whoever runs the proxy."
        )
    if code == "403":
        return f"{where} does not allow connections to {host} (HTTP 403)."
    return f"{where} refused to connect to {host} ({_clean(status_text)})."
