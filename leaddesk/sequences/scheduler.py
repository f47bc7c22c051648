"""The scheduler tick: turn due sequence steps into outbox messages and tasks.

:func:`run_due` is what the GUI's timer, ``leaddesk send-due`` and ``leaddesk sequence run-due``
call. For every active enrollment whose next step is due at ``now`` it creates exactly one
:class:`OutboundMessage` (rendered, Message-ID fixed, state ``scheduled``, ``due_at`` the send
slot) or one :class:`Task` for the lead's owner, then plans the following step from that moment.
After the machine slept, overdue steps get slots in the next send windows, spread out by the
sender account's rate limits and the sequence's daily cap — never a burst. It sends nothing.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, lazyload

from leaddesk.activities import ActivityEvent, ActivityKind, record_activity
from leaddesk.db.engine import Database
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
    SequenceStep,
    SequenceVersion,
    StepKind,
    Task,
)
from leaddesk.leads.emails import check_email, email_key
from leaddesk.leads.suppression import suppressed_among
from leaddesk.mail.ids import make_message_id, make_unsubscribe_token
from leaddesk.sequences.enrollment import exit_enrollments, plan_from
from leaddesk.sequences.planner import Planner
from leaddesk.sequences.preview import render_step_email, render_task_note
from leaddesk.sequences.templates import TemplateProblem, clean_header
from leaddesk.settings import postal_address

NO_POSTAL_ADDRESS = "no postal address in Settings"
NO_ACCOUNT = "no sender account"
_OUTBOX = cast(Table, OutboundMessage.__table__)


@dataclass
class TickResult:
    """What one scheduler tick did."""

    messages: int = 0
    tasks: int = 0
    failed: int = 0
    completed: int = 0
    exited: int = 0
    blocked: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output and the GUI."""
        return {
            "messages": self.messages,
            "tasks": self.tasks,
            "failed": self.failed,
            "completed": self.completed,
            "exited": self.exited,
            "blocked": dict(self.blocked),
        }


def run_due(target: Database | Session, now: datetime, *, limit: int = 5000) -> TickResult:
    """Create the messages and tasks of every step due at ``now``; returns what it did.

    ``target`` is a :class:`Database` (one ``BEGIN IMMEDIATE`` write transaction is used) or an
    open session (the caller commits). Safe to call as often as wanted: each enrollment step
    yields at most one message (unique per enrollment and step) and one task.
    """
    if isinstance(target, Database):
        try:
            with target.write() as session:
                return _run(session, now, limit)
        except IntegrityError:  # another laptop's tick created the same messages first
            result = TickResult()
            result.blocked["another scheduler ran at the same time; retry"] += 1
            return result
    return _run(target, now, limit)


def _run(session: Session, now: datetime, limit: int) -> TickResult:
    result = TickResult()
    planner = Planner(session, now)
    address = postal_address(session)
    due = list(
        session.scalars(
            select(Enrollment)
            .join(Sequence, Sequence.id == Enrollment.sequence_id)
            .where(
                Enrollment.state == EnrollmentState.ACTIVE,
                Enrollment.next_due_at <= now,
                Sequence.status == SequenceStatus.ACTIVE,
            )
            .order_by(Enrollment.next_due_at, Enrollment.id)
            .limit(limit)
        )
    )
    leads = {
        lead.id: lead
        for lead in session.scalars(
            select(Lead)
            .where(Lead.id.in_({e.lead_id for e in due}))
            .options(lazyload(Lead.tags))  # only on use: planning and merge fields need none
        )
    }
    blocked = suppressed_among(session, [lead.email for lead in leads.values()])
    made = {
        (row.enrollment_id, row.step_id)
        for row in session.execute(
            select(OutboundMessage.enrollment_id, OutboundMessage.step_id).where(
                OutboundMessage.enrollment_id.in_([e.id for e in due])
            )
        )
    }
    versions: dict[int, SequenceVersion] = {}
    messages: list[dict[str, Any]] = []  # written with one insert at the end (no ORM objects)
    for enrollment in due:
        lead = leads[enrollment.lead_id]
        if email_key(lead.email) in blocked or lead.email_state != EmailState.OK:
            reason = "suppressed" if email_key(lead.email) in blocked else str(lead.email_state)
            result.exited += exit_enrollments(session, [enrollment], reason, now=now)
            continue
        if enrollment.version_id not in versions:
            versions[enrollment.version_id] = session.get_one(
                SequenceVersion, enrollment.version_id
            )
        version = versions[enrollment.version_id]
        steps = list(version.steps)
        if enrollment.current_position >= len(steps):
            plan_from(session, enrollment, lead, version, len(steps), now, now)
            result.completed += 1
            continue
        step = steps[enrollment.current_position]
        if (enrollment.id, step.id) in made:  # created by an earlier, interrupted tick
            anchor = enrollment.next_due_at
        else:
            anchor = _perform(planner, enrollment, lead, version, step, address, result, messages)
        if anchor is None:
            continue
        position = enrollment.current_position + 1
        plan_from(session, enrollment, lead, version, position, anchor, now, planner)
        if enrollment.state == EnrollmentState.COMPLETED:
            result.completed += 1
    session.flush()
    if messages:
        session.execute(insert(_OUTBOX), messages)
    return result


