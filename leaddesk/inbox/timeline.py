"""A lead's story: the timeline, quick activity logging, tasks, and the detail panel's data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.activities import ActivityEvent, ActivityKind, record_activity
from leaddesk.activities.kinds import label
from leaddesk.db.models import (
    Activity,
    Enrollment,
    Lead,
    LeadTag,
    OutboundMessage,
    OutboxState,
    Task,
    TeamMember,
)
from leaddesk.db.models import Sequence as DripSequence
from leaddesk.inbox.profile import EDITABLE_FIELDS

LOGGABLE_KINDS = (
    ActivityKind.NOTE,
    ActivityKind.CALL,
    ActivityKind.MEETING,
    ActivityKind.WEBINAR_REGISTERED,
    ActivityKind.WEBINAR_ATTENDED,
    ActivityKind.CONSULTATION_REQUESTED,
    ActivityKind.WHITEPAPER_DOWNLOAD,
    ActivityKind.CASE_STUDY_DOWNLOAD,
    ActivityKind.WEBSITE_VISIT,
)
SUMMARY_KEYS = (
    "outcome",
    "note",
    "text",
    "subject",
    "snippet",
    "title",
    "reason",
    "sequence",
    "source",
)


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a lead's timeline."""

    id: int
    kind: str
    label: str
    summary: str
    occurred_at: datetime
    origin: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class TaskInfo:
    """A task about the lead."""

    id: int
    title: str
    kind: str
    due_at: datetime | None
    completed_at: datetime | None
    owner: str
    outcome: str


@dataclass(frozen=True)
class EnrollmentInfo:
    """One of the lead's sequence enrollments and its next planned email."""

    id: int
    sequence: str
    state: str
    enrolled_at: datetime
    next_due_at: datetime | None
    next_subject: str
    exit_reason: str


@dataclass(frozen=True)
class LeadDetail:
    """Everything the lead detail panel shows, as plain values."""

    id: int
    profile: dict[str, Any]
    tags: tuple[str, ...]
    owner: str
    score: float
    fit_score: float
    engagement_score: float
    band: str
    email_state: str
    created_at: datetime
    timeline: list[TimelineEntry]
    tasks: list[TaskInfo]
    enrollments: list[EnrollmentInfo]


def summarize(kind: str, payload: dict[str, Any], import_batch_id: int | None = None) -> str:
    """A short human line for an activity's payload (``"new → nurturing"``)."""
    if kind == ActivityKind.IMPORTED:
        source = payload.get("source") or payload.get("filename") or ""
        batch = f"batch #{import_batch_id}" if import_batch_id else ""
        return " — ".join(p for p in (str(source), batch) if p)
    if kind in (ActivityKind.STATUS_CHANGED,) and "to" in payload:
        return f"{_pretty(payload.get('from'))} → {_pretty(payload.get('to'))}"
    if kind == ActivityKind.OWNER_CHANGED:
        return f"to {payload.get('to_name') or 'nobody'}"
    if kind == ActivityKind.PROFILE_UPDATED:
        return ", ".join(k.replace("_", " ") for k in payload.get("fields", {}))
    if kind == ActivityKind.MERGED:
        return f"merged {payload.get('merged_email', '')}".strip()
    if kind in (ActivityKind.CLICKED_LINK, ActivityKind.VISITED_PAGE):
        where = str(payload.get("url") or payload.get("path") or "")
        return f"{where} — from {payload['step']}" if payload.get("step") else where
    handoff = _handoff_summary(kind, payload)
    if handoff is not None:
        return handoff
    parts = [str(payload[key]) for key in SUMMARY_KEYS if payload.get(key)]
    return " — ".join(parts)


def _short_time(value: Any) -> str:
    try:
        return datetime.fromisoformat(str(value)).astimezone().strftime("%a %d %b %H:%M")
    except ValueError:
        return str(value or "")


def _took(minutes: Any) -> str:
    from leaddesk.handoff.queue import format_span  # the hand-off capability reads the inbox

    return format_span(timedelta(minutes=minutes)) if isinstance(minutes, int | float) else ""


