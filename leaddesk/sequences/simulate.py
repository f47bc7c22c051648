"""The simulator: every planned send and task from now until a date, without sending anything.

It replays what the scheduler will do — the same windows, zones, waits and rate limits — on a
copy of the plan in memory, so ``leaddesk schedule`` answers "when will Ada get the day-7
email, in her time and in UTC?" before anything is written.
"""

from __future__ import annotations

import heapq
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.db.models import (
    Enrollment,
    EnrollmentState,
    Lead,
    OutboundMessage,
    OutboxState,
    Sequence,
    SequenceStatus,
    SequenceVersion,
    StepKind,
)
from leaddesk.sequences.planner import Planner, next_actionable, window_of
from leaddesk.sequences.preview import context_for
from leaddesk.sequences.templates import TemplateProblem, render_subject
from leaddesk.sequences.timing import fit_window, local_label
from leaddesk.settings import postal_address

MAX_ITEMS = 20_000


@dataclass(frozen=True)
class PlannedItem:
    """One future send or task as the simulator lists it."""

    utc: datetime
    local_time: str
    timezone: str
    lead_id: int
    lead: str
    email: str
    sequence: str
    version: int
    step: int
    kind: str
    title: str
    status: str

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output (UTC as ISO text)."""
        data = asdict(self)
        data["utc"] = self.utc.isoformat()
        return data


def _title(session: Session, version: SequenceVersion, position: int, lead: Lead) -> str:
    """ "Email: Thanks for stopping by our booth, Wei" (the subject as this lead gets it)."""
    step = version.steps[position]
    if step.kind != StepKind.EMAIL:
        return f"{(step.task_kind or 'other').capitalize()} task"
    try:
        subject = render_subject(step.subject or "", context_for(session, lead, None, ""))
    except TemplateProblem:
        subject = step.subject or ""
    return f"Email: {subject}"


def _blocked(can_send: bool, account: object) -> str:
    """What holds an email back, in words ("" when nothing does)."""
    missing = [
        text for text, ok in (("no postal address", can_send), ("no sender account", account))
        if not ok
    ]  # fmt: skip
    return "blocked: " + ", ".join(missing) if missing else ""


def simulate(
    session: Session, now: datetime, *, until: datetime, sequence_id: int | None = None
) -> list[PlannedItem]:
    """Everything planned between ``now`` and ``until``, in time order (nothing is written)."""
    planner = Planner(session, now)
    sequences = {s.id: s for s in session.scalars(select(Sequence))}
    versions: dict[int, SequenceVersion] = {}
    leads: dict[int, Lead] = {}

    def version_of(version_id: int) -> SequenceVersion:
        if version_id not in versions:
            versions[version_id] = session.get_one(SequenceVersion, version_id)
        return versions[version_id]

    def item(enrollment: Enrollment, position: int, moment: datetime, status: str) -> PlannedItem:
        lead, version = leads[enrollment.lead_id], version_of(enrollment.version_id)
        zone = planner.zone_for(lead, version)
        return PlannedItem(
            moment,
            local_label(moment, zone),
            zone.key,
            lead.id,
            lead.full_name,
            lead.email,
            sequences[enrollment.sequence_id].name,
            version.number,
            position + 1,
            str(version.steps[position].kind),
            _title(session, version, position, lead),
            status,
        )

    statement = select(Enrollment).where(Enrollment.state == EnrollmentState.ACTIVE)
    if sequence_id is not None:
        statement = statement.where(Enrollment.sequence_id == sequence_id)
    enrollments = {
        e.id: e
        for e in session.scalars(statement)
        if sequences[e.sequence_id].status == SequenceStatus.ACTIVE
    }
    for lead in session.scalars(
        select(Lead).where(Lead.id.in_({e.lead_id for e in enrollments.values()}))
    ):
        leads[lead.id] = lead
    items: list[PlannedItem] = []
    for message in session.scalars(
        select(OutboundMessage).where(
            OutboundMessage.enrollment_id.in_(list(enrollments)),
            OutboundMessage.state.in_((OutboxState.SCHEDULED, OutboxState.DEFERRED)),
            OutboundMessage.due_at <= until,
        )
    ):
        enrollment = enrollments[message.enrollment_id]  # type: ignore[index]
        version = version_of(enrollment.version_id)
        position = next((s.position for s in version.steps if s.id == message.step_id), 0)
        items.append(item(enrollment, position, message.due_at, "in outbox"))
    can_send = bool(postal_address(session))
    queue = [
        (e.next_due_at, e.id, e.current_position)
        for e in enrollments.values()
        if e.next_due_at is not None and e.current_position < len(version_of(e.version_id).steps)
    ]
    heapq.heapify(queue)
    while queue and len(items) < MAX_ITEMS:
        due, enrollment_id, position = heapq.heappop(queue)
        enrollment = enrollments[enrollment_id]
        lead, version = leads[enrollment.lead_id], version_of(enrollment.version_id)
        zone = planner.zone_for(lead, version)
        step = version.steps[position]
        moment, status = due, "planned"
        if step.kind == StepKind.EMAIL:
            account = planner.account_for(version)
            blocked = _blocked(can_send, account)
            if blocked or account is None:  # shown when it would go, in the send window, held
                status = blocked
                moment = fit_window(max(due, now), window_of(version), zone)
            else:
                moment = planner.email_slot(
                    due,
                    version=version,
                    sequence_id=enrollment.sequence_id,
                    zone=zone,
                    account=account,
                    earliest=now,
                )
        if moment > until:
            continue
        items.append(item(enrollment, position, moment, status))
        anchor = moment if step.kind == StepKind.EMAIL else due
        found = next_actionable(
            list(version.steps), position + 1, anchor, zone=zone, window=window_of(version)
        )
        if found is not None:
            heapq.heappush(queue, (found[1], enrollment_id, found[0]))
    items.sort(key=lambda i: (i.utc, i.lead_id))
    return items
