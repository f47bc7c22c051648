"""Test support for sending: a self-signed certificate, a real aiosmtpd server with STARTTLS and
AUTH that can answer 4xx/5xx or drop connections, and an in-memory keyring backend."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import ipaddress
import logging
import socket
import ssl
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.mail.mailtest_keyring import USERNAME, MemoryKeyring, client_context

__all__ = ["USERNAME", "MemoryKeyring", "TestSmtpServer", "client_context", "make_certificate"]


class _AiosmtpdLoginDataNotice(logging.Filter):
    """Drops the "Session.login_data is deprecated" warning aiosmtpd 1.4 logs on every
    successful AUTH. It comes from aiosmtpd's own AUTH handler even when, as here, the
    non-deprecated ``authenticator``/``AuthResult`` API is used (aio-libs/aiosmtpd#347);
    nothing in LeadDesk or these tests touches ``Session.login_data``."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Session.login_data is deprecated")


logging.getLogger("mail.log").addFilter(_AiosmtpdLoginDataNotice())


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost/127.0.0.1; returns (cert, key) paths."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path = folder / "smtp-cert.pem"
    key_path = folder / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass
class Received:
    """One message the server accepted."""

    mail_from: str
    recipients: list[str]
    data: bytes
    stamp: Any

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.data, policy=policy.default)  # type: ignore[return-value]

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


@dataclass
class Script:
    """What the server answers: queued replies for DATA, per-recipient replies, drops."""

    data_replies: deque[str] = field(default_factory=deque)
    rcpt_replies: dict[str, str] = field(default_factory=dict)
    mail_reply: str | None = None
    drop_after_data: int = 0  # store the message, then cut the connection (this many times)
    data_delay: float = 0.0  # seconds the server "thinks" before answering DATA


class RecordingHandler:
    """An aiosmtpd handler that stores every accepted message and follows a :class:`Script`."""

    def __init__(self, stamp: Callable[[], Any]) -> None:
        self.received: list[Received] = []
        self.script = Script()
        self.stamp = stamp
        self.lock = threading.Lock()
        self.auth_attempts: list[str] = []

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.script.mail_reply:
            return self.script.mail_reply
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        reply = self.script.rcpt_replies.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.script.data_delay:
            await asyncio.sleep(self.script.data_delay)
        with self.lock:
            if self.script.data_replies:
                return self.script.data_replies.popleft()
            self.received.append(
                Received(
                    envelope.mail_from, list(envelope.rcpt_tos), envelope.content, self.stamp()
                )
            )
            if self.script.drop_after_data > 0:
                self.script.drop_after_data -= 1
                server.transport.abort()
                return "250 OK (never heard)"
        return "250 OK queued"


class TestSmtpServer:
    """A running loopback aiosmtpd with STARTTLS required and AUTH checked against a password."""

    __test__ = False

    def __init__(self, folder: Path, password: str, stamp: Callable[[], Any]) -> None:
        self.cert_path, key_path = make_certificate(folder)
        self.password = password
        self.handler = RecordingHandler(stamp)
        server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        server_context.load_cert_chain(self.cert_path, key_path)
        self.port = free_port()
        self.controller = Controller(
            self.handler,
            hostname="127.0.0.1",
            port=self.port,
            tls_context=server_context,
            require_starttls=True,
            authenticator=self._authenticate,
            auth_required=True,
            auth_require_tls=True,
            ready_timeout=10,
        )

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        self.handler.auth_attempts.append(data.login.decode())
        ok = data.login.decode() == USERNAME and data.password.decode() == self.password
        return AuthResult(success=ok, handled=False)

    def start(self) -> TestSmtpServer:
        self.controller.start()  # raises when the server cannot start: the test fails
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    @property
    def script(self) -> Script:
        return self.handler.script


def free_port() -> int:
    """A TCP port on loopback nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
