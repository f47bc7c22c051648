"""One pass over every configured mailbox: read new messages, act on them, reconcile sends."""

from __future__ import annotations

import contextlib
import imaplib
import logging
import ssl
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from imap_tools.errors import MailboxFolderSelectError, MailboxFolderStatusError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from leaddesk.clock import Clock
from leaddesk.db.engine import Database
from leaddesk.db.models import (
    InboundMessage,
    Lead,
    MailboxFolderState,
    OutboundMessage,
    SenderAccount,
)
from leaddesk.mail.ownership import account_share
from leaddesk.mailbox.actions import ReplyNotice, apply_verdict
from leaddesk.mailbox.classify import (
    Classification,
    colleague_lead,
    colleague_replies_stop,
    decide,
    may_concern_us,
    read_facts,
    unsubscribe_mailboxes,
)
from leaddesk.mailbox.client import (
    FetchedMessage,
    ImapSettings,
    MailboxError,
    ReadOnlyMailBox,
    connect,
)
from leaddesk.mailbox.credentials import KIND, get_password
from leaddesk.mailbox.deliverability import deliverability_warning
from leaddesk.mailbox.parsing import addresses, fingerprint, header, message_ids
from leaddesk.mailbox.reconcile import ReconcileCounts, reconcile_unknown_sends
from leaddesk.settings import get_setting

log = logging.getLogger(__name__)
FIRST_SYNC_SETTING = "mailbox_first_sync_days"
DEFAULT_FIRST_SYNC_DAYS = 30
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@dataclass
class AccountSyncResult:
    """How one account's pass went (plain data for the CLI, the status bar and notifications)."""

    account_id: int
    account: str
    ok: bool = True
    error: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    reconciled: ReconcileCounts | None = None
    replies: list[ReplyNotice] = field(default_factory=list)
    warning: str = ""  # a deliverability warning (DMARC failure reports), "" when none


