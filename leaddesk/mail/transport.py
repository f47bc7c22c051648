"""The SMTP session: yagmail opens, secures and authenticates it; LeadDesk submits over it.

yagmail's own ``send()`` is never used (it reconnects per message, silently resends after a drop,
shares Message-IDs and turns path strings into attachments). We let it log in — with the password
handed over from the keyring, so it can never prompt — and then submit every message ourselves on
the authenticated connection it holds, one SMTP transaction per message, tracking how far each
transaction got: a connection lost *after* the message data went out may have delivered it.
"""

from __future__ import annotations

import contextlib
import re
import smtplib  # exceptions and reply handling only: yagmail opens the sessions
import socket
import ssl
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import yagmail

from leaddesk.mail.compose import Outgoing

DEFAULT_TIMEOUT = 30.0
# RFC 5321 §4.5.3.2.6: a client should wait 10 minutes for the reply to the final "." — a busy
# server may scan the message that long; giving up sooner turns a delivered message "unknown".
FINAL_REPLY_TIMEOUT = 600.0
# Started before MAIL FROM, finished before DATA (see :meth:`SmtpSession.begin`).
BeforeData = Callable[[], "Future[None]"]


@dataclass(frozen=True)
class ServerSettings:
    """Where and how to reach one account's SMTP server."""

    host: str
    port: int
    security: str  # "ssl" | "starttls" | "none"
    username: str


class Phase(StrEnum):
    """How far an SMTP transaction got."""

    CONNECT = "connect"
    MAIL = "mail"
    RCPT = "rcpt"
    DATA = "data"
    PAYLOAD = "payload"  # the message data was (being) transmitted


@dataclass(frozen=True)
class Reply:
    """The outcome of submitting one message.

    ``dropped`` means the connection went away; with ``phase == PAYLOAD`` the server may already
    hold the message, so it must not be sent again automatically.
    """

    code: int
    text: str
    phase: Phase
    dropped: bool = False

    @property
    def accepted(self) -> bool:
        """True when the server took responsibility for the message (250)."""
        return not self.dropped and self.phase is Phase.PAYLOAD and 200 <= self.code < 300

    def describe(self) -> str:
        """The server's words for the log and the Outbox (never anything secret)."""
        if self.dropped:
            return f"connection lost during {self.phase}: {self.text}".strip()
        return f"{self.code} {self.text}".strip()


class OpenError(Exception):
    """The session could not be opened; ``step`` says where it failed, ``code`` any SMTP code."""

    def __init__(self, step: str, message: str, code: int = 0) -> None:
        super().__init__(message)
        self.step = step
        self.code = code


def client_tls_context() -> ssl.SSLContext:
    """A verifying TLS context (system CAs; ``SSL_CERT_FILE`` adds a private CA)."""
    return ssl.create_default_context()