def _handoff_summary(kind: str, payload: dict[str, Any]) -> str | None:
    """The timeline line of a hand-off step (None for other kinds)."""
    by = payload.get("by") or "LeadDesk"
    if kind == ActivityKind.HANDED_OFF:
        due = _short_time(payload.get("due_at")) if payload.get("due_at") else "no deadline"
        rule = f" by rule {payload['rule']!r}" if payload.get("rule") not in ("", None) else ""
        return f"to {payload.get('owner', 'nobody')}{rule}, follow up by {due} — " + str(
            payload.get("reason") or by
        )
    if kind == ActivityKind.FOLLOW_UP_ATTEMPT:
        outcome = _pretty(payload.get("outcome"))
        text = f"{payload.get('channel', '')}: {outcome} ({by})"
        if payload.get("sla"):
            text += f" — first attempt after {_took(payload.get('minutes_taken'))}, SLA "
            text += str(payload["sla"])
        return text + (f" — {payload['note']}" if payload.get("note") else "")
    if kind == ActivityKind.SLA_MET:
        return f"first attempt after {_took(payload.get('minutes_taken'))}"
    if kind == ActivityKind.SLA_BREACHED:
        owner = payload.get("owner") or by
        return f"deadline {_short_time(payload.get('due_at'))} passed with no attempt ({owner})"
    if kind == ActivityKind.REASSIGNED:
        why = f" — {payload['reason']}" if payload.get("reason") else ""
        return f"{payload.get('from_owner', 'nobody')} → {payload.get('to_owner', '?')}{why}"
    if kind == ActivityKind.HANDED_BACK:
        note = f" ({payload['note']})" if payload.get("note") else ""
        return f"{payload.get('reason', '')}{note} — by {by}"
    if kind == ActivityKind.HANDOFF_ACCEPTED:
        return f"by {by}"
    if kind == ActivityKind.HANDOFF_CLOSED:
        return str(payload.get("reason") or payload.get("outcome") or "")
    return _outcome_summary(kind, payload, by)


def _money(payload: dict[str, Any]) -> str:
    from leaddesk.outcomes.money import format_amount  # outcomes build on the inbox

    cents = payload.get("amount_cents")
    return format_amount(int(cents), str(payload.get("currency") or "")) if cents else ""


def _outcome_summary(kind: str, payload: dict[str, Any], by: str) -> str | None:
    """The timeline line of an outcome, a recycle or a re-engagement (None for other kinds)."""
    if kind == ActivityKind.DEAL_OPENED:
        close = (
            f", expected to close {payload['expected_close']}"
            if payload.get("expected_close")
            else ""
        )
        return f"{_money(payload)}{close} — by {by}"
    if kind == ActivityKind.DEAL_WON:
        return f"{_money(payload)} on {payload.get('won_on', '')} — by {by}"
    if kind == ActivityKind.DEAL_LOST:
        note = f" ({payload['note']})" if payload.get("note") else ""
        return f"{payload.get('reason', '')}{note} — by {by}"
    if kind == ActivityKind.RECYCLED:
        return f"{payload.get('reason', '')}: {payload.get('result', '')}"
    if kind == ActivityKind.REENGAGEMENT_STARTED:
        days = payload.get("inactive_days", "?")
        return f"{payload.get('sequence', '')} — untouched for {days} days"
    if kind == ActivityKind.MARKED_UNRESPONSIVE:
        return "no answer to the re-engagement emails: left out of re-engagement for a year"
    return None


def _pretty(value: Any) -> str:
    return str(value or "none").replace("_", " ")


def timeline(session: Session, lead_id: int, *, limit: int | None = None) -> list[TimelineEntry]:
    """The lead's activities, newest first (ties: the later recorded first)."""
    statement = (
        select(Activity)
        .where(Activity.lead_id == lead_id)
        .order_by(Activity.occurred_at.desc(), Activity.id.desc())
    )
    if limit is not None:
        statement = statement.limit(limit)
    return [
        TimelineEntry(
            id=a.id,
            kind=a.kind,
            label=label(a.kind),
            summary=summarize(a.kind, a.payload or {}, a.import_batch_id),
            occurred_at=a.occurred_at,
            origin=a.origin,
            payload=dict(a.payload or {}),
        )
        for a in session.scalars(statement)
    ]


def log_activity(
    session: Session,
    lead_id: int,
    kind: str,
    *,
    now: datetime,
    note: str = "",
    outcome: str = "",
    occurred_at: datetime | None = None,
) -> int:
    """Record something the user did or learned (a call, a meeting, a note); returns its id."""
    if kind not in LOGGABLE_KINDS:
        raise ValueError(f"{kind!r} cannot be logged by hand")
    payload = {k: v for k, v in (("note", note.strip()), ("outcome", outcome.strip())) if v}
    event = ActivityEvent(lead_id, kind, occurred_at=occurred_at or now, payload=payload)
    return record_activity(session, event, now=now).id


