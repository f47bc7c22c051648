"""What the user can do in the Outbox: list, retry, cancel, resolve an unknown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leaddesk.activities import ActivityEvent, ActivityKind, record_activity
from leaddesk.db.models import OutboundMessage, OutboxState, SenderAccount

RETRYABLE = (OutboxState.FAILED, OutboxState.EXPIRED, OutboxState.DEFERRED, OutboxState.CANCELLED)
CANCELLABLE = (OutboxState.SCHEDULED, OutboxState.DEFERRED)


class OutboxActionError(ValueError):
    """The action does not apply to the message in its current state."""


@dataclass(frozen=True)
class OutboxRow:
    """One outbox line as plain data for tables and the CLI."""

    id: int
    state: str
    to_address: str
    subject: str
    account: str
    due_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None
    attempts: int
    reason: str
    message_id: str


def list_outbox(
    session: Session,
    *,
    states: tuple[str, ...] = (),
    limit: int = 500,
    offset: int = 0,
    soonest_first: bool = False,
) -> list[OutboxRow]:
    """Outbox rows, newest first (or, for what is still to go, soonest first)."""
    if soonest_first:
        order = (OutboundMessage.due_at.asc(), OutboundMessage.id.asc())
    else:
        order = (OutboundMessage.due_at.desc(), OutboundMessage.id.desc())
    statement = (
        select(OutboundMessage, SenderAccount.name)
        .outerjoin(SenderAccount, SenderAccount.id == OutboundMessage.account_id)
        .order_by(*order)
        .limit(limit)
        .offset(offset)
    )
    if states:
        statement = statement.where(OutboundMessage.state.in_(states))
    return [
        OutboxRow(
            id=row.id,
            state=row.state,
            to_address=row.to_address,
            subject=(row.rendered or {}).get("subject") or row.subject,
            account=account or "",
            due_at=row.due_at,
            next_attempt_at=row.next_attempt_at,
            sent_at=row.sent_at,
            attempts=row.attempts,
            reason=row.finished_reason or row.last_error,
            message_id=row.message_id,
        )
        for row, account in session.execute(statement)
    ]


def count_by_state(session: Session) -> dict[str, int]:
    """How many outbox rows are in each state."""
    rows = session.execute(
        select(OutboundMessage.state, func.count()).group_by(OutboundMessage.state)
    )
    return {state: int(count) for state, count in rows}


def sent_since(session: Session, since: datetime) -> int:
    """How many messages were sent since ``since`` (the status bar's "sent today")."""
    return int(
        session.scalar(
            select(func.count(OutboundMessage.id)).where(
                OutboundMessage.state == OutboxState.SENT, OutboundMessage.sent_at >= since
            )
        )
        or 0
    )


def _row(session: Session, row_id: int) -> OutboundMessage:
    row = session.get(OutboundMessage, row_id)
    if row is None:
        raise OutboxActionError(f"there is no outbox message {row_id}")
    return row


def retry(session: Session, row_id: int, now: datetime) -> None:
    """Schedule a failed, expired, deferred or cancelled message to go out now."""
    row = _row(session, row_id)
    if row.state not in RETRYABLE:
        raise OutboxActionError(f"a {row.state} message cannot be retried")
    row.state = OutboxState.SCHEDULED
    row.due_at = now
    row.next_attempt_at = None
    row.first_attempt_at = None
    row.attempts = 0
    row.finished_reason = ""
    row.updated_at = now


def cancel(session: Session, row_id: int, now: datetime, reason: str = "cancelled by you") -> None:
    """Cancel a message that has not been handed to the server."""
    row = _row(session, row_id)
    if row.state not in CANCELLABLE:
        raise OutboxActionError(f"a {row.state} message cannot be cancelled")
    row.state = OutboxState.CANCELLED
    row.finished_reason = reason
    row.updated_at = now


def mark_sent(session: Session, row_id: int, now: datetime) -> None:
    """Resolve an unknown message as sent (the user found it in the Sent folder)."""
    row = _row(session, row_id)
    if row.state != OutboxState.UNKNOWN:
        raise OutboxActionError("only an unknown message can be marked as sent")
    row.state = OutboxState.SENT
    row.sent_at = row.claimed_at or now
    row.finished_reason = "marked as sent by you"
    row.updated_at = now
    if row.lead_id is not None:
        payload = {"outbound_id": row.id, "message_id": row.message_id, "resolved": "by_user"}
        record_activity(
            session,
            ActivityEvent(
                row.lead_id,
                ActivityKind.EMAIL_SENT,
                occurred_at=row.sent_at,
                payload=payload,
                origin="user",
            ),
            now=now,
        )


def resend(session: Session, row_id: int, now: datetime) -> None:
    """Resolve an unknown message by sending it again.

    It keeps its Message-ID, so a mail client that already holds the first copy can tell the
    two apart as the same message.
    """
    row = _row(session, row_id)
    if row.state != OutboxState.UNKNOWN:
        raise OutboxActionError("only an unknown message can be resent")
    row.state = OutboxState.SCHEDULED
    row.due_at = now
    row.attempts = 0
    row.first_attempt_at = None
    row.next_attempt_at = None
    row.finished_reason = ""
    row.updated_at = now
