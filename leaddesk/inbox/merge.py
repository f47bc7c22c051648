"""Merge two leads that are the same person: everything moves to the survivor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from leaddesk.activities import ActivityEvent, ActivityKind, record_activity
from leaddesk.db.models import (
    Activity,
    Enrollment,
    EnrollmentState,
    Handoff,
    HandoffState,
    InboundMessage,
    Lead,
    LeadTag,
    LifecycleStatus,
    OutboundMessage,
    Task,
)
from leaddesk.inbox.profile import TEXT_FIELDS
from leaddesk.sequences.exits import LIVE_ENROLLMENT, cancel_planned_messages


@dataclass(frozen=True)
class MergeResult:
    """What moved from the merged lead to the survivor."""

    survivor_id: int
    merged_id: int
    activities: int
    tasks: int
    tags: int
    enrollments: int
    filled_fields: tuple[str, ...]


def merge_leads(session: Session, survivor_id: int, other_id: int, *, now: datetime) -> MergeResult:
    """Move ``other_id``'s history onto ``survivor_id`` and delete ``other_id``.

    Empty profile fields of the survivor are filled from the other lead. When both have been in
    the same sequence, the other's enrollment there is ended ("merged") and its planned emails
    cancelled before it moves, so the survivor never gets the same email twice.
    """
    if survivor_id == other_id:
        raise ValueError("a lead cannot be merged with itself")
    survivor = session.get(Lead, survivor_id)
    other = session.get(Lead, other_id)
    if survivor is None or other is None:
        raise LookupError(f"lead {survivor_id if survivor is None else other_id} does not exist")
    filled = _fill_profile(survivor, other)
    tags = _move_tags(session, survivor_id, other_id)
    enrollments = _move_enrollments(session, survivor_id, other_id, now)
    activities = _move(session, Activity, other_id, survivor_id)
    tasks = _move(session, Task, other_id, survivor_id)
    _move(session, OutboundMessage, other_id, survivor_id)
    _move(session, InboundMessage, other_id, survivor_id)
    if _move_handoffs(session, survivor, other_id, now):  # the survivor is with sales now
        survivor.status, survivor.owner_id = other.status, other.owner_id
    if other.last_activity_at and (
        survivor.last_activity_at is None or other.last_activity_at > survivor.last_activity_at
    ):
        survivor.last_activity_at = other.last_activity_at
    survivor.created_at = min(survivor.created_at, other.created_at)
    survivor.updated_at = now
    payload = {
        "merged_lead_id": other.id,
        "merged_email": other.email,
        "merged_name": other.full_name,
    }
    session.flush()
    session.execute(delete(Lead).where(Lead.id == other_id))
    session.expire(survivor)
    record_activity(session, ActivityEvent(survivor_id, ActivityKind.MERGED, now, payload), now=now)
    return MergeResult(survivor_id, other_id, activities, tasks, tags, enrollments, filled)


def _fill_profile(survivor: Lead, other: Lead) -> tuple[str, ...]:
    filled = []
    for field in TEXT_FIELDS:
        if not getattr(survivor, field) and getattr(other, field):
            setattr(survivor, field, getattr(other, field))
            filled.append(field)
    if survivor.owner_id is None and other.owner_id is not None:
        survivor.owner_id = other.owner_id
        filled.append("owner_id")
    extra = {k: v for k, v in other.custom_fields.items() if k not in survivor.custom_fields}
    if extra:
        survivor.custom_fields = {**survivor.custom_fields, **extra}
        filled.append("custom_fields")
    return tuple(filled)


def _move_tags(session: Session, survivor_id: int, other_id: int) -> int:
    have = set(session.scalars(select(LeadTag.tag).where(LeadTag.lead_id == survivor_id)))
    theirs = set(session.scalars(select(LeadTag.tag).where(LeadTag.lead_id == other_id)))
    new = sorted(theirs - have)
    if new:
        session.execute(insert(LeadTag), [{"lead_id": survivor_id, "tag": t} for t in new])
    return len(new)


def _move_enrollments(session: Session, survivor_id: int, other_id: int, now: datetime) -> int:
    """Move the other lead's enrollments, ending those in a sequence the survivor has had.

    The survivor already gets (or got, or left) that sequence: the other's live enrollment is
    exited and every email still planned for the other's enrollments there is cancelled — also
    the last email of an enrollment already marked completed — so the person never gets the
    same step twice.
    """
    survivor_sequences = set(
        session.scalars(select(Enrollment.sequence_id).where(Enrollment.lead_id == survivor_id))
    )
    clashing = list(
        session.scalars(
            select(Enrollment).where(
                Enrollment.lead_id == other_id,
                Enrollment.sequence_id.in_(survivor_sequences),
            )
        )
    )
    for enrollment in clashing:
        if enrollment.state in LIVE_ENROLLMENT:
            enrollment.state = EnrollmentState.EXITED
            enrollment.exited_at = now
            enrollment.exit_reason = "merged into another lead"
            enrollment.next_due_at = None
    if clashing:
        session.flush()
        cancel_planned_messages(
            session, reason="merged", enrollment_ids=[e.id for e in clashing], now=now
        )
    return _move(session, Enrollment, other_id, survivor_id)


def _move_handoffs(session: Session, survivor: Lead, other_id: int, now: datetime) -> bool:
    """Move the other lead's hand-offs (and alerts about it) onto the survivor.

    Only one hand-off may be open per lead: when the survivor has one already — or is a
    customer or disqualified — the other's closes as "merged" (its task too) before it moves.
    True when the survivor got an open hand-off it did not have.
    """
    from leaddesk.handoff.service import finish_task  # hand-off builds on the inbox

    open_states = Handoff.state != HandoffState.CLOSED
    survivor_open = session.scalar(
        select(Handoff.id).where(Handoff.lead_id == survivor.id, open_states)
    )
    closed_for_good = survivor.status in (LifecycleStatus.CUSTOMER, LifecycleStatus.DISQUALIFIED)
    other_open = session.scalar(select(Handoff).where(Handoff.lead_id == other_id, open_states))
    if other_open is not None and (survivor_open is not None or closed_for_good):
        other_open.state = HandoffState.CLOSED
        other_open.closed_at = now
        other_open.escalate_at = None
        other_open.outcome = "merged"
        finish_task(session, other_open, "merged into another lead", now)
        session.flush()
        other_open = None
    _move(session, Handoff, other_id, survivor.id)
    session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.about_lead_id == other_id)
        .values(about_lead_id=survivor.id),
        execution_options={"synchronize_session": False},
    )
    return survivor_open is None and other_open is not None


def _move(session: Session, model: type, from_id: int, to_id: int) -> int:
    result = session.execute(
        update(model).where(model.lead_id == from_id).values(lead_id=to_id),  # type: ignore[attr-defined]
        execution_options={"synchronize_session": False},
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
