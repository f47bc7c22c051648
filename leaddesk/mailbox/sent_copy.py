"""Filing a copy of each sent email in the account's Sent folder, as mail clients do.

Most providers (everyone but Gmail, Google Workspace and Microsoft 365) do not put messages
submitted over SMTP into Sent. After each 250 the sender appends the exact bytes it sent, so the
Sent folder shows what went out and an email whose outcome a crash left unknown is found there
(:mod:`leaddesk.mailbox.reconcile`). The connection used here can only log in and APPEND:
the mailbox reader stays read-only, and nothing here reads, flags or deletes a message.
A failing IMAP server never holds up sending: the copy is skipped (and logged) for the pass.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import ssl
import time
from collections.abc import Sequence
from typing import Any

from leaddesk.db.models import SenderAccount
from leaddesk.mailbox.client import CONNECT_TIMEOUT_SECONDS, ImapSettings
from leaddesk.mailbox.credentials import KIND, get_password
from leaddesk.mailbox.reconcile import provider_files_sent

_log = logging.getLogger(__name__)
ALLOWED = frozenset({"CAPABILITY", "LOGIN", "AUTHENTICATE", "STARTTLS", "APPEND", "NOOP", "LOGOUT"})


class _AppendOnly(imaplib.IMAP4):
    def _command(self, name: str, *args: Any) -> Any:
        if name.upper() not in ALLOWED:
            self.literal = None
            raise imaplib.IMAP4.error(f"the Sent-copy connection never sends {name}")
        return super()._command(name, *args)  # type: ignore[misc]


class _AppendOnlyPlain(_AppendOnly, imaplib.IMAP4):
    """An IMAP connection that can only log in and APPEND."""


class _AppendOnlySSL(_AppendOnly, imaplib.IMAP4_SSL):
    """The same over TLS from the first byte."""


def should_file(account: SenderAccount) -> bool:
    """True when copies go to Sent: a mailbox is set up, the switch is on, and the provider
    does not file SMTP submissions there by itself."""
    return (
        bool(account.imap_host)
        and bool(account.append_to_sent)
        and bool(account.sent_folder)
        and not provider_files_sent(account.provider or "", account.smtp_host or "")
    )


def copy_settings(account: SenderAccount) -> tuple[ImapSettings, str] | None:
    """How to reach the account's mailbox and which folder to file in (None: do not file)."""
    if not should_file(account):
        return None
    username = account.imap_username or account.from_address
    password = get_password(KIND, account.id, username)
    if password is None:
        return None
    settings = ImapSettings(
        account.imap_host, account.imap_port, account.imap_security, username, password
    )
    return settings, account.sent_folder


class SentFiler:
    """One account's append-only IMAP connection for a sending pass (opened on first use)."""

    def __init__(
        self, settings: ImapSettings, folder: str, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        self._settings = settings
        self._folder = folder
        self._ssl_context = ssl_context or ssl.create_default_context()
        self._client: imaplib.IMAP4 | None = None
        self.broken = False
        self.filed = 0

    def _open(self) -> imaplib.IMAP4:
        s = self._settings
        client: imaplib.IMAP4
        if s.security == "ssl":
            client = _AppendOnlySSL(
                s.host, s.port, ssl_context=self._ssl_context, timeout=CONNECT_TIMEOUT_SECONDS
            )
        else:
            client = _AppendOnlyPlain(s.host, s.port, timeout=CONNECT_TIMEOUT_SECONDS)
            if s.security == "starttls":
                client.starttls(self._ssl_context)
        client.login(s.username, s.password)
        return client

    def file(self, data: bytes) -> bool:
        """Append one sent message (marked read); False (and no retry this pass) on failure."""
        if self.broken:
            return False
        try:
            if self._client is None:
                self._client = self._open()
            status, detail = self._client.append(
                _quoted(self._folder), r"(\Seen)", imaplib.Time2Internaldate(time.time()), data
            )
        except (OSError, imaplib.IMAP4.error, ssl.SSLError) as error:
            return self._give_up(str(error))
        if status != "OK":
            return self._give_up(_text(detail))
        self.filed += 1
        return True

    def _give_up(self, why: str) -> bool:
        self.broken = True
        _log.warning("could not file a copy in %s: %s", self._folder, why)
        self.close()
        return False

    def close(self) -> None:
        """Log out (quietly)."""
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(OSError, imaplib.IMAP4.error):
                client.logout()


def _quoted(folder: str) -> str:
    escaped = folder.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _text(detail: Sequence[Any] | None) -> str:
    parts = [d.decode("utf-8", "replace") if isinstance(d, bytes) else str(d) for d in detail or []]
    return " ".join(parts)