def _decode(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return " ".join(text.split())


_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+")


def _envelope_address(address: str) -> str:
    """``<address>`` for MAIL/RCPT, as ``smtplib`` quotes it (without parsing a plain one)."""
    if _PLAIN_ADDRESS.fullmatch(address):
        return f"<{address}>"
    return str(smtplib.quoteaddr(address))


def _dot_stuffed(data: bytes) -> bytes:
    body = re.sub(rb"(?:\r\n|\n|\r(?!\n))", b"\r\n", data)
    body = re.sub(rb"(?m)^\.", b"..", body)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    return body + b".\r\n"


class SmtpSession:
    """One authenticated SMTP connection, opened by yagmail, used for many messages."""

    def __init__(
        self,
        settings: ServerSettings,
        password: str,
        *,
        tls_context: ssl.SSLContext | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        final_reply_timeout: float = FINAL_REPLY_TIMEOUT,
    ) -> None:
        self.settings = settings
        self._password = password
        self._tls_context = tls_context
        self._timeout = timeout
        self.final_reply_timeout = final_reply_timeout
        self._client: Any = None
        self.broken = True

    def open(self) -> None:
        """Connect, secure and log in (raises :class:`OpenError` with the failing step)."""
        self.close()
        settings = self.settings
        context = self._tls_context or client_tls_context()
        kwargs: dict[str, Any] = {"timeout": self._timeout}
        if settings.security == "ssl":
            kwargs["context"] = context
        starttls: bool | dict[str, Any] = (
            {"context": context} if settings.security == "starttls" else False
        )
        skip_login = not settings.username
        client = yagmail.SMTP(
            # A one-entry dict stops yagmail from appending "@gmail.com" to plain user names.
            user={settings.username: settings.username} if settings.username else "",
            password=self._password,
            host=settings.host,
            port=settings.port,
            smtp_ssl=settings.security == "ssl",
            smtp_starttls=starttls,
            smtp_skip_login=skip_login,
            soft_email_validation=False,
            **kwargs,
        )
        client.set_logging(None)
        try:
            self._login(client)
        finally:
            if self._client is None:
                _quietly_close(client)

    def _login(self, client: Any) -> None:
        settings = self.settings
        try:
            client.login()
            # A relay without a login (most company relays, a local MTA) still wants EHLO before
            # MAIL FROM; yagmail greets only when it starts TLS or logs in.
            client.smtp.ehlo_or_helo_if_needed()
        except smtplib.SMTPAuthenticationError as error:
            raise OpenError("login", _decode(error.smtp_error), error.smtp_code) from None
        except smtplib.SMTPNotSupportedError as error:
            raise OpenError("tls", f"the server does not offer STARTTLS ({error})") from None
        except smtplib.SMTPResponseException as error:
            step = "login" if client.smtp is not None and _has_tls(client.smtp) else "connect"
            raise OpenError(step, _decode(error.smtp_error), error.smtp_code) from None
        except ssl.SSLError as error:
            raise OpenError("tls", f"TLS failed: {error.reason or error}") from None
        except (socket.gaierror, ConnectionRefusedError, TimeoutError) as error:
            raise OpenError("connect", _connect_problem(settings, error)) from None
        except (smtplib.SMTPException, OSError) as error:
            raise OpenError("connect", f"{type(error).__name__}: {error}") from None
        self._client = client
        self.broken = False

    @property
    def is_open(self) -> bool:
        """True while the connection is usable for the next message."""
        return self._client is not None and not self.broken

    def submit(self, outgoing: Outgoing) -> Reply:
        """Run one SMTP transaction for ``outgoing`` and report how it ended."""
        reply = self.begin(outgoing)
        return reply if reply is not None else self.end()

    def begin(self, outgoing: Outgoing, before_data: BeforeData | None = None) -> Reply | None:
        """Send MAIL, RCPT, DATA and the message; ``None`` while the final reply is awaited.

        The caller may do other work while the server digests the message, then MUST call
        :meth:`end` before anything else uses this session. A reply is returned at once when
        the server refused before the data or the connection dropped. ``before_data`` is
        started with MAIL and must be finished before the DATA command (the caller records
        that the message may now reach the server): its future is waited for once RCPT is
        answered; if it failed, the transaction is reset, nothing is sent and its exception
        propagates.
        """
        if not self.is_open:
            return Reply(0, "not connected", Phase.CONNECT, dropped=True)
        connection = self._client.smtp
        phase = Phase.MAIL
        try:
            connection.putcmd("mail", f"FROM:{_envelope_address(outgoing.envelope_from)}")
            waiting = _start_step(before_data)  # runs while the server checks the envelope
            data = outgoing.data  # generated while the server checks the sender
            code, text = connection.getreply()
            if code != 250:
                return self._refused(code, text, phase)
            phase = Phase.RCPT
            connection.putcmd("rcpt", f"TO:{_envelope_address(outgoing.recipient)}")
            payload = _dot_stuffed(data)  # while the server checks the recipient
            code, text = connection.getreply()
            failure = _finish_step(waiting)
            if failure is not None:
                self._reset()
                raise failure
            if code not in (250, 251):
                return self._refused(code, text, phase)
            phase = Phase.DATA
            code, text = connection.docmd("data")
            if code != 354:
                return self._refused(code, text, phase)
            phase = Phase.PAYLOAD
            connection.send(payload)
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            self.broken = True
            return Reply(0, str(error) or type(error).__name__, phase, dropped=True)
        return None

    def _reset(self) -> None:
        """RSET the transaction (a dead connection is marked broken)."""
        try:
            self._client.smtp.rset()
        except (smtplib.SMTPException, OSError):
            self.broken = True

    def end(self) -> Reply:
        """The server's reply to the message sent by :meth:`begin`."""
        if self._client is None:
            return Reply(0, "the connection was closed", Phase.PAYLOAD, dropped=True)
        connection = self._client.smtp
        sock: socket.socket | None = getattr(connection, "sock", None)
        previous = sock.gettimeout() if sock is not None else None
        try:
            if sock is not None:
                sock.settimeout(max(previous or 0.0, self.final_reply_timeout))
            code, text = connection.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            self.broken = True
            return Reply(0, str(error) or type(error).__name__, Phase.PAYLOAD, dropped=True)
        finally:
            still_open = getattr(connection, "sock", None) is not None
            if sock is not None and still_open:
                with contextlib.suppress(OSError):
                    sock.settimeout(previous)
        if code == 421:
            self.broken = True
        return Reply(code, _decode(text), Phase.PAYLOAD)

    def _refused(self, code: int, text: bytes, phase: Phase) -> Reply:
        reply = Reply(code, _decode(text), phase)
        if code == 421 or code < 0:
            self.broken = True
            return reply
        self._reset()
        return reply

    def close(self) -> None:
        """Say QUIT (politely, ignoring a dead connection) and forget the connection."""
        client, self._client = self._client, None
        self.broken = True
        if client is not None:
            _quietly_close(client)


def _start_step(step: BeforeData | None) -> Future[None] | Exception | None:
    """Start the caller's step (its future), or the exception starting it raised."""
    if step is None:
        return None
    try:
        return step()
    except Exception as error:
        return error


def _finish_step(waiting: Future[None] | Exception | None) -> Exception | None:
    """Wait for the caller's step; the exception it ended with (``None``: done)."""
    if waiting is None or isinstance(waiting, Exception):
        return waiting
    try:
        waiting.result()
    except Exception as error:
        return error
    return None


def _quietly_close(client: Any) -> None:
    """QUIT if the connection still works; always close the socket."""
    connection = getattr(client, "smtp", None)
    client.is_closed = True
    if connection is None:
        return
    with contextlib.suppress(smtplib.SMTPException, OSError):
        if getattr(connection, "sock", None) is not None:
            connection.quit()
    with contextlib.suppress(OSError):
        connection.close()


def _has_tls(connection: Any) -> bool:
    return isinstance(getattr(connection, "sock", None), ssl.SSLSocket)


def _connect_problem(settings: ServerSettings, error: BaseException) -> str:
    where = f"{settings.host}:{settings.port}"
    if isinstance(error, socket.gaierror):
        return f"the server name {settings.host!r} was not found (check the spelling)"
    if isinstance(error, ConnectionRefusedError):
        return f"{where} refused the connection (check the port and security setting)"
    return f"{where} did not answer in time (check the port, a firewall or the network)"
