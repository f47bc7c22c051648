"""What sales does with a hand-off: accept it, log follow-up attempts, hand it back.

The first attempt stops the SLA clock: the hand-off is "met" (with the time it took) or
"breached". Every step is an event through the door with who took it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from leaddesk.activities import ActivityKind
from leaddesk.db.models import (
    Handoff,
    HandoffState,
    Lead,
    LifecycleStatus,
    SlaState,
    Task,
    TeamMember,
)
from leaddesk.handoff.service import (
    HandoffError,
    check_target,
    finish_task,
    open_handoff,
    record_event,
    require_open,
)
from leaddesk.handoff.vocabulary import CHANNELS, OUTCOMES
from leaddesk.outcomes.config import DEFAULT_REASONS

ORIGIN = "handoff"
#: The reasons a new database offers (Settings → Recycling edits the list).
HAND_BACK_REASONS = DEFAULT_REASONS


def accept(session: Session, lead: Lead, *, by: TeamMember | None, now: datetime) -> Handoff:
    """The rep takes the lead on: status "accepted" (the SLA still waits for an attempt)."""
    handoff = require_open(session, lead)
    if handoff.state == HandoffState.ACCEPTED:
        return handoff
    handoff.state = HandoffState.ACCEPTED
    handoff.accepted_at = now
    if handoff.owner_id is None and by is not None:
        check_target(by)
        handoff.owner_id = by.id
        lead.owner_id = by.id
    previous = lead.status
    lead.status = LifecycleStatus.ACCEPTED
    record_event(
        session,
        lead,
        ActivityKind.HANDOFF_ACCEPTED,
        now,
        by,
        handoff_id=handoff.id,
        **{"from": previous, "to": lead.status},
    )
    return handoff


@dataclass(frozen=True)
class AttemptResult:
    """What logging an attempt did to the SLA: the state and how long the first attempt took."""

    handoff_id: int | None
    first: bool
    sla_state: str
    minutes_taken: float | None
    next_task_id: int | None


def log_attempt(
    session: Session,
    lead: Lead,
    *,
    channel: str,
    outcome: str,
    note: str = "",
    next_step_at: datetime | None = None,
    by: TeamMember | None,
    now: datetime,
) -> AttemptResult:
    """Record a follow-up attempt; the first one stops the SLA clock (met or breached)."""
    if channel not in CHANNELS:
        raise HandoffError(f"unknown channel {channel!r}: use one of {', '.join(CHANNELS)}")
    if outcome not in OUTCOMES:
        raise HandoffError(f"unknown outcome {outcome!r}: use one of {', '.join(OUTCOMES)}")
    if next_step_at is not None and next_step_at <= now:
        raise HandoffError("the next step must be in the future")
    handoff = open_handoff(session, lead.id, lock=True)
    first = handoff is not None and handoff.first_attempt_at is None
    minutes = None
    if handoff is not None and first:
        handoff.first_attempt_at = now
        handoff.escalate_at = None
        minutes = round((now - handoff.handed_off_at).total_seconds() / 60, 1)
        in_time = handoff.sla_due_at is None or now <= handoff.sla_due_at
        was = handoff.sla_state
        handoff.sla_state = (
            SlaState.MET if in_time and was == SlaState.PENDING else SlaState.BREACHED
        )
        finish_task(session, handoff, f"{channel}: {outcome.replace('_', ' ')}", now)
    payload: dict[str, Any] = {
        "channel": channel,
        "outcome": outcome,
        "note": note,
        "next_step_at": next_step_at.isoformat() if next_step_at else None,
        "handoff_id": handoff.id if handoff is not None else None,
    }
    if first and handoff is not None:
        payload.update(sla=handoff.sla_state, minutes_taken=minutes)
    record_event(session, lead, ActivityKind.FOLLOW_UP_ATTEMPT, now, by, **payload)
    if first and handoff is not None:
        _record_sla_outcome(session, lead, handoff, was, minutes, now, by)
    task_id = None
    if next_step_at is not None:
        task = Task(
            lead_id=lead.id,
            owner_id=by.id if by is not None else lead.owner_id,
            kind="follow_up",
            title=f"Next step with {lead.full_name}"[:300],
            notes=note,
            due_at=next_step_at,
            origin=ORIGIN,
        )
        session.add(task)
        session.flush()
        task_id = task.id
    return AttemptResult(
        handoff.id if handoff is not None else None,
        first,
        handoff.sla_state if handoff is not None else "",
        minutes,
        task_id,
    )


def _record_sla_outcome(
    session: Session,
    lead: Lead,
    handoff: Handoff,
    was: str,
    minutes: float | None,
    now: datetime,
    by: TeamMember | None,
) -> None:
    """One SLA event per hand-off: met, or breached if the deadline timer had not said so."""
    common = {
        "handoff_id": handoff.id,
        "due_at": handoff.sla_due_at.isoformat() if handoff.sla_due_at else None,
        "first_attempt_at": now.isoformat(),
        "minutes_taken": minutes,
    }
    if handoff.sla_state == SlaState.MET:
        record_event(session, lead, ActivityKind.SLA_MET, now, by, **common)
    elif was == SlaState.PENDING:  # late, and no tick saw the deadline pass
        handoff.breached_at = handoff.sla_due_at
        record_event(session, lead, ActivityKind.SLA_BREACHED, now, by, **common, late_attempt=True)


def hand_back(
    session: Session,
    lead: Lead,
    *,
    reason: str,
    note: str = "",
    by: TeamMember | None,
    now: datetime,
) -> Handoff:
    """Sales returns the lead to marketing with a reason from the list: the hand-off closes,
    the lead is "recycled" (its owner stays, so a later hand-off goes back to the same rep)
    and the reason's recycle policy plans its way back into nurture."""
    from leaddesk.outcomes.deals import check_reason  # outcomes build on the hand-off
    from leaddesk.outcomes.recycling import recycle

    if not " ".join((reason or "").split()):
        raise HandoffError("say why the lead goes back to marketing (a reason is required)")
    text = check_reason(session, reason, note)
    handoff = require_open(session, lead)
    handoff.state = HandoffState.CLOSED
    handoff.closed_at = now
    handoff.escalate_at = None
    handoff.outcome = "handed_back"
    handoff.outcome_reason = f"{text}: {note.strip()}" if note.strip() else text
    finish_task(session, handoff, "handed back to marketing", now)
    previous = lead.status
    lead.status = LifecycleStatus.RECYCLED
    lead.status_reason = text
    record_event(
        session,
        lead,
        ActivityKind.HANDED_BACK,
        now,
        by,
        handoff_id=handoff.id,
        reason=text,
        note=note.strip(),
        **{"from": previous, "to": lead.status},
    )
    recycle(session, lead, text, now=now, by=by)
    return handoff
