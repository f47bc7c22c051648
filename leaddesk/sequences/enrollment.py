"""Putting leads into sequences and taking them out: by hand, from lists, and by rules."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.activities import (
    ActivityEvent,
    ActivityKind,
    record_activities_bulk,
    record_activity,
)
from leaddesk.db.models import (
    EmailState,
    Enrollment,
    EnrollmentState,
    Lead,
    LifecycleStatus,
    Sequence,
    SequenceStatus,
    SequenceStep,
    SequenceVersion,
)
from leaddesk.leads.emails import email_key
from leaddesk.leads.suppression import suppressed_among
from leaddesk.sequences.enrollment_rows import FirstStep, insert_enrollments
from leaddesk.sequences.exits import LIVE_ENROLLMENT, cancel_planned_messages
from leaddesk.sequences.planner import Planner, next_actionable, window_of
from leaddesk.sequences.timing import SendWindow

CLOSED_STATUSES = (LifecycleStatus.CUSTOMER, LifecycleStatus.DISQUALIFIED)


@dataclass
class EnrollResult:
    """What happened to each lead asked to join a sequence."""

    enrolled: list[int] = field(default_factory=list)
    already: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)


def latest_version(session: Session, sequence: Sequence) -> SequenceVersion:
    """The newest version of ``sequence`` (new enrolments always join it)."""
    version = session.scalar(
        select(SequenceVersion)
        .where(SequenceVersion.sequence_id == sequence.id)
        .order_by(SequenceVersion.number.desc())
        .limit(1)
    )
    if version is None:
        raise LookupError(f"sequence {sequence.name!r} has no version")
    return version


def plan_from(
    session: Session,
    enrollment: Enrollment,
    lead: Lead,
    version: SequenceVersion,
    position: int,
    anchor: datetime,
    now: datetime,
    planner: Planner | None = None,
) -> None:
    """Point ``enrollment`` at the first actionable step from ``position``, due after ``anchor``.

    Completes the enrollment when no email or task step is left.
    """
    planner = planner or Planner(session, now)
    found = first_step(planner, lead, version, position, anchor)
    if found is None:
        complete_enrollment(session, enrollment, lead, version, now)
        return
    enrollment.current_position, enrollment.next_due_at = found


def first_step(
    planner: Planner,
    lead: Lead,
    version: SequenceVersion,
    position: int,
    anchor: datetime,
    *,
    steps: list[SequenceStep] | None = None,
    window: SendWindow | None = None,
) -> tuple[int, datetime] | None:
    """``(position, due at)`` of the first actionable step from ``position``, or None.

    ``steps`` and ``window`` are the version's, when the caller has them already (a list).
    """
    return next_actionable(
        steps if steps is not None else list(version.steps),
        position,
        anchor,
        zone=planner.zone_for(lead, version),
        window=window if window is not None else planner.window(version),
    )


def complete_enrollment(
    session: Session, enrollment: Enrollment, lead: Lead, version: SequenceVersion, now: datetime
) -> None:
    """Mark ``enrollment`` completed now (no step left) and record that through the door."""
    enrollment.state = EnrollmentState.COMPLETED
    enrollment.next_due_at = None
    enrollment.current_position = len(version.steps)
    enrollment.exited_at = now
    record_activity(
        session,
        ActivityEvent(lead.id, ActivityKind.SEQUENCE_COMPLETED, payload=_about(enrollment)),
        now=now,
        react=False,
    )


def _about(enrollment: Enrollment) -> dict[str, int]:
    return {"sequence_id": enrollment.sequence_id, "enrollment_id": enrollment.id}


def refusal_reason(lead: Lead, suppressed: bool) -> str | None:
    """Why ``lead`` may not be enrolled, or None."""
    if suppressed:
        return "the address is on the suppression list"
    if lead.email_state == EmailState.UNSUBSCRIBED:
        return "the lead unsubscribed"
    if lead.email_state == EmailState.BOUNCED:
        return "the address bounced"
    if lead.status in CLOSED_STATUSES:
        return f"the lead is {lead.status}"
    return None


def enroll_leads(
    session: Session,
    sequence: Sequence,
    lead_ids: Iterable[int],
    *,
    now: datetime,
    origin: str = "user",
) -> EnrollResult:
    """Enroll leads in the newest version; suppressed leads are refused, live ones skipped."""
    result = EnrollResult()
    if sequence.status == SequenceStatus.ARCHIVED:
        raise ValueError(f"sequence {sequence.name!r} is archived")
    version = latest_version(session, sequence)
    ids = list(dict.fromkeys(lead_ids))
    leads = {lead.id: lead for lead in session.scalars(select(Lead).where(Lead.id.in_(ids)))}
    live = set(
        session.scalars(
            select(Enrollment.lead_id).where(
                Enrollment.sequence_id == sequence.id,
                Enrollment.state.in_(LIVE_ENROLLMENT),
                Enrollment.lead_id.in_(ids),
            )
        )
    )
    blocked = suppressed_among(session, [lead.email for lead in leads.values()])
    planner = Planner(session, now)
    steps, window = list(version.steps), window_of(version)
    planned: list[tuple[Lead, FirstStep]] = []
    for lead_id in ids:
        lead = leads.get(lead_id)
        if lead is None:
            result.refused[lead_id] = "no such lead"
            continue
        if lead_id in live:
            result.already.append(lead_id)
            continue
        reason = refusal_reason(lead, email_key(lead.email) in blocked)
        if reason:
            result.refused[lead_id] = reason
            continue
        planned.append(
            (lead, first_step(planner, lead, version, 0, now, steps=steps, window=window))
        )
    if not planned:
        return result
    enrollment_ids = insert_enrollments(
        session,
        sequence_id=sequence.id,
        version_id=version.id,
        step_count=len(steps),
        planned=[(lead.id, step) for lead, step in planned],
        origin=origin,
        now=now,
    )
    about = {lead.id: {"sequence_id": sequence.id, "enrollment_id": enrollment_ids[lead.id]}
             for lead, _step in planned}  # fmt: skip
    events = [
        ActivityEvent(
            lead.id,
            ActivityKind.ENROLLED,
            payload={**about[lead.id], "sequence": sequence.name, "origin": origin},
            origin=origin,
        )
        for lead, _step in planned
    ]
    # A version with no step left completes at once (as plan_from does).
    events += [
        ActivityEvent(lead.id, ActivityKind.SEQUENCE_COMPLETED, payload=about[lead.id])
        for lead, step in planned
        if step is None
    ]
    record_activities_bulk(session, events, now=now)
    result.enrolled.extend(lead.id for lead, _step in planned)
    session.flush()
    return result


def live_enrollments(
    session: Session, *, sequence_id: int | None = None, lead_ids: Iterable[int] | None = None
) -> list[Enrollment]:
    """Active and paused enrollments, optionally of one sequence and/or some leads."""
    statement = select(Enrollment).where(Enrollment.state.in_(LIVE_ENROLLMENT))
    if sequence_id is not None:
        statement = statement.where(Enrollment.sequence_id == sequence_id)
    if lead_ids is not None:
        statement = statement.where(Enrollment.lead_id.in_(list(lead_ids)))
    return list(session.scalars(statement.order_by(Enrollment.id)))


def exit_enrollments(
    session: Session, enrollments: Iterable[Enrollment], reason: str, *, now: datetime
) -> int:
    """End ``enrollments`` with ``reason`` and cancel every message planned for them."""
    ended = [e for e in enrollments if e.state in LIVE_ENROLLMENT]
    for enrollment in ended:
        enrollment.state = EnrollmentState.EXITED
        enrollment.exited_at = now
        enrollment.exit_reason = reason
        enrollment.next_due_at = None
        record_activity(
            session,
            ActivityEvent(
                enrollment.lead_id,
                ActivityKind.SEQUENCE_EXITED,
                payload={**_about(enrollment), "reason": reason},
                origin="sequence",
            ),
            now=now,
            react=False,
        )
    if ended:
        cancel_planned_messages(
            session, reason=reason, enrollment_ids=[e.id for e in ended], now=now
        )
    session.flush()
    return len(ended)


def stop_leads(
    session: Session, sequence: Sequence, lead_ids: Iterable[int], *, now: datetime
) -> int:
    """Manual stop: take leads out of ``sequence`` and cancel what was planned for them.

    A completed enrollment whose last email is still planned has that email cancelled too.
    """
    ids = list(lead_ids)
    finished = list(
        session.scalars(
            select(Enrollment.id).where(
                Enrollment.sequence_id == sequence.id,
                Enrollment.lead_id.in_(ids),
                Enrollment.state == EnrollmentState.COMPLETED,
            )
        )
    )
    if finished:
        cancel_planned_messages(session, reason="manual stop", enrollment_ids=finished, now=now)
    found = live_enrollments(session, sequence_id=sequence.id, lead_ids=ids)
    return exit_enrollments(session, found, "manual stop", now=now)


def pause_leads(session: Session, sequence: Sequence, lead_ids: Iterable[int]) -> int:
    """Pause some leads' enrollments (nothing new is planned until they resume)."""
    found = live_enrollments(session, sequence_id=sequence.id, lead_ids=lead_ids)
    for enrollment in found:
        enrollment.state = EnrollmentState.PAUSED
    session.flush()
    return len(found)


def resume_leads(session: Session, sequence: Sequence, lead_ids: Iterable[int]) -> int:
    """Resume paused enrollments; missed steps are re-planned into the next windows."""
    found = [
        e
        for e in live_enrollments(session, sequence_id=sequence.id, lead_ids=lead_ids)
        if e.state == EnrollmentState.PAUSED
    ]
    for enrollment in found:
        enrollment.state = EnrollmentState.ACTIVE
    session.flush()
    return len(found)
