"""The network fixtures themselves, tried with plain ``httpx`` and ``ssl``: the HTTPS demo server
and its certificate variants, the CA laid out as a system store, the HTTP and SOCKS proxies and
the delaying forwarder.

The trust and proxy tests of the client rely on these failing exactly as described (each
certificate variant for its one reason, the proxy refusing what it says it refuses), so that is
what is checked here.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import ssl
import subprocess
import sys
import threading

import httpx
import pytest
from netproxies import (
    REALM,
    ConnectProxy,
    DelayingForwarder,
    Socks5Proxy,
    basic_credentials,
    connect_proxy,
    is_loopback_target,
    split_authority,
)
from tls_servers import (
    VERIFY_CODES,
    WRONG_NAME,
    Certificates,
    TLSDemoServer,
    certificates,
    https_server,
    start_https_server,
)

from livedesk_tui.demo.credentials import DEMO_API_KEY, DEMO_API_SECRET
from livedesk_tui.demo.server import DemoServer

__all__ = ["certificates", "connect_proxy", "https_server", "start_https_server"]  # fixtures

PATH = "/api/v2/accounts/contacts"
AUTH = (DEMO_API_KEY, DEMO_API_SECRET)


def first_ids(server: DemoServer, count: int = 15) -> list[int]:
    return [contact.raw["id"] for contact in server.contacts[:count]]


def handshake(port: int, context: ssl.SSLContext, name: str = "127.0.0.1") -> str:
    """A bare TLS handshake with 127.0.0.1:port checking ``name``; the version agreed."""
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname=name) as tls,
    ):
        return tls.version() or ""


def raw_proxy_request(proxy: ConnectProxy, head: str) -> bytes:
    """Send ``head`` to the proxy as it is and read its answer to the end."""
    with socket.create_connection(proxy.address, timeout=5) as sock:
        sock.sendall(head.encode())
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


# --- the HTTPS demo server --------------------------------------------------------------------


def test_page_one_over_https_with_the_test_ca(
    https_server: TLSDemoServer, certificates: Certificates
) -> None:
    assert https_server.base_url == f"https://127.0.0.1:{https_server.port}"
    with httpx.Client(verify=certificates.client_context(), timeout=5) as client:
        response = client.get(https_server.base_url + PATH, auth=AUTH)
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["payload"]] == first_ids(https_server)
    [record] = https_server.handshakes
    assert record.ok and record.version in {"TLSv1.2", "TLSv1.3"}


def test_keep_alive_makes_one_handshake_for_many_requests(
    https_server: TLSDemoServer, certificates: Certificates
) -> None:
    with httpx.Client(verify=certificates.client_context(), timeout=5) as client:
        pages = [
            client.get(https_server.base_url + PATH, params={"page": n}, auth=AUTH)
            for n in (1, 2, 3, 4)
        ]
    assert [response.status_code for response in pages] == [200] * 4
    assert [record.page for record in https_server.requests] == [1, 2, 3, 4]
    assert len(https_server.handshakes) == 1


def test_a_client_that_never_speaks_holds_up_no_one(
    https_server: TLSDemoServer, certificates: Certificates
) -> None:
    """The handshake is made in each connection's thread, not where connections are accepted."""
    with (
        socket.create_connection(("127.0.0.1", https_server.port), timeout=5),
        httpx.Client(verify=certificates.client_context(), timeout=5) as client,
    ):
        response = client.get(https_server.base_url + PATH, auth=AUTH)
    assert response.status_code == 200


