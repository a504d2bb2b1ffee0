"""The client on a company network: a CA of the company's own, a proxy, NO_PROXY.

Over real handshakes and tunnels on loopback: an HTTPS demo server signed by a CA of the
tests' own (``tls_servers``), and an HTTP CONNECT proxy that records what passes through it
(``netproxies``). A server reached through the proxy is named ``FAR_NAME``, which no resolver
knows: only the proxy can reach it, as only a company proxy reaches the internet.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from netproxies import ConnectProxy
from tls_servers import FAR_NAME, Certificates, TLSDemoServer, certificates, start_https_server

from livedesk_tui.api.client import ContactsClient, RetryPolicy
from livedesk_tui.api.connection import Connection, NetworkSettings, Secret
from livedesk_tui.api.errors import (
    ConfigError,
    LiveDeskError,
    NetworkError,
    ProxyRefusedError,
    TrustError,
)
from livedesk_tui.api.models import ContactQuery, Page

__all__ = ["certificates", "start_https_server"]

PROXY_USER = "agent"
PROXY_PASSWORD = "pr0xy-pa55-9d2e"
ONE_TRY = RetryPolicy(attempts=1)


def first_page(connection: Connection, env: dict[str, str], retry: RetryPolicy = ONE_TRY) -> Page:
    async def run() -> Page:
        async with ContactsClient(connection, env=env, retry=retry, timeout=5) as client:
            return await client.list_contacts(ContactQuery())

    return asyncio.run(run())


def failure(connection: Connection, env: dict[str, str]) -> LiveDeskError:
    with pytest.raises(LiveDeskError) as caught:
        first_page(connection, env)
    return caught.value


@pytest.fixture
def good(start_https_server: Callable[..., TLSDemoServer]) -> TLSDemoServer:
    return start_https_server("good", contacts=40)


@pytest.fixture
def far(good: TLSDemoServer) -> Connection:
    """The good server by a name only the proxy can resolve."""
    return replace(good.connection(), base_url=f"https://{FAR_NAME}:{good.port}")


@pytest.fixture
def proxy(good: TLSDemoServer) -> Iterator[ConnectProxy]:
    with ConnectProxy(names={FAR_NAME: "127.0.0.1"}) as running:
        yield running


# --- trust ---------------------------------------------------------------------------------


def test_an_unknown_ca_is_refused_by_default(good: TLSDemoServer) -> None:
    error = failure(good.connection(), {})
    assert isinstance(error, TrustError)
    assert f"Could not verify {good.connection().host}" in error.message
    assert "unknown issuer" in error.message and "ca_bundle" in error.message
    assert not error.retryable


def test_the_ca_in_ssl_cert_file(good: TLSDemoServer, certificates: Certificates) -> None:
    page = first_page(good.connection(), certificates.env_file())
    assert page.total == 40


def test_the_ca_in_the_system_store(good: TLSDemoServer, certificates: Certificates) -> None:
    """OpenSSL's hashed directory is the system store on Linux (``SSL_CERT_DIR`` moves it);
    the bundle file is empty, so the CA can only be found there."""
    page = first_page(good.connection(), certificates.env_dir())
    assert page.total == 40


def test_the_ca_in_the_profiles_ca_bundle(good: TLSDemoServer, certificates: Certificates) -> None:
    network = NetworkSettings(ca_bundle=certificates.ca_pem, ca_bundle_origin="--ca-bundle")
    page = first_page(replace(good.connection(), network=network), {})
    assert page.total == 40


def test_a_ca_bundle_is_trusted_beside_the_system_store(
    good: TLSDemoServer, certificates: Certificates
) -> None:
    network = NetworkSettings(ca_bundle=certificates.other_ca_pem, ca_bundle_origin="profile x")
    page = first_page(replace(good.connection(), network=network), certificates.env_dir())
    assert page.total == 40


@pytest.mark.parametrize(
    ("variant", "why"),
    [
        ("expired", "has expired"),
        ("wrong_name", "is for another name"),
        ("self_signed", "is self-signed"),
        ("unknown_issuer", "unknown issuer"),
    ],
)
def test_a_certificate_failure_says_which_host_and_why(
    start_https_server: Callable[..., TLSDemoServer],
    certificates: Certificates,
    variant: str,
    why: str,
) -> None:
    server = start_https_server(variant, contacts=1)
    error = failure(server.connection(), {"SSL_CERT_FILE": str(certificates.ca_pem)})
    assert isinstance(error, TrustError)
    assert error.message.startswith(f"Could not verify {server.connection().host}: ")
    assert why in error.message
    assert error.exit_code == 4


def test_a_ca_bundle_that_cannot_be_read_is_a_configuration_error(
    good: TLSDemoServer, tmp_path: Path
) -> None:
    network = NetworkSettings(ca_bundle=tmp_path / "missing.pem", ca_bundle_origin="--ca-bundle")
    with pytest.raises(ConfigError, match=r"missing\.pem \(--ca-bundle\) does not exist"):
        first_page(replace(good.connection(), network=network), {})


# --- proxies -------------------------------------------------------------------------------


def test_through_the_proxy_in_https_proxy(
    far: Connection, proxy: ConnectProxy, certificates: Certificates
) -> None:
    env = {"HTTPS_PROXY": proxy.url, **certificates.env_file()}
    assert first_page(far, env).total == 40
    assert [(r.method, r.target) for r in proxy.requests] == [("CONNECT", f"{far.host}")]


def test_through_the_profiles_proxy_over_the_environments(
    far: Connection, proxy: ConnectProxy, certificates: Certificates
) -> None:
    network = NetworkSettings(proxy=Secret(proxy.url), proxy_origin="--proxy")
    env = {"HTTPS_PROXY": "http://127.0.0.1:9", **certificates.env_file()}
    assert first_page(replace(far, network=network), env).total == 40
    assert proxy.count == 1


def test_no_proxy_bypasses_it(
    far: Connection, proxy: ConnectProxy, certificates: Certificates
) -> None:
    env = {"HTTPS_PROXY": proxy.url, "NO_PROXY": "livedesk.test", **certificates.env_file()}
    error = failure(far, env)
    assert "the host name could not be resolved" in error.message
    assert proxy.count == 0


def test_a_loopback_server_is_never_reached_through_a_proxy(
    good: TLSDemoServer, proxy: ConnectProxy, certificates: Certificates
) -> None:
    network = NetworkSettings(proxy=Secret(proxy.url), proxy_origin="--proxy")
    env = {"HTTPS_PROXY": proxy.url, "ALL_PROXY": proxy.url, **certificates.env_file()}
    assert first_page(replace(good.connection(), network=network), env).total == 40
    assert proxy.count == 0


def test_proxy_credentials_go_to_the_proxy_and_nowhere_else(
    far: Connection, certificates: Certificates, caplog: pytest.LogCaptureFixture
) -> None:
    with ConnectProxy(names={FAR_NAME: "127.0.0.1"}, auth=(PROXY_USER, PROXY_PASSWORD)) as proxy:
        env = {"HTTPS_PROXY": proxy.url_with(PROXY_USER, PROXY_PASSWORD)}
        env.update(certificates.env_file())
        with caplog.at_level(logging.DEBUG, logger="livedesk_tui"):
            assert first_page(far, env).total == 40
        assert proxy.requests[0].credentials == (PROXY_USER, PROXY_PASSWORD)
    assert PROXY_PASSWORD not in caplog.text


def test_a_proxy_that_wants_credentials_is_told_as_the_proxys_fault(
    far: Connection, certificates: Certificates
) -> None:
    with ConnectProxy(names={FAR_NAME: "127.0.0.1"}, auth=(PROXY_USER, PROXY_PASSWORD)) as proxy:
        wrong = proxy.url_with(PROXY_USER, "not-" + PROXY_PASSWORD)
        error = failure(far, {"HTTPS_PROXY": wrong, **certificates.env_file()})
    assert isinstance(error, ProxyRefusedError)
    assert error.message.startswith(f"the proxy {proxy.address[0]}:{proxy.address[1]} (from ")
    assert "HTTPS_PROXY" in error.message and "(HTTP 407)" in error.message
    assert f"The API at {far.host} was not reached." in error.message
    assert PROXY_PASSWORD not in str(error) and not error.retryable


def test_a_proxy_that_cannot_reach_the_server_is_told_as_the_proxys_fault(
    far: Connection, certificates: Certificates
) -> None:
    with ConnectProxy(names={FAR_NAME: "127.0.0.1"}, fail_connect=502) as proxy:
        env = {"HTTPS_PROXY": proxy.url, **certificates.env_file()}
        error = failure(far, env)
        assert isinstance(error, ProxyRefusedError) and error.retryable
        assert f"could not reach {far.host} (HTTP 502); the API itself was not reached" in (
            error.message
        )
        before = proxy.count
        with pytest.raises(ProxyRefusedError):
            first_page(far, env, RetryPolicy(attempts=2, backoff=0.01))
        assert proxy.count - before == 2, "a 502 from the proxy is worth one more try"


def test_a_proxy_that_does_not_listen_is_named(far: Connection) -> None:
    with ConnectProxy() as gone:
        url = gone.url
    error = failure(far, {"https_proxy": url})
    assert isinstance(error, NetworkError)
    assert "Could not connect to the proxy 127.0.0.1:" in error.message
    assert "(from https_proxy)" in error.message


# --- the command line ----------------------------------------------------------------------


def test_the_export_command_takes_ca_bundle_and_proxy_flags(
    far: Connection,
    proxy: ConnectProxy,
    certificates: Certificates,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from livedesk_tui.cli import main
    from livedesk_tui.demo.credentials import DEMO_API_KEY, DEMO_API_SECRET

    monkeypatch.setenv("LIVEDESK_API_KEY", DEMO_API_KEY)
    monkeypatch.setenv("LIVEDESK_API_SECRET", DEMO_API_SECRET)
    target = tmp_path / "far.jsonl"
    flags = ["--base-url", far.base_url, "--ca-bundle", str(certificates.ca_pem)]
    code = main(["export", *flags, "--proxy", proxy.url, "-o", str(target)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert err == f"Exported 40 contacts to {target}.\n"
    assert proxy.count >= 1 and all(r.method == "CONNECT" for r in proxy.requests)


def test_the_export_command_reads_the_network_variables(
    far: Connection,
    proxy: ConnectProxy,
    certificates: Certificates,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from livedesk_tui.cli import main
    from livedesk_tui.demo.credentials import DEMO_API_KEY, DEMO_API_SECRET

    for name, value in {
        "LIVEDESK_API_KEY": DEMO_API_KEY,
        "LIVEDESK_API_SECRET": DEMO_API_SECRET,
        "LIVEDESK_BASE_URL": far.base_url,
        "LIVEDESK_CA_BUNDLE": str(certificates.ca_pem),
        "LIVEDESK_PROXY": proxy.url,
    }.items():
        monkeypatch.setenv(name, value)
    code = main(["export", "-o", str(tmp_path / "far.csv")])
    assert code == 0, capsys.readouterr().err
    assert (tmp_path / "far.csv").read_text(encoding="utf-8").count("\n") == 41


# --- the first page, asked for as the process starts ---------------------------------------


def test_the_first_page_ahead_of_time_trusts_and_tunnels_as_the_client_does(
    far: Connection, certificates: Certificates
) -> None:
    from livedesk_tui.api.first_page import FirstPage
    from livedesk_tui.api.parse import parse_page

    with ConnectProxy(names={FAR_NAME: "127.0.0.1"}, auth=(PROXY_USER, PROXY_PASSWORD)) as proxy:
        env = {"HTTPS_PROXY": proxy.url_with(PROXY_USER, PROXY_PASSWORD)}
        env.update(certificates.env_file())
        answer = FirstPage(far, ContactQuery(), env=env).start().wait(5)
        assert answer is not None
        assert parse_page(answer.body, answer.asked).total == 40
        assert [(r.method, r.credentials) for r in proxy.requests] == [
            ("CONNECT", (PROXY_USER, PROXY_PASSWORD))
        ]


def test_the_first_page_ahead_of_time_refuses_a_certificate_it_cannot_trust(
    good: TLSDemoServer,
) -> None:
    from livedesk_tui.api.first_page import FirstPage

    assert FirstPage(good.connection(), ContactQuery(), env={}).start().wait(5) is None
    assert good.requests == [], "no request is sent over a connection that is not trusted"


def test_through_a_socks5_proxy_that_resolves_the_name(
    far: Connection, certificates: Certificates
) -> None:
    from netproxies import Socks5Proxy

    with Socks5Proxy(names={FAR_NAME: "127.0.0.1"}, auth=(PROXY_USER, PROXY_PASSWORD)) as socks:
        url = f"socks5h://{PROXY_USER}:{PROXY_PASSWORD}@{socks.address[0]}:{socks.address[1]}"
        network = NetworkSettings(proxy=Secret(url), proxy_origin="--proxy")
        assert first_page(replace(far, network=network), certificates.env_file()).total == 40
        [request] = socks.requests
        assert (request.host, request.credentials) == (FAR_NAME, (PROXY_USER, PROXY_PASSWORD))
