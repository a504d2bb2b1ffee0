"""The demo server over HTTPS, with certificates from a CA of the tests' own, for the trust tests.

A client that verifies TLS must be tried against every way a certificate fails, over a real
handshake: ``Certificates`` makes a private CA (with ``trustme``) and one server certificate per
failure (signed for another name, expired, self-signed, signed by a CA nobody trusts), plus one
that is good and one signed by an intermediate CA. It also lays the CA out as a system store
would be: a bundle for ``SSL_CERT_FILE`` and a hashed directory for ``SSL_CERT_DIR``.

``TLSDemoServer`` is ``DemoServer`` on a TLS listening socket. The handshake is done in each
connection's own thread (on its first read), so a client that connects and never speaks does
not hold up the others, keep-alive works as over plain HTTP, and a client that refuses the
certificate is recorded in ``handshakes`` with the alert it sent.

Usage in a test module (the fixtures are imported like those of ``tui_fixtures``)::

    from tls_servers import certificates, https_server, start_https_server

    def test_expired(start_https_server, certificates):
        server = start_https_server("expired")
        ...  # point the client at server.base_url, trusting certificates.ca_pem
"""

from __future__ import annotations

import contextlib
import datetime
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from livedesk_tui.demo.server import DemoServer

trustme = pytest.importorskip("trustme", reason="the certificates are made with trustme")

FAR_NAME = "api.livedesk.test"
"""A name no resolver knows (``.test`` is reserved): a server reached only through a proxy
that resolves it itself (``ConnectProxy(names={FAR_NAME: "127.0.0.1"})``)."""

HOSTS = ("127.0.0.1", "localhost", "::1", FAR_NAME)
"""The names every server certificate here is valid for (except ``wrong_name``'s)."""

WRONG_NAME = "wrong.example"
"""The only name ``wrong_name``'s certificate is valid for."""

VARIANTS = ("good", "intermediate", "wrong_name", "expired", "self_signed", "unknown_issuer")
"""The server certificates ``Certificates`` makes, by name."""

VERIFY_CODES = {
    "wrong_name": (62, 64),  # hostname mismatch / IP address mismatch (127.0.0.1)
    "expired": (10,),  # certificate has expired
    "self_signed": (18,),  # self-signed certificate (depth zero)
    "unknown_issuer": (20,),  # unable to get local issuer certificate
}
"""OpenSSL's ``verify_code`` for each failing variant, against a client trusting ``ca_pem``
(what ``ssl.SSLCertVerificationError.verify_code`` says)."""


