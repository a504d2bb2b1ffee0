"""Which proxy and which certificates: the decisions of ``api.network``, without a network."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from livedesk_tui.api.connection import NetworkSettings, Secret
from livedesk_tui.api.errors import ConfigError
from livedesk_tui.api.network import (
    bypassed,
    choose_proxy,
    parse_proxy,
    proxy_failure,
    tls_failure,
    trust_context,
)

API = "https://api.example.com"
SECRET = "pr0xy-s3cret-7f1c"


def chosen(env: dict[str, str], url: str = API, **settings: str) -> str | None:
    if "proxy" in settings:
        settings["proxy"] = Secret(settings["proxy"])  # type: ignore[assignment]
    proxy = choose_proxy(url, NetworkSettings(**settings), env=env)  # type: ignore[arg-type]
    return None if proxy is None else proxy.shown


# --- which proxy ---------------------------------------------------------------------------


def test_no_proxy_without_configuration() -> None:
    assert chosen({}) is None


@pytest.mark.parametrize("name", ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"])
def test_https_requests_use_the_https_or_all_proxy(name: str) -> None:
    assert chosen({name: "http://proxy.corp:3128"}) == "http://proxy.corp:3128"


def test_lower_case_wins_as_in_curl() -> None:
    env = {"https_proxy": "http://lower:1", "HTTPS_PROXY": "http://upper:2"}
    assert chosen(env) == "http://lower:1"


def test_scheme_specific_wins_over_all_proxy() -> None:
    env = {"ALL_PROXY": "http://all:1", "HTTPS_PROXY": "http://https:2"}
    assert chosen(env) == "http://https:2"


def test_http_proxy_is_not_used_for_https() -> None:
    assert chosen({"HTTP_PROXY": "http://plain:3128"}) is None


def test_no_scheme_means_http_and_no_port_means_1080() -> None:
    assert chosen({"HTTPS_PROXY": "proxy.corp"}) == "http://proxy.corp:1080"


def test_profile_proxy_wins_over_the_environment() -> None:
    env = {"HTTPS_PROXY": "http://env:1"}
    assert chosen(env, proxy="http://profile:2", proxy_origin="--proxy") == "http://profile:2"


@pytest.mark.parametrize("word", ["none", "direct", "NONE"])
def test_profile_none_goes_direct(word: str) -> None:
    assert chosen({"HTTPS_PROXY": "http://env:1"}, proxy=word) is None


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "localhost", "[::1]", "127.3.4.5"], ids=lambda h: h.strip("[]")
)
def test_loopback_is_never_proxied(host: str) -> None:
    env = {"HTTPS_PROXY": "http://env:1", "HTTP_PROXY": "http://env:1", "ALL_PROXY": "http://a:1"}
    assert chosen(env, url=f"http://{host}:8765") is None
    assert chosen(env, url=f"https://{host}:8765", proxy="http://p:2") is None


@pytest.mark.parametrize(
    ("no_proxy", "host", "expected"),
    [
        ("*", "api.example.com", True),
        ("example.com", "api.example.com", True),
        ("example.com", "example.com", True),
        (".example.com", "api.example.com", True),
        (".example.com", "example.com", True),
        ("example.com", "badexample.com", False),
        ("Example.COM", "api.example.com", True),
        ("other.org, example.com", "api.example.com", True),
        ("other.org example.com", "api.example.com", True),
        ("example.com:443", "api.example.com", True),
        ("10.0.0.0/8", "10.1.2.3", True),
        ("10.0.0.0/8", "11.1.2.3", False),
        ("192.168.1.5", "192.168.1.5", True),
        ("192.168.1.5:8443", "192.168.1.5", True),
        ("::1", "::1", True),
        ("[fd12::1]", "fd12::1", True),
        ("fd00::/8", "fd12::1", True),
        ("fd00::/8", "fe80::1", False),
        ("example.com", "10.0.0.1", False),
        ("", "api.example.com", False),
    ],
)
def test_no_proxy_matching(no_proxy: str, host: str, expected: bool) -> None:
    assert bypassed(host, no_proxy) is expected


def test_no_proxy_bypasses_the_environment_and_the_profile_proxy() -> None:
    env = {"HTTPS_PROXY": "http://env:1", "NO_PROXY": "example.com"}
    assert chosen(env) is None
    assert chosen(env, proxy="http://profile:2") is None
    assert chosen({"HTTPS_PROXY": "http://env:1", "no_proxy": "other.org"}) == "http://env:1"


def test_proxy_credentials_stay_out_of_sight() -> None:
    proxy = parse_proxy(f"http://agent:{SECRET}@proxy.corp:3128", "HTTPS_PROXY")
    assert proxy.shown == "http://proxy.corp:3128"
    assert proxy.url.reveal() == f"http://agent:{SECRET}@proxy.corp:3128"
    assert SECRET not in repr(proxy) and SECRET not in str(proxy)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        (f"ftp://agent:{SECRET}@proxy:21", "ftp:// URL"),
        (f"http://agent:{SECRET}@:3128", "names no host"),
        (f"http://agent:{SECRET}@proxy:port", "not a number"),
        (f"http://agent:{SECRET}@proxy:3128/path", "just scheme://host:port"),
    ],
)
def test_a_bad_proxy_url_is_refused_without_its_credentials(url: str, says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_proxy(url, "LIVEDESK_PROXY")
    assert says in caught.value.message
    assert "LIVEDESK_PROXY" in caught.value.message
    assert SECRET not in str(caught.value) and SECRET not in repr(caught.value)


def test_socks_proxies_are_accepted() -> None:
    assert parse_proxy("socks5h://proxy:1080", "ALL_PROXY").shown == "socks5h://proxy:1080"


# --- how proxies fail ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "says"),
    [
        ("407 Proxy Authentication Required", "wants a user name and password (HTTP 407)"),
        ("502 Bad Gateway", "could not reach api.example.com (HTTP 502)"),
        ("403 Forbidden", "does not allow connections to api.example.com"),
        ("418 I'm a teapot", "refused to connect to api.example.com (418 I'm a teapot)"),
    ],
)
def test_a_proxy_refusal_is_told_as_the_proxys(status: str, says: str) -> None:
    proxy = parse_proxy(f"http://agent:{SECRET}@proxy.corp:3128", "HTTPS_PROXY")
    message = proxy_failure(status, proxy, "api.example.com")
    assert message.startswith("the proxy proxy.corp:3128 (from HTTPS_PROXY)")
    assert says in message
    assert SECRET not in message


# --- trust ---------------------------------------------------------------------------------


def test_the_context_verifies_hostnames_and_certificates() -> None:
    ctx = trust_context(env={})
    assert ctx.verify_mode == ssl.CERT_REQUIRED
    assert ctx.check_hostname
    assert ctx.minimum_version >= ssl.TLSVersion.TLSv1_2


@pytest.mark.parametrize("variable", ["SSL_CERT_FILE", "SSL_CERT_DIR"])
def test_a_missing_certificate_path_in_the_environment_is_named(
    variable: str, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError) as caught:
        trust_context(env={variable: str(tmp_path / "nowhere.pem")})
    assert variable in caught.value.message and "does not exist" in caught.value.message


def test_a_ca_bundle_that_holds_no_certificate_is_named(tmp_path: Path) -> None:
    bundle = tmp_path / "company-ca.pem"
    bundle.write_text("not a certificate\n", encoding="utf-8")
    settings = NetworkSettings(ca_bundle=bundle, ca_bundle_origin="--ca-bundle")
    with pytest.raises(ConfigError) as caught:
        trust_context(settings, env={})
    assert f"The CA bundle {bundle} (--ca-bundle) holds no PEM certificate" in str(caught.value)


def _verify_error(code: int, message: str) -> Exception:
    error = ssl.SSLCertVerificationError(1, "certificate verify failed")
    error.verify_code = code
    error.verify_message = message
    outer = OSError("connect failed")
    outer.__cause__ = error
    return outer


@pytest.mark.parametrize(
    ("code", "says", "fix"),
    [
        (18, "self-signed", "ca_bundle"),
        (19, "unknown issuer", "ca_bundle"),
        (20, "unknown issuer", "LIVEDESK_CA_BUNDLE"),
        (10, "has expired", "renewed"),
        (62, "for another name", "host name"),
        (50, "refused (application verification failure)", "ca_bundle"),
    ],
)
def test_a_certificate_failure_says_why_and_what_fixes_it(code: int, says: str, fix: str) -> None:
    message = tls_failure(_verify_error(code, "application verification failure"), "api.x.com")
    assert message is not None
    assert message.startswith("Could not verify api.x.com: ")
    assert says in message and fix in message


def test_other_failures_are_not_certificate_failures() -> None:
    assert tls_failure(OSError("connection refused"), "api.x.com") is None
