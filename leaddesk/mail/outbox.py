"""The outbox state machine: claim, record the outcome, recover, and the user's fixes.

scheduled → sending → sent | deferred | failed | cancelled | expired | unknown.
A claim (→ sending) is committed before the message goes to the server; ``sent`` is written
only after the server's 250. A row still ``sending`` when a sender starts was in flight when a
sender died: it becomes ``unknown`` and is never resent automatically.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from leaddesk.activities import ActivityEvent, ActivityKind, record_activity
from leaddesk.db.models import (
    EmailState,
    Enrollment,
    EnrollmentState,
    Lead,
    OutboundMessage,
    OutboxState,
    SenderAccount,
    Sequence,
    SequenceStatus,
)
from leaddesk.leads.suppression import SuppressionReason, is_suppressed, suppress
from leaddesk.mail.policy import Decision, Verdict, retry_delay
from leaddesk.sequences.exits import exit_lead_sequences
from leaddesk.settings import SENDING_PAUSED, get_setting

ORIGIN = "sender"
UNKNOWN_REASON = (
    "LeadDesk stopped while handing this email to the server, so it may or may not have gone "
    "out. Check the Sent folder, then mark it sent or resend it."
)
HOLD_SEQUENCE = (SequenceStatus.PAUSED, SequenceStatus.DRAFT)


def sending_paused(session: Session) -> bool:
    """True while the global "Pause all sending" switch is on."""
    return bool(get_setting(session, SENDING_PAUSED, False))


def is_due(now: datetime) -> Any:
    """SQL condition: the row may be sent now (scheduled and due, or deferred and retry time)."""
    return or_(
        and_(OutboundMessage.state == OutboxState.SCHEDULED, OutboundMessage.due_at <= now),
        and_(
            OutboundMessage.state == OutboxState.DEFERRED,
            func.coalesce(OutboundMessage.next_attempt_at, OutboundMessage.due_at) <= now,
        ),
    )


def recover_in_flight(session: Session, now: datetime) -> int:
    """Turn rows left in ``sending`` by a dead sender into ``unknown``; returns how many."""
    result = session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.state == OutboxState.SENDING)
        .values(state=OutboxState.UNKNOWN, finished_reason=UNKNOWN_REASON, updated_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def due_candidates(session: Session, now: datetime, limit: int) -> list[tuple[int, int | None]]:
    """(row id, account id) of due rows, oldest first, skipping held sequences and accounts."""
    statement = (
        select(OutboundMessage.id, OutboundMessage.account_id)
        .outerjoin(Enrollment, Enrollment.id == OutboundMessage.enrollment_id)
        .outerjoin(Sequence, Sequence.id == Enrollment.sequence_id)
        .outerjoin(SenderAccount, SenderAccount.id == OutboundMessage.account_id)
        .where(is_due(now))
        .where(or_(Enrollment.id.is_(None), Enrollment.state != EnrollmentState.PAUSED))
        .where(or_(Sequence.id.is_(None), Sequence.status.not_in(HOLD_SEQUENCE)))
        .where(or_(SenderAccount.paused_until.is_(None), SenderAccount.paused_until <= now))
        .order_by(
            func.coalesce(OutboundMessage.next_attempt_at, OutboundMessage.due_at),
            OutboundMessage.id,
        )
        .limit(limit)
    )
    return [(row_id, account_id) for row_id, account_id in session.execute(statement)]


@dataclass(frozen=True)
class Claimed:
    """Everything needed to compose and submit a claimed message (plain data)."""

    id: int
    lead_id: int | None
    account_id: int
    to_address: str
    to_name: str
    subject: str
    message_id: str
    unsubscribe_token: str
    rendered: dict[str, str]


def _stop_reason(session: Session, row: OutboundMessage) -> tuple[str, str] | None:
    """("cancel"|"hold", why) when the row must not be sent now."""
    if is_suppressed(session, row.to_address):
        return "cancel", "the address is on the suppression list"
    if row.lead_id is not None:
        lead = session.get(Lead, row.lead_id)
        if lead is None:
            return "cancel", "the lead was deleted"
        if lead.email_state != EmailState.OK:
            return "cancel", f"the lead's address is {lead.email_state}"
    if row.enrollment_id is not None:
        enrollment = session.get(Enrollment, row.enrollment_id)
        if enrollment is None or enrollment.state not in (
            EnrollmentState.ACTIVE,
            EnrollmentState.PAUSED,
        ):
            reason = enrollment.exit_reason if enrollment is not None else ""
            return "cancel", "the lead left the sequence" + (f" ({reason})" if reason else "")
        if enrollment.state == EnrollmentState.PAUSED:
            return "hold", "the lead's enrollment is paused"
        sequence = session.get(Sequence, enrollment.sequence_id)
        if sequence is not None and sequence.status == SequenceStatus.ARCHIVED:
            return "cancel", "the sequence was archived"
        if sequence is not None and sequence.status in HOLD_SEQUENCE:
            return "hold", "the sequence is paused"
    return None


@dataclass(frozen=True)
class Refusal:
    """Why a due row was not claimed: ``kind`` is paused_all, gone, held, cancelled, expired
    or failed."""

    kind: str
    reason: str = ""


def claim(session: Session, row_id: int, now: datetime, *, expiry: timedelta) -> Claimed | Refusal:
    """Move one due row to ``sending`` after checking every stop condition.

    The caller commits this transaction before it hands the message to the server.
    """
    if sending_paused(session):
        return Refusal("paused_all", "sending is paused")
    row = session.get(OutboundMessage, row_id)
    still_due = session.scalar(
        select(OutboundMessage.id).where(OutboundMessage.id == row_id, is_due(now))
    )
    if row is None or still_due is None:
        return Refusal("gone", "not due any more")
    account = session.get(SenderAccount, row.account_id) if row.account_id else None
    if account is None:
        _finish_failed(session, row, "its sender account was removed; pick another and retry", now)
        return Refusal("failed", "no sender account")
    if account.paused_until is not None and account.paused_until > now:
        return Refusal("held", "the account is paused")
    stop = _stop_reason(session, row)
    if stop is not None:
        action, why = stop
        if action == "cancel":
            row.state = OutboxState.CANCELLED
            row.finished_reason = why
            row.updated_at = now
            return Refusal("cancelled", why)
        return Refusal("held", why)
    if row.first_attempt_at is not None and now - row.first_attempt_at >= expiry:
        row.state = OutboxState.EXPIRED
        row.finished_reason = f"gave up after {expiry.days} days; last reply: {row.last_error}"
        row.updated_at = now
        _record(session, row, ActivityKind.EMAIL_FAILED, now, state="expired")
        return Refusal("expired", row.finished_reason)
    to_name = ""
    if row.lead_id is not None:
        lead = session.get(Lead, row.lead_id)
        if lead is not None:
            to_name = " ".join(p for p in (lead.first_name, lead.last_name) if p)
    row.state = OutboxState.SENDING
    row.claimed_at = now
    row.attempts += 1
    row.first_attempt_at = row.first_attempt_at or now
    row.updated_at = now
    return Claimed(
        id=row.id,
        lead_id=row.lead_id,
        account_id=account.id,
        to_address=row.to_address,
        to_name=to_name,
        subject=row.subject,
        message_id=row.message_id,
        unsubscribe_token=row.unsubscribe_token,
        rendered={k: str(v) for k, v in (row.rendered or {}).items()},
    )


def _record(session: Session, row: OutboundMessage, kind: str, now: datetime, **extra: Any) -> None:
    if row.lead_id is None:
        return
    payload = {
        "outbound_id": row.id,
        "message_id": row.message_id,
        "subject": (row.rendered or {}).get("subject") or row.subject,
        "enrollment_id": row.enrollment_id,
        "step_id": row.step_id,
        **extra,
    }
    record_activity(
        session,
        ActivityEvent(row.lead_id, kind, occurred_at=now, payload=payload, origin=ORIGIN),
        now=now,
    )


def _finish_failed(session: Session, row: OutboundMessage, reason: str, now: datetime) -> None:
    row.state = OutboxState.FAILED
    row.finished_reason = reason
    row.last_error = reason
    row.updated_at = now
    _record(session, row, ActivityKind.EMAIL_FAILED, now, reason=reason)


def finish(
    session: Session, row_id: int, decision: Decision, now: datetime
) -> tuple[int, Decision] | None:
    """Record the outcome of a claimed row; returns (account id, decision) for a pause."""
    row = session.get(OutboundMessage, row_id)
    if row is None or row.state not in (OutboxState.SENDING, OutboxState.UNKNOWN):
        return None
    row.updated_at = now
    verdict = decision.verdict
    if verdict is Verdict.SENT:
        row.state = OutboxState.SENT
        row.sent_at = now
        row.last_error = ""
        row.finished_reason = decision.reason
        _record(session, row, ActivityKind.EMAIL_SENT, now)
    elif verdict is Verdict.UNKNOWN:
        row.state = OutboxState.UNKNOWN
        row.finished_reason = decision.reason
    elif verdict is Verdict.RETRY:
        row.state = OutboxState.DEFERRED
        row.last_error = decision.reason
        row.next_attempt_at = now + retry_delay(row.attempts)
    elif verdict is Verdict.PAUSE_ACCOUNT:
        row.state = OutboxState.SCHEDULED
        row.attempts = max(0, row.attempts - 1)
        if row.attempts == 0:
            row.first_attempt_at = None
        row.last_error = decision.reason
        if row.account_id is not None:
            return row.account_id, decision
    elif verdict is Verdict.BOUNCE:
        _finish_failed(session, row, decision.reason, now)
        _bounce(session, row, decision.reason, now)
    else:
        _finish_failed(session, row, decision.reason, now)
    return None


def _bounce(session: Session, row: OutboundMessage, reason: str, now: datetime) -> None:
    suppress(session, row.to_address, SuppressionReason.BOUNCED, note=reason[:500])
    if row.lead_id is None:
        return
    lead = session.get(Lead, row.lead_id)
    if lead is not None:
        lead.email_state = EmailState.BOUNCED
    _record(session, row, ActivityKind.BOUNCED, now, reason=reason)
    exit_lead_sequences(session, row.lead_id, "bounced", now=now)


def pause_account(session: Session, account_id: int, reason: str, until: datetime) -> None:
    """Pause an account until ``until`` with the reason the user sees."""
    account = session.get(SenderAccount, account_id)
    if account is not None:
        account.paused_until = until
        account.pause_reason = reason
