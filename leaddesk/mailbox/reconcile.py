"""Unknown sends: did a message whose SMTP session broke actually go out? Ask the Sent folder.

Found there: it went out (marked sent). Not found: that means something only where the
provider files every SMTP submission in Sent itself (Gmail, Google Workspace, Microsoft 365);
there the message is scheduled again once. Everywhere else a missing copy proves nothing — the
server may well have accepted it — so the message is never resent automatically: it waits in
the Outbox for the user's decision (resend, or mark sent), with the facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.activities import ActivityEvent, ActivityKind, record_activity
from leaddesk.db.engine import Database
from leaddesk.db.models import OutboundMessage, OutboxState, SenderAccount
from leaddesk.mail.accounts import PRESETS
from leaddesk.mailbox.client import ReadOnlyMailBox
from leaddesk.settings import get_setting

GRACE_SETTING = "mailbox_unknown_grace_minutes"
DEFAULT_GRACE_MINUTES = 30
# Marks a row that was already put back once, so a second "unknown" is left to the user.
RESCHEDULED_MARK = "not found in the Sent folder; scheduled again once"
# Providers whose SMTP service files each accepted message in the Sent folder by itself.
FILES_SENT_ITSELF = frozenset({"gmail", "workspace", "microsoft365"})
# Their SMTP hosts, for accounts set up as "custom" with the same server.
_FILING_HOSTS = frozenset(
    {PRESETS[key].smtp_host for key in FILES_SENT_ITSELF}
    | {"smtp.googlemail.com", "smtp-mail.outlook.com"}
)
UNDECIDED_MARK = (
    "the connection broke after the message was handed over, and this provider does not file "
    "sent mail in the Sent folder, so LeadDesk cannot tell whether it went out: resend it or "
    "mark it sent"
)


def provider_files_sent(provider: str, smtp_host: str) -> bool:
    """Whether the account's provider puts every SMTP submission in Sent by itself."""
    return provider in FILES_SENT_ITSELF or smtp_host.strip().lower() in _FILING_HOSTS


@dataclass
class ReconcileCounts:
    """What one reconciliation pass decided."""

    confirmed_sent: int = 0
    rescheduled: int = 0
    waiting: int = 0
    left_for_user: int = 0


def reconcile_unknown_sends(
    db: Database, box: ReadOnlyMailBox, account_id: int, sent_folder: str, now: datetime
) -> ReconcileCounts:
    """Resolve the account's ``unknown`` outbox rows by searching the Sent folder."""
    counts = ReconcileCounts()
    with db.session() as session:
        account = session.get(SenderAccount, account_id)
        files_sent = account is not None and provider_files_sent(
            account.provider or "", account.smtp_host or ""
        )
        grace = timedelta(
            minutes=int(get_setting(session, GRACE_SETTING, DEFAULT_GRACE_MINUTES) or 0)
        )
        rows = [
            (row.id, row.message_id)
            for row in session.scalars(
                select(OutboundMessage).where(
                    OutboundMessage.account_id == account_id,
                    OutboundMessage.state == OutboxState.UNKNOWN,
                )
            )
        ]
    if not rows:
        return counts
    box.examine(sent_folder)
    found = {row_id: bool(box.find_message_id(message_id)) for row_id, message_id in rows}
    with db.write() as session:
        for row_id, in_sent in found.items():
            row = session.get(OutboundMessage, row_id)
            if row is None or row.state != OutboxState.UNKNOWN:
                continue  # changed meanwhile (the user decided, or the sender retried)
            if in_sent:
                _mark_sent(session, row, now)
                counts.confirmed_sent += 1
                continue
            started = row.claimed_at or row.first_attempt_at or row.updated_at or now
            if RESCHEDULED_MARK in (row.finished_reason or ""):
                counts.left_for_user += 1
            elif now - started < grace:
                counts.waiting += 1
            elif not files_sent:
                if row.finished_reason != UNDECIDED_MARK:
                    row.finished_reason = UNDECIDED_MARK
                    row.updated_at = now
                counts.left_for_user += 1
            else:
                row.state = OutboxState.SCHEDULED
                row.claimed_at = None
                row.next_attempt_at = None
                row.finished_reason = RESCHEDULED_MARK
                row.updated_at = now
                counts.rescheduled += 1
    return counts


def _mark_sent(session: Session, row: OutboundMessage, now: datetime) -> None:
    row.state = OutboxState.SENT
    row.sent_at = row.claimed_at or row.first_attempt_at or now
    row.finished_reason = "found in the Sent folder"
    row.updated_at = now
    if row.lead_id is not None:
        payload = {
            "outbound_id": row.id,
            "subject": row.subject,
            "message_id": row.message_id,
            "confirmed_by": "sent folder",
        }
        record_activity(
            session,
            ActivityEvent(
                row.lead_id,
                ActivityKind.EMAIL_SENT,
                occurred_at=row.sent_at,
                payload=payload,
                origin="mailbox",
            ),
            now=now,
        )