@dataclass
class SyncReport:
    """The result of :func:`sync_mailbox` for every account with IMAP settings."""

    accounts: list[AccountSyncResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every account synced without error."""
        return all(a.ok for a in self.accounts)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"ok": self.ok, "accounts": [asdict(a) for a in self.accounts]}


def sync_mailbox(
    db: Database,
    clock: Clock,
    *,
    account_ids: list[int] | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> SyncReport:
    """Read each configured mailbox once (read-only), act on what is new, reconcile sends.

    ``account_ids`` None: the mailboxes this copy works (its member's and the team's; another
    member's mailbox is read by their own LeadDesk, see :mod:`leaddesk.mail.ownership`).
    """
    with db.session() as session:
        query = select(SenderAccount).where(SenderAccount.imap_host != "")
        if account_ids is None:
            account_ids = sorted(account_share(session, db).mine)
        query = query.where(SenderAccount.id.in_(account_ids))
        accounts = list(session.scalars(query.order_by(SenderAccount.id)))
    report = SyncReport()
    for account in accounts:
        result = AccountSyncResult(account.id, account.name)
        try:
            _sync_account(db, account, clock, result, ssl_context)
        except MailboxError as error:
            result.ok, result.error = False, str(error)
        except (OSError, imaplib.IMAP4.error) as error:
            result.ok = False
            result.error = (
                f"the IMAP connection failed during sync ({error}) — it is retried next poll"
            )
        if not result.ok:
            log.warning("mailbox sync of %s failed: %s", account.name, result.error)
        with db.write() as session:
            row = session.get(SenderAccount, account.id)
            if row is not None:
                row.last_sync_error = result.error
                if result.ok:
                    row.last_sync_at = clock.now()
            result.warning = deliverability_warning(session, account.id, clock.now())
        report.accounts.append(result)
    return report


def imap_settings(account: SenderAccount) -> ImapSettings:
    """The connection settings of ``account`` with its password from the keyring."""
    username = account.imap_username or account.from_address
    password = get_password(KIND, account.id, username)
    if not password:
        raise MailboxError(
            f"no IMAP password stored for {username!r} — enter it in the account's IMAP settings "
            f"(or run: leaddesk mailbox set {account.name!r} --password-stdin)"
        )
    return ImapSettings(
        account.imap_host, account.imap_port, account.imap_security, username, password
    )


def _sync_account(
    db: Database,
    account: SenderAccount,
    clock: Clock,
    result: AccountSyncResult,
    ssl_context: ssl.SSLContext | None,
) -> None:
    counts: Counter[str] = Counter()
    box = connect(imap_settings(account), ssl_context)
    try:
        for folder in account.imap_folders or ["INBOX"]:
            try:
                _sync_folder(db, box, account, folder, clock.now(), counts, result.replies)
            except (MailboxFolderSelectError, MailboxFolderStatusError) as error:
                raise MailboxError(
                    f"folder {folder!r} cannot be opened on {account.imap_host} — check the "
                    "watched folders in the account's IMAP settings"
                ) from error
        if account.sent_folder:
            try:
                result.reconciled = reconcile_unknown_sends(
                    db, box, account.id, account.sent_folder, clock.now()
                )
            except (MailboxFolderSelectError, MailboxFolderStatusError) as error:
                raise MailboxError(
                    f"Sent folder {account.sent_folder!r} cannot be opened — choose the right "
                    "Sent folder in the account's IMAP settings"
                ) from error
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            box.logout()
    result.counts = dict(counts)


def _sync_folder(
    db: Database,
    box: ReadOnlyMailBox,
    account: SenderAccount,
    folder: str,
    now: datetime,
    counts: Counter[str],
    replies: list[ReplyNotice],
) -> None:
    uidvalidity, _ = box.examine(folder)
    with db.session() as session:
        state = session.scalar(
            select(MailboxFolderState).where(
                MailboxFolderState.account_id == account.id, MailboxFolderState.folder == folder
            )
        )
        last_uid = state.last_uid if state is not None and state.uidvalidity == uidvalidity else 0
        days = int(get_setting(session, FIRST_SYNC_SETTING, DEFAULT_FIRST_SYNC_DAYS))
    since = None
    if last_uid == 0:  # first look at this folder (or its UIDs were reset): recent mail only
        start = now - timedelta(days=days)
        since = f"{start.day:02d}-{_MONTHS[start.month - 1]}-{start.year}"
    uids = box.uids_after(last_uid, since)
    for offset in range(0, len(uids), 50):
        batch = uids[offset : offset + 50]
        heads = list(box.fetch_messages(batch, headers_only=True))
        wanted = _worth_reading(db, heads, unsubscribe_mailboxes(account))
        for fetched in box.fetch_messages(wanted, headers_only=False) if wanted else []:
            _process(db, account, folder, uidvalidity, fetched, now, counts, replies)
        _save_folder_state(db, account.id, folder, uidvalidity, max(batch), now)
    if not uids:
        _save_folder_state(db, account.id, folder, uidvalidity, last_uid, now)


def _worth_reading(
    db: Database, heads: list[FetchedMessage], unsubscribe_addresses: frozenset[str]
) -> list[int]:
    refs: set[str] = set()
    senders: set[str] = set()
    for fetched in heads:
        message = fetched.message
        refs.update(message_ids(header(message, "In-Reply-To") + header(message, "References")))
        senders.update(addresses(message, "From", "Reply-To"))
    with db.session() as session:
        known_ids = set(
            session.scalars(
                select(OutboundMessage.message_id).where(OutboundMessage.message_id.in_(refs))
            )
        )
        known_senders = set(
            session.scalars(select(Lead.email_key).where(Lead.email_key.in_(senders)))
        )
        if colleague_replies_stop(session):  # a colleague at a lead's company counts too
            known_senders.update(
                s for s in senders - known_senders if colleague_lead(session, s) is not None
            )
    return [
        f.uid
        for f in heads
        if may_concern_us(f.message, known_ids, known_senders, unsubscribe_addresses)
    ]


def _process(
    db: Database,
    account: SenderAccount,
    folder: str,
    uidvalidity: int,
    fetched: FetchedMessage,
    now: datetime,
    counts: Counter[str],
    replies: list[ReplyNotice],
) -> None:
    message = fetched.message
    key = fingerprint(header(message, "Message-ID"), folder, uidvalidity, fetched.uid)
    row = InboundMessage(
        account_id=account.id,
        fingerprint=key,
        folder=folder,
        uid=fetched.uid,
        classification=Classification.UNREADABLE,
        subject=header(message, "Subject")[:500],
        processed_at=now,
    )
    try:
        with db.write() as session:
            if _already_processed(session, account.id, key):
                counts["already_processed"] += 1
                return
            facts = read_facts(message)
            verdict = decide(session, account, facts, now)
            notice = apply_verdict(session, verdict, facts, account_id=account.id, now=now)
            row.classification = str(verdict.classification)
            row.lead_id, row.outbound_id = verdict.lead_id, verdict.outbound_id
            row.received_at = facts.sent_at
            session.add(row)
    except IntegrityError:  # another LeadDesk (team mode, or cron) recorded it just now
        counts["already_processed"] += 1
        return
    except SQLAlchemyError:
        raise
    except Exception:  # a message we cannot understand must not stop every later sync
        log.exception("could not classify message %s (UID %s in %s)", key, fetched.uid, folder)
        with db.write() as session:
            if not _already_processed(session, account.id, key):
                session.add(row)
        counts[Classification.UNREADABLE] += 1
        return
    counts[str(verdict.classification)] += 1
    if notice is not None:
        replies.append(notice)


def _already_processed(session: Session, account_id: int, key: str) -> bool:
    found = session.scalar(
        select(InboundMessage.id).where(
            InboundMessage.account_id == account_id, InboundMessage.fingerprint == key
        )
    )
    return found is not None


def _save_folder_state(
    db: Database, account_id: int, folder: str, uidvalidity: int, last_uid: int, now: datetime
) -> None:
    with db.write() as session:
        state = session.scalar(
            select(MailboxFolderState).where(
                MailboxFolderState.account_id == account_id, MailboxFolderState.folder == folder
            )
        )
        if state is None:
            state = MailboxFolderState(account_id=account_id, folder=folder)
            session.add(state)
        state.uidvalidity = uidvalidity
        state.last_uid = last_uid
        state.synced_at = now
