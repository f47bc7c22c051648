"""What events do to sequences: exit rules and automatic enrolment.

Registered with the event door (:func:`register_reactions`).
Sequence settings hold the rules: ``version.exit_rules`` (replied, unsubscribed, bounced,
sales_ready, status_closed) and ``sequence.auto_enroll`` such as
``{"new_from_sources": ["Expo Berlin 2026"], "became_warm": true}``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.activities.kinds import ActivityKind
from leaddesk.activities.reactions import Reaction, ReactionRegistry, reaction_memo
from leaddesk.db.models import (
    Activity,
    Enrollment,
    EnrollmentState,
    Lead,
    LifecycleStatus,
    Sequence,
    SequenceStatus,
    SequenceVersion,
)
from leaddesk.sequences.enrollment import enroll_leads, exit_enrollments, live_enrollments
from leaddesk.sequences.exits import cancel_planned_messages

AUTO_ORIGIN_KEY = "leaddesk.auto_enrolment_cause"
ALWAYS_EXIT = ("unsubscribed", "bounced")  # never keep mailing someone who asked or bounced
_RULE_BY_KIND = {
    ActivityKind.DEAL_WON: "status_closed",  # a customer now
    ActivityKind.REPLIED: "replied",
    ActivityKind.UNSUBSCRIBED: "unsubscribed",
    ActivityKind.BOUNCED: "bounced",
    ActivityKind.BECAME_SALES_READY: "sales_ready",
}
_RULE_BY_STATUS = {
    LifecycleStatus.SALES_READY: "sales_ready",
    LifecycleStatus.IN_SALES: "sales_ready",
    LifecycleStatus.ACCEPTED: "sales_ready",
    LifecycleStatus.OPPORTUNITY: "sales_ready",
    LifecycleStatus.CUSTOMER: "status_closed",
    LifecycleStatus.DISQUALIFIED: "status_closed",
}
# What a sequence does with a lead handed to sales (``Sequence.on_handoff``).
ON_HANDOFF_EXIT, ON_HANDOFF_PAUSE, ON_HANDOFF_KEEP = "exit", "pause", "keep"
ON_HANDOFF_CHOICES = (ON_HANDOFF_EXIT, ON_HANDOFF_PAUSE, ON_HANDOFF_KEEP)
HANDOFF_EXIT_REASON = "sales_ready"
# Marks an enrollment the hand-off paused, so handing the lead back resumes exactly those.
PAUSED_FOR_SALES = "paused while with sales"
NEW_LEAD_KINDS = (ActivityKind.IMPORTED, ActivityKind.CREATED)


def exit_rule_for(activity: Activity, lead: Lead) -> str | None:
    """The exit rule an event triggers (None for events that do not end sequences)."""
    if activity.kind == ActivityKind.STATUS_CHANGED:
        status = str(activity.payload.get("to") or lead.status)
        return _RULE_BY_STATUS.get(status)  # type: ignore[call-overload]
    return _RULE_BY_KIND.get(activity.kind)  # type: ignore[call-overload]


def apply_exit_rule(session: Session, lead: Lead, rule: str, *, now: datetime) -> int:
    """End the lead's enrollments whose version has ``rule`` (or that must always exit).

    A completed enrollment may still have its last email planned: that email is cancelled too.
    """
    enrollments = live_enrollments(session, lead_ids=[lead.id])
    completed = list(
        session.scalars(
            select(Enrollment).where(
                Enrollment.lead_id == lead.id, Enrollment.state == EnrollmentState.COMPLETED
            )
        )
    )
    versions = {
        v.id: v
        for v in session.scalars(
            select(SequenceVersion).where(
                SequenceVersion.id.in_({e.version_id for e in enrollments + completed})
            )
        )
    }
    kept_for_sales = _sequences_not_exiting_on_handoff(session, enrollments + completed)

    def matches(enrollment: Enrollment) -> bool:
        if rule in ALWAYS_EXIT:
            return True
        if rule == HANDOFF_EXIT_REASON and enrollment.sequence_id in kept_for_sales:
            return False  # the sequence pauses or keeps going when the lead goes to sales
        return rule in (versions[enrollment.version_id].exit_rules or [])

    finished = [e.id for e in completed if matches(e)]
    if finished:
        cancel_planned_messages(session, reason=rule, enrollment_ids=finished, now=now)
    ended = exit_enrollments(session, [e for e in enrollments if matches(e)], rule, now=now)
    if rule in ALWAYS_EXIT:
        cancel_planned_messages(session, reason=rule, lead_id=lead.id, now=now)
    return ended


def _sequences_not_exiting_on_handoff(session: Session, enrollments: list[Enrollment]) -> set[int]:
    ids = {e.sequence_id for e in enrollments}
    if not ids:
        return set()
    return set(
        session.scalars(
            select(Sequence.id).where(Sequence.id.in_(ids), Sequence.on_handoff != ON_HANDOFF_EXIT)
        )
    )


def handed_to_sales(session: Session, lead: Lead, now: datetime) -> int:
    """Apply each live sequence's hand-off setting: exit (default), pause, or keep going.

    Returns how many enrollments were exited or paused.
    """
    enrollments = live_enrollments(session, lead_ids=[lead.id])
    finished = list(
        session.scalars(
            select(Enrollment.id)
            .join(Sequence, Sequence.id == Enrollment.sequence_id)
            .where(
                Enrollment.lead_id == lead.id,
                Enrollment.state == EnrollmentState.COMPLETED,
                Sequence.on_handoff == ON_HANDOFF_EXIT,
            )
        )
    )
    if finished:  # a completed enrollment's last email may still be planned
        cancel_planned_messages(
            session, reason=HANDOFF_EXIT_REASON, enrollment_ids=finished, now=now
        )
    if not enrollments:
        return 0
    settings = dict(
        session.execute(
            select(Sequence.id, Sequence.on_handoff).where(
                Sequence.id.in_({e.sequence_id for e in enrollments})
            )
        ).all()
    )
    leaving = [e for e in enrollments if settings.get(e.sequence_id) == ON_HANDOFF_EXIT]
    pausing = [
        e
        for e in enrollments
        if settings.get(e.sequence_id) == ON_HANDOFF_PAUSE and e.state == EnrollmentState.ACTIVE
    ]
    for enrollment in pausing:
        enrollment.state = EnrollmentState.PAUSED
        enrollment.exit_reason = PAUSED_FOR_SALES
    ended = exit_enrollments(session, leaving, HANDOFF_EXIT_REASON, now=now)
    session.flush()
    return ended + len(pausing)


def back_from_sales(session: Session, lead: Lead) -> int:
    """Resume the enrollments the hand-off paused; returns how many."""
    paused = [
        e
        for e in live_enrollments(session, lead_ids=[lead.id])
        if e.state == EnrollmentState.PAUSED and e.exit_reason == PAUSED_FOR_SALES
    ]
    for enrollment in paused:
        enrollment.state = EnrollmentState.ACTIVE
        enrollment.exit_reason = ""
    session.flush()
    return len(paused)


def react_to_activity(session: Session, lead: Lead, activity: Activity, now: datetime) -> None:
    """The sequence side of one event: exit on replies, bounces…; auto-enrol new/warm leads."""
    if activity.kind == ActivityKind.HANDED_OFF:
        handed_to_sales(session, lead, now)
        return
    if activity.kind == ActivityKind.HANDED_BACK:
        back_from_sales(session, lead)
        return
    if activity.kind == ActivityKind.DEAL_LOST:  # the recycle policy decides what comes next
        paused = [
            e
            for e in live_enrollments(session, lead_ids=[lead.id])
            if e.exit_reason == PAUSED_FOR_SALES
        ]
        exit_enrollments(session, paused, "lost", now=now)
        return
    rule = exit_rule_for(activity, lead)
    if rule is not None:
        apply_exit_rule(session, lead, rule, now=now)
        return
    if activity.kind in NEW_LEAD_KINDS:
        auto_enroll_new_leads(session, [lead.id], now=now)
    elif activity.kind == ActivityKind.BECAME_WARM:
        for sequence in _auto_sequences(session):
            if sequence.auto_enroll.get("became_warm"):
                enroll_leads(session, sequence, [lead.id], now=now, origin=auto_origin(session))


def auto_origin(session: Session) -> str:
    """The origin stored on an automatic enrolment: ``auto``, or ``auto:<cause>`` (see below)."""
    cause = session.info.get(AUTO_ORIGIN_KEY)
    return f"auto:{cause}" if cause else "auto"


@contextmanager
def auto_enrolments_caused_by(session: Session, cause: str) -> Iterator[None]:
    """Within the block, automatic enrolments made in ``session`` name ``cause`` in their origin.

    An import wraps its bulk reactions in this, so that undoing the import can also take back
    the enrolments it set off (an existing lead whose source the import filled in, say).
    """
    session.info[AUTO_ORIGIN_KEY] = cause
    try:
        yield
    finally:
        session.info.pop(AUTO_ORIGIN_KEY, None)


def _auto_sequences(session: Session) -> list[Sequence]:
    """The active sequences with an auto-enrol rule (looked up once per batch of events)."""
    memo = reaction_memo(session)
    if memo is not None and _AUTO in memo:
        return memo[_AUTO]  # type: ignore[no-any-return]
    found = [
        s
        for s in session.scalars(select(Sequence).where(Sequence.status == SequenceStatus.ACTIVE))
        if s.auto_enroll
    ]
    if memo is not None:
        memo[_AUTO] = found
    return found


_AUTO = "auto_sequences"


def auto_enroll_new_leads(session: Session, lead_ids: Iterable[int], *, now: datetime) -> int:
    """Enrol leads into sequences whose rule names their source, once per lead and sequence."""
    ids = list(lead_ids)
    total = 0
    for sequence in _auto_sequences(session):
        sources = {
            str(s).strip().casefold() for s in sequence.auto_enroll.get("new_from_sources", [])
        }
        if not sources or not ids:
            continue
        ever = set(
            session.scalars(
                select(Enrollment.lead_id).where(
                    Enrollment.sequence_id == sequence.id, Enrollment.lead_id.in_(ids)
                )
            )
        )
        wanted = [
            lead.id
            for lead in session.scalars(select(Lead).where(Lead.id.in_(ids)))
            if lead.id not in ever and lead.source.strip().casefold() in sources
        ]
        if wanted:
            total += len(
                enroll_leads(
                    session, sequence, wanted, now=now, origin=auto_origin(session)
                ).enrolled
            )
    return total


def react_to_bulk_change(
    session: Session,
    lead_ids: list[int],
    now: datetime,
    kinds: Collection[str] | None = None,
    _scored: Mapping[int, Any] | None = None,
) -> None:
    """After an import or bulk edit: apply the "new leads from source X" rules once.

    ``kinds``: the change was only new activities of these kinds; unless one of them is a
    new-lead kind (as for a single event) there is nothing to do.
    """
    if kinds is not None and not any(kind in NEW_LEAD_KINDS for kind in kinds):
        return
    auto_enroll_new_leads(session, lead_ids, now=now)


_REACTS_TO = frozenset(
    {
        ActivityKind.HANDED_OFF,
        ActivityKind.HANDED_BACK,
        ActivityKind.DEAL_LOST,
        ActivityKind.STATUS_CHANGED,
        *_RULE_BY_KIND,
        *NEW_LEAD_KINDS,
    }
)


def reacts_to(session: Session, kind: str) -> bool:
    """The kinds :func:`react_to_activity` acts on (becoming warm only while a sequence
    enrols warm leads automatically)."""
    if kind in _REACTS_TO:
        return True
    if kind == ActivityKind.BECAME_WARM:
        return any(s.auto_enroll.get("became_warm") for s in _auto_sequences(session))
    return False


def register_reactions(registry: ReactionRegistry) -> None:
    """Sequences react to single events (exits, auto-enrolment) and to bulk changes."""
    registry.register(
        Reaction(
            "sequences",
            on_activity=react_to_activity,
            on_bulk_change=react_to_bulk_change,
            reacts_to=reacts_to,
        )
    )