def test_concurrent_requests_are_answered_side_by_side(
    start_https_server, certificates: Certificates
) -> None:
    server = start_https_server(latency_ms=300)
    results: list[int] = []

    def fetch(page: int) -> None:
        with httpx.Client(verify=certificates.client_context(), timeout=10) as client:
            results.append(
                client.get(server.base_url + PATH, params={"page": page}, auth=AUTH).status_code
            )

    threads = [threading.Thread(target=fetch, args=(page,)) for page in (1, 2, 3, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    assert results == [200] * 4
    assert server.peak_in_flight >= 2
    assert len(server.handshakes) == 4


def test_a_name_in_the_url_is_checked_against_the_certificate(
    start_https_server, certificates: Certificates
) -> None:
    server = start_https_server(url_host="localhost")
    assert server.base_url == f"https://localhost:{server.port}"
    with httpx.Client(verify=certificates.client_context(), timeout=5) as client:
        assert client.get(server.base_url + PATH, auth=AUTH).status_code == 200


@pytest.mark.parametrize("variant", sorted(VERIFY_CODES))
@pytest.mark.parametrize("name", ["127.0.0.1", "localhost"])
def test_each_bad_certificate_fails_for_its_own_reason(
    start_https_server, certificates: Certificates, variant: str, name: str
) -> None:
    server = start_https_server(variant)
    with pytest.raises(ssl.SSLCertVerificationError) as failure:
        handshake(server.port, certificates.client_context(), name)
    assert failure.value.verify_code in VERIFY_CODES[variant]
    if variant == "wrong_name":
        assert name in failure.value.verify_message
    [record] = server.wait_for_handshakes()  # the server saw the client refuse it
    assert not record.ok and record.error


@pytest.mark.parametrize("variant", sorted(VERIFY_CODES))
def test_httpx_refuses_each_bad_certificate(
    start_https_server, certificates: Certificates, variant: str
) -> None:
    server = start_https_server(variant)
    with (
        httpx.Client(verify=certificates.client_context(), timeout=5) as client,
        pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"),
    ):
        client.get(server.base_url + PATH, auth=AUTH)
    assert server.requests == []


def test_a_chain_through_an_intermediate_ca_is_trusted_by_the_root(
    start_https_server, certificates: Certificates
) -> None:
    server = start_https_server("intermediate")
    assert certificates["intermediate"].chain.read_text().count("BEGIN CERTIFICATE") == 2
    assert handshake(server.port, certificates.client_context())


def test_the_failing_servers_are_good_to_a_client_trusting_their_issuer(
    start_https_server, certificates: Certificates
) -> None:
    pinned = start_https_server("self_signed")
    assert handshake(pinned.port, certificates.client_context(certificates["self_signed"].leaf))
    other = start_https_server("unknown_issuer")
    assert handshake(other.port, certificates.client_context(certificates.other_ca_pem))
    wrong = start_https_server("wrong_name")
    assert handshake(wrong.port, certificates.client_context(), WRONG_NAME)


# --- the CA as a system store -----------------------------------------------------------------

_VERIFY_WITH_DEFAULTS = """
import socket, ssl, sys
context = ssl.create_default_context()  # OpenSSL's defaults: SSL_CERT_FILE, SSL_CERT_DIR
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5) as raw:
    try:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            print("ok")
    except ssl.SSLCertVerificationError as exc:
        print(exc.verify_code)
"""


def _with_default_trust(port: int, env: dict[str, str]) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SSL_CERT_")}
    done = subprocess.run(
        [sys.executable, "-c", _VERIFY_WITH_DEFAULTS, str(port)],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return done.stdout.strip()


@pytest.mark.parametrize("store", ["env_file", "env_dir"])
def test_the_ca_is_found_where_openssl_looks_for_a_system_store(
    https_server: TLSDemoServer, certificates: Certificates, store: str
) -> None:
    env = getattr(certificates, store)()
    assert _with_default_trust(https_server.port, env) == "ok"
    # Without the test CA in the store the same server is refused.
    assert (
        _with_default_trust(
            https_server.port,
            {
                "SSL_CERT_FILE": str(certificates.empty_bundle),
                "SSL_CERT_DIR": str(certificates.directory / "nowhere"),
            },
        )
        == "20"
    )


def test_the_bundle_holds_another_ca_before_the_test_ca(certificates: Certificates) -> None:
    context = ssl.create_default_context(cafile=str(certificates.bundle))
    organisations = [
        dict(entry[0] for entry in ca["subject"]).get("organizationName")
        for ca in context.get_ca_certs()
    ]
    assert organisations == ["Some other CA", "LiveDesk test CA"]
    [hashed] = certificates.store_dir.iterdir()
    assert len(hashed.name) == 10 and hashed.name.endswith(".0")


# --- the HTTP proxy ---------------------------------------------------------------------------


def test_https_goes_through_a_connect_tunnel(
    https_server: TLSDemoServer, certificates: Certificates
) -> None:
    with ConnectProxy() as proxy:
        with httpx.Client(
            verify=certificates.client_context(), proxy=proxy.url, timeout=5
        ) as client:
            pages = [
                client.get(https_server.base_url + PATH, params={"page": n}, auth=AUTH)
                for n in (1, 2)
            ]
        assert [response.status_code for response in pages] == [200, 200]
        [tunnel] = proxy.requests  # both requests in one tunnel
    assert (tunnel.method, tunnel.target, tunnel.status) == (
        "CONNECT",
        f"127.0.0.1:{https_server.port}",
        200,
    )
    assert tunnel.header("Authorization") is None  # the API's credentials stay inside the tunnel
    assert tunnel.credentials is None


@pytest.mark.parametrize("delay_ms", [0, 5])
def test_a_tunnel_carries_large_answers_intact(
    https_server: TLSDemoServer, certificates: Certificates, delay_ms: float
) -> None:
    with ConnectProxy(delay_ms=delay_ms) as proxy:
        context = certificates.client_context()
        with httpx.Client(verify=context, proxy=proxy.url, timeout=10) as client:
            pages = [
                client.get(
                    https_server.base_url + PATH, params={"page": n, "page_size": 100}, auth=AUTH
                )
                for n in (1, 2)
            ]
    ids = [row["id"] for page in pages for row in page.json()["payload"]]
    assert ids == first_ids(https_server, 200)


def test_the_proxy_fixture_is_a_running_proxy(
    connect_proxy: ConnectProxy, demo_server: DemoServer
) -> None:
    with httpx.Client(proxy=connect_proxy.url, timeout=5) as client:
        assert client.get(demo_server.base_url + PATH, auth=AUTH).status_code == 200
    assert connect_proxy.count == 1


def test_plain_http_is_forwarded_in_absolute_form(demo_server: DemoServer) -> None:
    with ConnectProxy() as proxy, httpx.Client(proxy=proxy.url, timeout=5) as client:
        responses = [
            client.get(demo_server.base_url + PATH, params={"page": n}, auth=AUTH) for n in (1, 2)
        ]
        requests = proxy.requests
    assert [response.status_code for response in responses] == [200, 200]
    assert [row["id"] for row in responses[0].json()["payload"]] == first_ids(demo_server)
    assert [(r.method, r.status) for r in requests] == [("GET", 200), ("GET", 200)]
    assert requests[0].target == f"{demo_server.base_url}{PATH}?page=1"
    assert [record.page for record in demo_server.requests] == [1, 2]


def test_a_request_not_sent_to_the_proxy_is_not_counted(
    https_server: TLSDemoServer, certificates: Certificates
) -> None:
    with ConnectProxy() as proxy:
        with httpx.Client(verify=certificates.client_context(), timeout=5) as client:
            assert client.get(https_server.base_url + PATH, auth=AUTH).status_code == 200
        assert proxy.count == 0 and proxy.connections == 0


def test_without_credentials_the_proxy_asks_for_them() -> None:
    with ConnectProxy(auth=("alice", "s3cret")) as proxy:
        answer = raw_proxy_request(
            proxy, "CONNECT 127.0.0.1:9 HTTP/1.1\r\nHost: 127.0.0.1:9\r\n\r\n"
        )
        head = answer.split(b"\r\n\r\n")[0].decode()
        assert head.startswith("HTTP/1.1 407 ")
        assert f'\r\nProxy-Authenticate: Basic realm="{REALM}"' in head
        [record] = proxy.requests
    assert (record.status, record.credentials) == (407, None)


@pytest.mark.parametrize("password", ["s3cret", "p@ss:w/rd é"])
def test_the_credentials_received_are_recorded(
    https_server: TLSDemoServer, certificates: Certificates, password: str
) -> None:
    with ConnectProxy(auth=("alice", password)) as proxy:
        context = certificates.client_context()
        with (
            httpx.Client(
                verify=context, proxy=proxy.url_with("alice", "wrong"), timeout=5
            ) as client,
            pytest.raises(httpx.ProxyError, match="407"),
        ):
            client.get(https_server.base_url + PATH, auth=AUTH)
        with httpx.Client(
            verify=context, proxy=proxy.url_with("alice", password), timeout=5
        ) as client:
            assert client.get(https_server.base_url + PATH, auth=AUTH).status_code == 200
        refused, granted = proxy.requests
    assert (refused.status, refused.credentials) == (407, ("alice", "wrong"))
    assert (granted.status, granted.credentials) == (200, ("alice", password))


@pytest.mark.parametrize(
    "target",
    [
        "example.com:443",
        "10.0.0.1:443",
        "127.0.0.1.example.com:443",
        "localhost.localdomain:443",
        "[2001:db8::1]:443",
    ],
)
def test_a_tunnel_is_refused_to_anything_but_loopback(target: str) -> None:
    with ConnectProxy() as proxy:
        answer = raw_proxy_request(proxy, f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n")
        [record] = proxy.requests
    assert answer.startswith(b"HTTP/1.1 403 ")
    assert (record.target, record.status) == (target, 403)


def test_forwarding_is_refused_to_anything_but_loopback() -> None:
    with ConnectProxy() as proxy, httpx.Client(proxy=proxy.url, timeout=5) as client:
        assert client.get("http://example.com/").status_code == 403


def test_the_proxy_can_refuse_every_tunnel_with_a_bad_gateway(
    https_server: TLSDemoServer, certificates: Certificates
) -> None:
    with ConnectProxy(fail_connect=502) as proxy:
        with (
            httpx.Client(
                verify=certificates.client_context(), proxy=proxy.url, timeout=5
            ) as client,
            pytest.raises(httpx.ProxyError, match="502"),
        ):
            client.get(https_server.base_url + PATH, auth=AUTH)
        assert [record.status for record in proxy.requests] == [502]
    assert https_server.handshakes == []  # the server was never reached


def test_a_tunnel_to_a_closed_port_is_a_bad_gateway() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with ConnectProxy() as proxy:
        answer = raw_proxy_request(proxy, f"CONNECT 127.0.0.1:{port} HTTP/1.1\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 502 ")


@pytest.mark.parametrize(
    "head",
    [
        "nonsense\r\n\r\n",
        "GET /relative HTTP/1.1\r\n\r\n",
        "GET https://127.0.0.1:1/ HTTP/1.1\r\n\r\n",
    ],
)
def test_a_request_the_proxy_cannot_serve_is_a_bad_request(head: str) -> None:
    with ConnectProxy() as proxy:
        assert raw_proxy_request(proxy, head).startswith(b"HTTP/1.1 400 ")


@pytest.mark.parametrize(
    ("authority", "expected"),
    [
        ("127.0.0.1:443", ("127.0.0.1", 443)),
        ("[::1]:8443", ("::1", 8443)),
        ("localhost:1", ("localhost", 1)),
        ("::1:443", None),
        ("127.0.0.1", None),
        ("127.0.0.1:0", None),
        ("127.0.0.1:70000", None),
        (":443", None),
    ],
)
def test_split_authority(authority: str, expected: tuple[str, int] | None) -> None:
    assert split_authority(authority) == expected


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.9.9.9", True),
        ("::1", True),
        ("[::1]", True),
        ("LOCALHOST", True),
        ("localhost.", False),
        ("127.0.0.1.nip.io", False),
        ("0x7f.1", False),
        ("10.0.0.1", False),
        ("", False),
    ],
)
def test_loopback_targets_are_literal(host: str, loopback: bool) -> None:
    assert is_loopback_target(host) is loopback


def test_basic_credentials() -> None:
    assert basic_credentials("Basic YWxpY2U6czNjcjN0") == ("alice", "s3cr3t")
    assert basic_credentials("basic YWxpY2U6YTpi") == ("alice", "a:b")
    assert basic_credentials("Bearer abc") is None
    assert basic_credentials("Basic !!!") is None
    assert basic_credentials("Basic YWxpY2U=") is None  # no colon
    assert basic_credentials(None) is None


# --- SOCKS5 -----------------------------------------------------------------------------------

needs_socksio = pytest.mark.skipif(
    importlib.util.find_spec("socksio") is None, reason="httpx's SOCKS support needs socksio"
)


@needs_socksio
@pytest.mark.parametrize("auth", [None, ("alice", "s3cret")])
def test_https_through_socks5(
    https_server: TLSDemoServer, certificates: Certificates, auth: tuple[str, str] | None
) -> None:
    with Socks5Proxy(auth=auth) as proxy:
        url = (
            proxy.url if auth is None else f"socks5://{auth[0]}:{auth[1]}@{proxy.host}:{proxy.port}"
        )
        with httpx.Client(verify=certificates.client_context(), proxy=url, timeout=5) as client:
            assert client.get(https_server.base_url + PATH, auth=AUTH).status_code == 200
        [record] = proxy.requests
    assert (record.host, record.port, record.reply, record.credentials) == (
        "127.0.0.1",
        https_server.port,
        0,
        auth,
    )


@needs_socksio
def test_socks5_refuses_anything_but_loopback() -> None:
    with Socks5Proxy() as proxy, httpx.Client(proxy=proxy.url, timeout=5) as client:
        with pytest.raises(httpx.ProxyError, match="not allowed"):
            client.get("https://example.com/")
        [record] = proxy.requests
    assert (record.host, record.reply) == ("example.com", 2)


# --- the delaying forwarder -------------------------------------------------------------------


@pytest.mark.parametrize("delay_ms", [0, 5])
def test_the_forwarder_passes_large_answers_intact(
    https_server: TLSDemoServer, certificates: Certificates, delay_ms: float
) -> None:
    """Answers of many chunks (100 contacts a page) arrive whole and in order."""
    with DelayingForwarder(("127.0.0.1", https_server.port), delay_ms=delay_ms) as forwarder:
        url = f"https://127.0.0.1:{forwarder.port}{PATH}"
        with httpx.Client(verify=certificates.client_context(), timeout=10) as client:
            pages = [
                client.get(url, params={"page": n, "page_size": 100}, auth=AUTH) for n in (1, 2)
            ]
        assert forwarder.connections == 1
    ids = [row["id"] for page in pages for row in json.loads(page.content)["payload"]]
    assert ids == first_ids(https_server, 200)


def test_the_forwarder_forwards_to_loopback_only() -> None:
    with pytest.raises(ValueError, match="loopback"):
        DelayingForwarder(("192.0.2.1", 443))


def test_services_stop_with_connections_open(https_server: TLSDemoServer) -> None:
    forwarder = DelayingForwarder(("127.0.0.1", https_server.port), delay_ms=1).start()
    proxy = ConnectProxy().start()
    with (
        socket.create_connection(forwarder.address, timeout=5),
        socket.create_connection(proxy.address, timeout=5),
    ):
        forwarder.stop()
        proxy.stop()
    for service in (forwarder, proxy):
        with pytest.raises(OSError):
            socket.create_connection(service.address, timeout=2).close()