@dataclass(frozen=True, slots=True)
class ServerCert:
    """A server's certificate chain and key, as PEM files.

    Args:
        name: Which variant (one of ``VARIANTS``).
        chain: The leaf certificate, then any intermediate CA's.
        key: The leaf's private key.
        leaf: The leaf certificate alone (what a client pins as its ``ca_bundle`` to trust a
            self-signed server).
    """

    name: str
    chain: Path
    key: Path
    leaf: Path

    def server_context(self) -> ssl.SSLContext:
        """A server-side context presenting this chain."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.chain, self.key)
        return context


class Certificates:
    """A private CA and one server certificate per variant, written under ``directory``.

    Attributes:
        ca_pem: The test CA's certificate: what ``SSL_CERT_FILE``, ``--ca-bundle`` or a
            profile's ``ca_bundle`` points at for the ``good``, ``intermediate``,
            ``wrong_name`` and ``expired`` servers to be trusted by their issuer.
        other_ca_pem: Another CA's certificate, which signed ``unknown_issuer`` (trust it and
            that server is good).
        bundle: A bundle of two CAs, the other one first then the test CA: a client that
            reads only the first certificate of a bundle fails against ``good``.
        store_dir: A hashed certificate directory holding the test CA as ``<subject
            hash>.0``, as OpenSSL looks certificates up in ``SSL_CERT_DIR``.
        empty_bundle: A file with no certificate at all (``SSL_CERT_FILE`` pointing at it
            trusts nothing).
    """

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self._ca = trustme.CA(organization_name="LiveDesk test CA")
        self._other_ca = trustme.CA(organization_name="Some other CA")
        self.ca_pem = self._write("ca.pem", self._ca.cert_pem.bytes())
        self.other_ca_pem = self._write("other-ca.pem", self._other_ca.cert_pem.bytes())
        self.bundle = self._write(
            "bundle.pem", self._other_ca.cert_pem.bytes() + self._ca.cert_pem.bytes()
        )
        self.empty_bundle = self._write("empty.pem", b"")
        self.store_dir = directory / "store"
        self.store_dir.mkdir(exist_ok=True)
        shutil.copyfile(self.ca_pem, self.store_dir / f"{subject_hash(self.ca_pem)}.0")
        now = datetime.datetime.now(datetime.UTC)
        self._certs = {
            "good": self._issue("good", self._ca, HOSTS),
            "intermediate": self._issue("intermediate", self._ca.create_child_ca(), HOSTS),
            "wrong_name": self._issue("wrong_name", self._ca, (WRONG_NAME,)),
            "expired": self._issue(
                "expired",
                self._ca,
                HOSTS,
                not_before=now - datetime.timedelta(days=60),
                not_after=now - datetime.timedelta(days=1),
            ),
            "unknown_issuer": self._issue("unknown_issuer", self._other_ca, HOSTS),
            "self_signed": self._self_signed(),
        }

    def __getitem__(self, name: str) -> ServerCert:
        """The server certificate of variant ``name`` (one of ``VARIANTS``)."""
        try:
            return self._certs[name]
        except KeyError:
            raise KeyError(f"no certificate variant {name!r}; choose from {VARIANTS}") from None

    def client_context(self, cafile: Path | None = None) -> ssl.SSLContext:
        """A client context that verifies against ``cafile`` (the test CA by default) only."""
        return ssl.create_default_context(cafile=str(cafile or self.ca_pem))

    def env_file(self) -> dict[str, str]:
        """``SSL_CERT_FILE`` pointing at the two-CA bundle (as a company's bundle would be)."""
        return {"SSL_CERT_FILE": str(self.bundle)}

    def env_dir(self) -> dict[str, str]:
        """``SSL_CERT_DIR`` pointing at the hashed store, and ``SSL_CERT_FILE`` at the empty
        bundle, so the test CA can only be found in the directory."""
        return {"SSL_CERT_DIR": str(self.store_dir), "SSL_CERT_FILE": str(self.empty_bundle)}

    # --- making them ------------------------------------------------------------------------

    def _write(self, name: str, data: bytes) -> Path:
        path = self.directory / name
        path.write_bytes(data)
        return path

    def _issue(
        self, name: str, ca: trustme.CA, hosts: tuple[str, ...], **validity: Any
    ) -> ServerCert:
        leaf = ca.issue_cert(*hosts, **validity)
        chain = b"".join(blob.bytes() for blob in leaf.cert_chain_pems)
        return ServerCert(
            name=name,
            chain=self._write(f"{name}.chain.pem", chain),
            key=self._write(f"{name}.key.pem", leaf.private_key_pem.bytes()),
            leaf=self._write(f"{name}.pem", leaf.cert_chain_pems[0].bytes()),
        )

    def _self_signed(self) -> ServerCert:
        """A leaf that signed itself: valid for ``HOSTS``, not a CA, issued by no one."""
        import ipaddress

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "self-signed test server")])
        now = datetime.datetime.now(datetime.UTC)
        names: list[x509.GeneralName] = []
        for host in HOSTS:
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(host)))
            except ValueError:
                names.append(x509.DNSName(host))
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .sign(key, hashes.SHA256())
        )
        pem = cert.public_bytes(serialization.Encoding.PEM)
        key_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return ServerCert(
            name="self_signed",
            chain=self._write("self_signed.chain.pem", pem),
            key=self._write("self_signed.key.pem", key_pem),
            leaf=self._write("self_signed.pem", pem),
        )


