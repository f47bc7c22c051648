"""Recycling: a lead handed back or lost returns to marketing, never into a black hole.

The reason's policy (Settings) decides: after how many days the lead is "recycled" and which
sequence it joins, and whether its earlier engagement stops counting so it does not re-qualify
the same minute — or, for "not a fit", that it is disqualified. A waiting plan is a row in
``recycle_plans`` carried out by the tick; a new outcome replaces it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from leaddesk.activities import ActivityEvent, ActivityKind, record_activity
from leaddesk.db.models import (
    Lead,
    LifecycleStatus,
    PlanState,
    RecyclePlan,
    Sequence,
    SequenceStatus,
    TeamMember,
)
from leaddesk.handoff.service import SALES_STATUSES, member_label, open_handoff
from leaddesk.outcomes.config import SCORE_RESET, load_outcome_settings

ORIGIN = "recycling"


def cancel_plans(session: Session, lead_id: int, why: str, now: datetime) -> int:
    """Call off the lead's waiting plan (a new outcome came first); returns how many."""
    result = session.execute(
        update(RecyclePlan)
        .where(RecyclePlan.lead_id == lead_id, RecyclePlan.state == PlanState.PENDING)
        .values(state=PlanState.CANCELLED, done_at=now, result=why),
        execution_options={"synchronize_session": False},
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def recycle(
    session: Session, lead: Lead, reason: str, *, now: datetime, by: TeamMember | None
) -> RecyclePlan | None:
    """Send ``lead`` back to marketing by ``reason``'s policy; returns the plan (None when the
    policy disqualifies it)."""
    policy = load_outcome_settings(session).policy(reason)
    cancel_plans(session, lead.id, "replaced by a newer outcome", now)
    lead.status_reason = reason
    if policy.disqualify:
        previous = lead.status
        lead.status = LifecycleStatus.DISQUALIFIED
        payload = {"from": previous, "to": lead.status, "reason": reason, "by": member_label(by)}
        event = ActivityEvent(lead.id, ActivityKind.STATUS_CHANGED, now, payload, ORIGIN)
        record_activity(session, event, now=now)
        return None
    if policy.score == SCORE_RESET:
        lead.engagement_since = now  # from now on only what comes after this counts
        from leaddesk.scoring.rescore import rescore_lead  # scoring is a separate capability

        session.flush()
        rescore_lead(session, lead.id, now)
    plan = RecyclePlan(
        lead_id=lead.id,
        reason=reason,
        sequence_id=policy.sequence_id,
        due_at=now + timedelta(days=policy.delay_days),
        state=PlanState.PENDING,
        created_at=now,
    )
    session.add(plan)
    session.flush()
    if policy.delay_days == 0:
        carry_out(session, plan, now)
    return plan


@dataclass(frozen=True)
class PlanOutcome:
    """What carrying out one plan did, in words."""

    plan_id: int
    lead_id: int
    text: str


def carry_out(session: Session, plan: RecyclePlan, now: datetime) -> PlanOutcome:
    """Recycle the lead now: status "recycled", enrolled in the plan's sequence (if any)."""
    lead = session.get_one(Lead, plan.lead_id)
    moved_on = (
        lead.status in (LifecycleStatus.CUSTOMER, LifecycleStatus.DISQUALIFIED, *SALES_STATUSES)
        or open_handoff(session, lead.id) is not None
    )
    if moved_on:
        plan.state, plan.done_at = PlanState.CANCELLED, now
        plan.result = f"not recycled: the lead is {lead.status.replace('_', ' ')} now"
        return PlanOutcome(plan.id, lead.id, plan.result)
    previous = lead.status
    lead.status = LifecycleStatus.RECYCLED
    text = "back to nurture without a sequence"
    sequence = session.get(Sequence, plan.sequence_id) if plan.sequence_id else None
    if plan.sequence_id is not None and sequence is None:
        text = "back to nurture: its sequence was deleted"
    elif sequence is not None and sequence.status != SequenceStatus.ACTIVE:
        text = f"back to nurture: the sequence {sequence.name!r} is {sequence.status}"
    elif sequence is not None:
        from leaddesk.sequences.enrollment import enroll_leads  # sequences import the door

        result = enroll_leads(session, sequence, [lead.id], now=now, origin=ORIGIN)
        if result.enrolled:
            text = f"enrolled in {sequence.name!r}"
        else:
            why = "; ".join(result.refused.values()) if result.refused else "already enrolled"
            text = f"back to nurture, not enrolled in {sequence.name!r}: {why}"
    payload = {
        "reason": plan.reason,
        "plan_id": plan.id,
        "sequence": sequence.name if sequence is not None else "",
        "result": text,
        "from": previous,
        "to": lead.status,
    }
    record_activity(
        session, ActivityEvent(lead.id, ActivityKind.RECYCLED, now, payload, ORIGIN), now=now
    )
    plan.state, plan.done_at, plan.result = PlanState.DONE, now, text
    return PlanOutcome(plan.id, lead.id, text)


def run_recycle_plans(session: Session, now: datetime, *, limit: int = 5000) -> list[PlanOutcome]:
    """Carry out every plan whose day has come (once each: the plan's state says so)."""
    due = list(
        session.scalars(
            select(RecyclePlan)
            .where(RecyclePlan.state == PlanState.PENDING, RecyclePlan.due_at <= now)
            .order_by(RecyclePlan.due_at, RecyclePlan.id)
            .limit(limit)
            .with_for_update()
        )
    )
    return [carry_out(session, plan, now) for plan in due]
