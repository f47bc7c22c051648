"""Taking a lead out of its sequences, and cancelling what was planned for it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from leaddesk.db.models import Enrollment, EnrollmentState, OutboundMessage, OutboxState

LIVE_ENROLLMENT = (EnrollmentState.ACTIVE, EnrollmentState.PAUSED)
CANCELLABLE = (OutboxState.SCHEDULED, OutboxState.DEFERRED)


def cancel_planned_messages(
    session: Session,
    *,
    reason: str,
    enrollment_ids: list[int] | None = None,
    lead_id: int | None = None,
    now: datetime,
) -> int:
    """Cancel every not-yet-claimed message of the given enrollments or lead; returns how many."""
    statement = update(OutboundMessage).where(OutboundMessage.state.in_(CANCELLABLE))
    if enrollment_ids is not None:
        statement = statement.where(OutboundMessage.enrollment_id.in_(enrollment_ids))
    if lead_id is not None:
        statement = statement.where(OutboundMessage.lead_id == lead_id)
    result = session.execute(
        statement.values(state=OutboxState.CANCELLED, finished_reason=reason, updated_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def exit_lead_sequences(session: Session, lead_id: int, reason: str, *, now: datetime) -> int:
    """End every live enrollment of ``lead_id`` with ``reason``; returns how many ended."""
    enrollments = list(
        session.scalars(
            select(Enrollment).where(
                Enrollment.lead_id == lead_id, Enrollment.state.in_(LIVE_ENROLLMENT)
            )
        )
    )
    for enrollment in enrollments:
        enrollment.state = EnrollmentState.EXITED
        enrollment.exited_at = now
        enrollment.exit_reason = reason
        enrollment.next_due_at = None
    if enrollments:
        cancel_planned_messages(
            session, reason=reason, enrollment_ids=[e.id for e in enrollments], now=now
        )
    cancel_planned_messages(session, reason=reason, lead_id=lead_id, now=now)
    session.flush()
    return len(enrollments)