def subject_hash(pem: Path) -> str:
    """OpenSSL's subject name hash of a certificate (the name it has in a hashed directory).

    Raises:
        RuntimeError: the ``openssl`` command is not installed.
    """
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError("the openssl command is needed to name certificates in SSL_CERT_DIR")
    done = subprocess.run(
        [openssl, "x509", "-hash", "-noout", "-in", str(pem)],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return done.stdout.strip()


# --- the server -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HandshakeRecord:
    """One TLS handshake as the server saw it.

    Args:
        ok: Whether it completed.
        error: Why not (OpenSSL's reason, e.g. ``TLSV1_ALERT_UNKNOWN_CA`` when the client
            refused the certificate), else ``None``.
        version: The TLS version agreed (``TLSv1.3``), when it completed.
    """

    ok: bool
    error: str | None = None
    version: str | None = None


class _HandshakeLog:
    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._records: list[HandshakeRecord] = []

    def add(self, record: HandshakeRecord) -> None:
        with self._lock:
            self._records.append(record)
            self._lock.notify_all()

    def wait(self, count: int, timeout: float) -> list[HandshakeRecord]:
        with self._lock:
            self._lock.wait_for(lambda: len(self._records) >= count, timeout)
            return list(self._records)

    def snapshot(self) -> list[HandshakeRecord]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()


def _socket_class(log: _HandshakeLog) -> type[ssl.SSLSocket]:
    """An ``SSLSocket`` that shakes hands on its first read, in the thread reading it, and
    records how that went."""

    class HandshakeOnFirstRead(ssl.SSLSocket):
        _shaken = False

        def recv_into(self, buffer: Any, nbytes: int | None = None, flags: int = 0) -> int:
            if not self._shaken:
                self._shaken = True
                try:
                    self.do_handshake()
                except (ssl.SSLError, OSError) as exc:
                    reason = getattr(exc, "reason", None) or type(exc).__name__
                    log.add(HandshakeRecord(ok=False, error=str(reason)))
                    raise
                log.add(HandshakeRecord(ok=True, version=self.version()))
            return super().recv_into(buffer, nbytes, flags)

    return HandshakeOnFirstRead


class TLSDemoServer(DemoServer):
    """``DemoServer`` over HTTPS, presenting ``cert``; ``base_url`` is ``https://...``.

    Args:
        cert: The certificate it presents (``certificates["good"]``...).
        url_host: The host ``base_url`` names: ``127.0.0.1`` (an IP address: no SNI is sent,
            and the certificate is matched against its IP entries) or ``localhost`` (a name:
            SNI and a DNS entry). The server listens on ``host`` either way.
        **options: What ``DemoServer`` takes (``contacts``, ``latency_ms``, ``host``...).
    """

    def __init__(self, cert: ServerCert, *, url_host: str | None = None, **options: Any) -> None:
        super().__init__(**options)
        self.cert = cert
        self.url_host = url_host
        self._handshakes = _HandshakeLog()

    def start(self, listening: socket.socket | None = None) -> TLSDemoServer:
        """Listen on ``listening`` (or a new socket on ``host:port``) with TLS; see
        ``DemoServer.start``."""
        if self.running or self.stopping.is_set():
            super().start()
            return self
        plain = listening or socket.create_server(
            (self._bind_host, self.port),
            family=socket.AF_INET6 if ":" in self._bind_host else socket.AF_INET,
            backlog=128,
        )
        context = self.cert.server_context()
        context.sslsocket_class = _socket_class(self._handshakes)
        try:
            super().start(
                context.wrap_socket(plain, server_side=True, do_handshake_on_connect=False)
            )
        except BaseException:
            plain.close()
            raise
        return self

    def __enter__(self) -> TLSDemoServer:
        return self.start()

    @property
    def base_url(self) -> str:
        """``https://127.0.0.1:<port>`` (or ``url_host``'s name)."""
        host = self.url_host or self._bind_host
        return f"https://[{host}]:{self.port}" if ":" in host else f"https://{host}:{self.port}"

    @property
    def handshakes(self) -> list[HandshakeRecord]:
        """Every handshake so far, oldest first (cleared by ``reset_log``)."""
        return self._handshakes.snapshot()

    def wait_for_handshakes(self, count: int = 1, timeout: float = 5.0) -> list[HandshakeRecord]:
        """Wait until ``count`` handshakes have ended (the server learns that a client refused
        its certificate just after the client does); returns them all, however many there are
        by the ``timeout``."""
        return self._handshakes.wait(count, timeout)

    def reset_log(self) -> None:
        super().reset_log()
        self._handshakes.clear()


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    """The test CA and every server certificate variant, made once per run."""
    return Certificates(tmp_path_factory.mktemp("certificates"))


@pytest.fixture
def start_https_server(
    certificates: Certificates,
) -> Iterator[Callable[..., TLSDemoServer]]:
    """Start ``TLSDemoServer``s for one test: ``start_https_server("expired", latency_ms=50)``
    (the variant, then ``TLSDemoServer``'s options); each is stopped when the test ends."""
    started: list[TLSDemoServer] = []

    def start(variant: str = "good", **options: Any) -> TLSDemoServer:
        server = TLSDemoServer(certificates[variant], **options)
        started.append(server)
        return server.start()

    yield start
    for server in started:
        with contextlib.suppress(Exception):
            server.stop()


@pytest.fixture
def https_server(start_https_server: Callable[..., TLSDemoServer]) -> TLSDemoServer:
    """A running HTTPS demo server (1,000 contacts, seed 7) with the ``good`` certificate."""
    return start_https_server("good")
