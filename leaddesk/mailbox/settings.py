"""An account's IMAP settings: validate, save (password to the keyring), test, show status.

Shared by the CLI (``leaddesk mailbox ...``) and the Settings → Accounts IMAP section.
"""

from __future__ import annotations

import contextlib
import imaplib
import ssl
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from imap_tools.errors import MailboxFolderStatusError
from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.clock import utcnow
from leaddesk.db.engine import Database
from leaddesk.db.models import SenderAccount
from leaddesk.mailbox.client import ImapSettings, MailboxError, connect
from leaddesk.mailbox.credentials import KIND, get_password, set_password
from leaddesk.mailbox.deliverability import deliverability_warning

SECURITY_CHOICES = ("ssl", "starttls", "none")
DEFAULT_PORTS = {"ssl": 993, "starttls": 143, "none": 143}
DEFAULT_POLL_MINUTES = 5


@dataclass
class ImapConfig:
    """The IMAP part of a sender account, as plain data (no password)."""

    host: str = ""
    port: int = 993
    security: str = "ssl"
    username: str = ""
    folders: list[str] = field(default_factory=lambda: ["INBOX"])
    sent_folder: str = "Sent"
    poll_minutes: int = DEFAULT_POLL_MINUTES
    append_to_sent: bool = True

    @classmethod
    def of(cls, account: SenderAccount) -> ImapConfig:
        """The stored settings of ``account``."""
        return cls(
            host=account.imap_host,
            port=account.imap_port,
            security=account.imap_security,
            username=account.imap_username,
            folders=list(account.imap_folders or ["INBOX"]),
            sent_folder=account.sent_folder,
            poll_minutes=account.poll_minutes,
            append_to_sent=bool(account.append_to_sent),
        )

    def problems(self) -> list[str]:
        """What is wrong with these settings, worded for the user (empty when fine)."""
        found = []
        if self.security not in SECURITY_CHOICES:
            found.append(f"security must be one of {', '.join(SECURITY_CHOICES)}")
        if not 0 < self.port < 65536:
            found.append("the port must be between 1 and 65535")
        if self.host and not self.username:
            found.append("the IMAP username is missing")
        if not [f for f in self.folders if f.strip()]:
            found.append("watch at least one folder (usually INBOX)")
        if self.poll_minutes < 1:
            found.append("the poll interval must be at least one minute")
        return found

    def apply_to(self, account: SenderAccount) -> None:
        """Write these settings into ``account`` (the caller commits)."""
        account.imap_host = self.host.strip()
        account.imap_port = self.port
        account.imap_security = self.security
        account.imap_username = self.username.strip()
        account.imap_folders = [f.strip() for f in self.folders if f.strip()]
        account.sent_folder = self.sent_folder.strip()
        account.poll_minutes = self.poll_minutes
        account.append_to_sent = self.append_to_sent


def find_account(session: Session, reference: str | int) -> SenderAccount:
    """The account named ``reference`` (or with that id); LookupError when there is none."""
    text = str(reference).strip()
    account = session.scalar(select(SenderAccount).where(SenderAccount.name == text))
    if account is None and text.isdigit():
        account = session.get(SenderAccount, int(text))
    if account is None:
        raise LookupError(f"no sender account named {text!r}")
    return account


def save_imap_settings(
    db: Database, account_id: int, config: ImapConfig, password: str | None = None
) -> bool:
    """Store ``config`` (and the password in the keyring). False: password kept for session only."""
    problems = config.problems()
    if problems:
        raise ValueError("; ".join(problems))
    with db.write() as session:
        account = session.get(SenderAccount, account_id)
        if account is None:
            raise LookupError(f"sender account {account_id} no longer exists")
        config.apply_to(account)
        account.last_sync_error = ""
    if password:
        return set_password(KIND, account_id, config.username, password)
    return True


@dataclass
class ConnectionCheck:
    """The answer of "Test connection": did it work, and what about each folder."""

    ok: bool
    message: str
    folders: dict[str, int] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


def check_connection(
    config: ImapConfig,
    password: str | None,
    *,
    account_id: int | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> ConnectionCheck:
    """Log in read-only and look at every watched folder and the Sent folder."""
    if not password and account_id is not None:
        password = get_password(KIND, account_id, config.username)
    if not password:
        return ConnectionCheck(False, "enter the IMAP password first")
    problems = config.problems()
    if problems or not config.host:
        return ConnectionCheck(False, "; ".join(problems) or "enter the IMAP server name")
    settings = ImapSettings(config.host, config.port, config.security, config.username, password)
    try:
        box = connect(settings, ssl_context)
    except MailboxError as error:
        return ConnectionCheck(False, str(error))
    check = ConnectionCheck(True, "")
    try:
        for folder in [*config.folders, config.sent_folder]:
            if not folder or folder in check.folders:
                continue
            try:
                check.folders[folder] = int(box.folder.status(folder, ["MESSAGES"])["MESSAGES"])
            except MailboxFolderStatusError:
                check.missing.append(folder)
    except (OSError, imaplib.IMAP4.error) as error:
        return ConnectionCheck(False, f"the connection broke while checking folders ({error})")
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            box.logout()
    if check.missing:
        check.ok = False
        check.message = (
            f"logged in, but these folders do not exist: {', '.join(check.missing)} — "
            "check the folder names"
        )
    else:
        total = sum(check.folders.values())
        check.message = f"connected: {len(check.folders)} folders, {total} messages (read-only)"
    return check


@dataclass(frozen=True)
class MailboxStatus:
    """One account's mailbox state for the status bar and ``leaddesk mailbox status``."""

    account_id: int
    account: str
    configured: bool
    last_sync_at: datetime | None
    error: str
    poll_minutes: int
    warning: str = ""


def mailbox_status(db: Database, now: datetime | None = None) -> list[MailboxStatus]:
    """Every sender account's last sync, last error and deliverability warning (as of
    ``now``, default the system clock)."""
    moment = now or utcnow()
    with db.session() as session:
        return [
            MailboxStatus(
                a.id,
                a.name,
                bool(a.imap_host),
                a.last_sync_at,
                a.last_sync_error,
                a.poll_minutes,
                deliverability_warning(session, a.id, moment) if a.imap_host else "",
            )
            for a in session.scalars(select(SenderAccount).order_by(SenderAccount.name))
        ]