def _perform(
    planner: Planner,
    enrollment: Enrollment,
    lead: Lead,
    version: SequenceVersion,
    step: SequenceStep,
    address: str,
    result: TickResult,
    messages: list[dict[str, Any]],
) -> datetime | None:
    """Create the step's task or message (a row appended to ``messages``); returns the moment
    it happens (None: not yet)."""
    assert enrollment.next_due_at is not None
    session = planner.session
    account = planner.account_for(version)
    if step.kind == StepKind.TASK:
        _create_task(session, enrollment, lead, step, account, planner.now)
        result.tasks += 1
        return enrollment.next_due_at
    if not address:
        result.blocked[NO_POSTAL_ADDRESS] += 1
        return None
    if account is None:
        result.blocked[NO_ACCOUNT] += 1
        return None
    message: dict[str, Any] = {
        "lead_id": lead.id,
        "enrollment_id": enrollment.id,
        "step_id": step.id,
        "account_id": account.id,
        "message_id": make_message_id(account.from_address),
        "to_address": clean_header(lead.email),
        "unsubscribe_token": make_unsubscribe_token(),
        "last_error": "",
        "finished_reason": "",
        "rendered": {},
        "link_token": None,
    }
    problem = check_email(lead.email)
    try:
        if problem:
            raise TemplateProblem(f"invalid recipient address: {problem}", part="to")
        known = planner.over_budget.get(step.id)
        if known is not None:
            raise known
        started = time.perf_counter()
        try:
            rendered = render_step_email(session, lead, step, account, address)
        finally:
            planner.note_render(step.id, time.perf_counter() - started)
    except TemplateProblem as error:
        if error.over_budget:
            planner.over_budget[step.id] = error
        message["state"] = OutboxState.FAILED
        message["subject"] = clean_header(step.subject)
        message["last_error"] = str(error)
        message["finished_reason"] = "template error"
        message["due_at"] = planner.now
        result.failed += 1
    else:
        message["state"] = OutboxState.SCHEDULED
        message["subject"] = rendered.subject
        message["rendered"], message["link_token"] = planner.track_links(
            rendered.as_dict(), version, step
        )
        message["due_at"] = planner.email_slot(
            enrollment.next_due_at,
            version=version,
            sequence_id=enrollment.sequence_id,
            zone=planner.zone_for(lead, version),
            account=account,
            earliest=planner.now,
        )
        result.messages += 1
    messages.append(message)
    return message["due_at"]  # type: ignore[no-any-return]


def _create_task(
    session: Session,
    enrollment: Enrollment,
    lead: Lead,
    step: SequenceStep,
    account: SenderAccount | None,
    now: datetime,
) -> None:
    exists = session.scalar(
        select(Task.id).where(Task.enrollment_id == enrollment.id, Task.step_id == step.id)
    )
    if exists is not None:
        return
    try:
        notes = render_task_note(session, lead, step.task_note, account)
    except TemplateProblem:
        notes = step.task_note
    kind = step.task_kind or "other"
    label = {"call": "Call", "linkedin": "LinkedIn touch"}.get(kind, "Follow up with")
    task = Task(
        lead_id=lead.id,
        owner_id=lead.owner_id,
        kind=kind,
        title=clean_header(f"{label} {lead.full_name}"),
        notes=notes,
        due_at=enrollment.next_due_at,
        enrollment_id=enrollment.id,
        step_id=step.id,
        origin="sequence",
    )
    try:
        with session.begin_nested():  # another copy may have made it a moment ago
            session.add(task)
            session.flush()
    except IntegrityError:
        return
    record_activity(
        session,
        ActivityEvent(
            lead.id,
            ActivityKind.TASK_CREATED,
            payload={"task_id": task.id, "kind": kind, "enrollment_id": enrollment.id},
            origin="sequence",
        ),
        now=now,
        react=False,
    )