def add_task(
    session: Session,
    lead_id: int,
    title: str,
    *,
    now: datetime,
    due_at: datetime | None = None,
    owner_id: int | None = None,
    kind: str = "other",
) -> int:
    """Create a task about the lead (recorded on its timeline); returns the task id."""
    if not title.strip():
        raise ValueError("a task needs a title")
    task = Task(
        lead_id=lead_id,
        title=title.strip(),
        due_at=due_at,
        owner_id=owner_id,
        kind=kind,
        created_at=now,
        updated_at=now,
    )
    session.add(task)
    session.flush()
    payload = {"title": task.title, "task_id": task.id}
    record_activity(
        session, ActivityEvent(lead_id, ActivityKind.TASK_CREATED, now, payload), now=now
    )
    return task.id


def complete_task(session: Session, task_id: int, *, now: datetime, outcome: str = "") -> None:
    """Mark a task done (recorded on the lead's timeline)."""
    task = session.get(Task, task_id)
    if task is None:
        raise LookupError(f"task {task_id} does not exist")
    if task.completed_at is not None:
        return
    task.completed_at = now
    task.outcome = outcome.strip()
    task.updated_at = now
    payload = {"title": task.title, "task_id": task.id, "outcome": task.outcome}
    record_activity(
        session, ActivityEvent(task.lead_id, ActivityKind.TASK_COMPLETED, now, payload), now=now
    )


def lead_detail(session: Session, lead_id: int) -> LeadDetail:
    """Profile, tags, score, timeline, tasks and enrollments of one lead."""
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise LookupError(f"lead {lead_id} does not exist")
    owner = session.get(TeamMember, lead.owner_id) if lead.owner_id else None
    tags = session.scalars(
        select(LeadTag.tag).where(LeadTag.lead_id == lead_id).order_by(LeadTag.tag)
    )
    return LeadDetail(
        id=lead.id,
        profile={field: getattr(lead, field) for field in EDITABLE_FIELDS},
        tags=tuple(tags),
        owner=owner.name if owner else "",
        score=lead.score,
        fit_score=lead.fit_score,
        engagement_score=lead.engagement_score,
        band=lead.score_band,
        email_state=lead.email_state,
        created_at=lead.created_at,
        timeline=timeline(session, lead_id),
        tasks=_tasks(session, lead_id),
        enrollments=_enrollments(session, lead_id),
    )


def _tasks(session: Session, lead_id: int) -> list[TaskInfo]:
    rows = session.execute(
        select(Task, TeamMember.name)
        .outerjoin(TeamMember, TeamMember.id == Task.owner_id)
        .where(Task.lead_id == lead_id)
        .order_by(Task.completed_at.is_not(None), Task.due_at.is_(None), Task.due_at, Task.id)
    )
    return [
        TaskInfo(t.id, t.title, t.kind, t.due_at, t.completed_at, name or "", t.outcome)
        for t, name in rows
    ]


def _enrollments(session: Session, lead_id: int) -> list[EnrollmentInfo]:
    rows = session.execute(
        select(Enrollment, DripSequence.name)
        .join(DripSequence, DripSequence.id == Enrollment.sequence_id)
        .where(Enrollment.lead_id == lead_id)
        .order_by(Enrollment.enrolled_at.desc())
    )
    result = []
    for enrollment, name in rows:
        planned = session.execute(
            select(OutboundMessage.subject, OutboundMessage.due_at)
            .where(
                OutboundMessage.enrollment_id == enrollment.id,
                OutboundMessage.state.in_((OutboxState.SCHEDULED, OutboxState.DEFERRED)),
            )
            .order_by(OutboundMessage.due_at)
            .limit(1)
        ).first()
        result.append(
            EnrollmentInfo(
                id=enrollment.id,
                sequence=name,
                state=enrollment.state,
                enrolled_at=enrollment.enrolled_at,
                next_due_at=planned.due_at if planned else enrollment.next_due_at,
                next_subject=planned.subject if planned else "",
                exit_reason=enrollment.exit_reason,
            )
        )
    return result
