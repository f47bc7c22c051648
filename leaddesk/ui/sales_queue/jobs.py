"""What the Sales queue page reads and writes, as plain functions run by the task runner.

Nothing here imports Qt: each function opens its own short session, acts as the member this
computer acts as (``leaddesk.handoff.identity``) and returns plain data for the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leaddesk.db.engine import Database
from leaddesk.db.models import Handoff, HandoffState, Lead, TeamMember, TeamRole
from leaddesk.handoff import followup, service
from leaddesk.handoff.brief import build_brief
from leaddesk.handoff.brief_render import brief_html
from leaddesk.handoff.config import load_settings
from leaddesk.handoff.identity import current_member
from leaddesk.handoff.queue import QueueCounts, QueueRow, format_span, queue_counts, sales_queue
from leaddesk.handoff.team import SALES_ROLES, list_members
from leaddesk.ui.sales_queue.outcome_jobs import OutcomeChoices, load_choices

#: The "whose queue" choice meaning every open hand-off.
EVERYONE = 0


@dataclass(frozen=True)
class Viewer:
    """Who is looking: the member this computer acts as (None: not chosen yet)."""

    member_id: int | None
    name: str
    role: str
    timezone: str | None

    @property
    def is_manager(self) -> bool:
        """Managers look at everyone's queue by default."""
        return self.role == TeamRole.SALES_MANAGER


@dataclass(frozen=True)
class SalesPerson:
    """An active member who can own hand-offs, with how many are open in their name."""

    id: int
    name: str
    open_handoffs: int


@dataclass(frozen=True)
class QueueData:
    """Everything the page shows for one "whose queue" choice."""

    whose: int
    viewer: Viewer
    people: list[SalesPerson]
    rows: list[QueueRow]
    counts: QueueCounts
    open_total: int
    sla_hours: float
    choices: OutcomeChoices = field(default_factory=OutcomeChoices)


def default_whose(viewer: Viewer) -> int:
    """A rep starts on their own queue; a manager, or someone not yet chosen, on everyone's."""
    if viewer.member_id is None or viewer.is_manager:
        return EVERYONE
    return viewer.member_id


def _viewer(session: Session, db: Database) -> Viewer:
    me = current_member(session, db)
    if me is None:
        return Viewer(None, "", "", None)
    return Viewer(me.id, me.name, me.role, me.timezone or None)


def load_queue(db: Database, now: datetime, whose: int | None) -> QueueData:
    """The queue of ``whose`` (a member id, :data:`EVERYONE`, or None for the viewer's default)."""
    with db.session() as session:
        viewer = _viewer(session, db)
        people = [
            SalesPerson(m.id, m.name, m.open_handoffs)
            for m in list_members(session, include_inactive=False)
            if m.role in SALES_ROLES
        ]
        if whose is None:
            whose = default_whose(viewer)
        if whose not in {person.id for person in people}:  # left sales, or never was in it
            whose = EVERYONE
        member_id = whose or None
        rows = sales_queue(session, now, member_id=member_id)
        counts = queue_counts(session, now, member_id=member_id)
        open_total = session.scalar(
            select(func.count(Handoff.id)).where(Handoff.state != HandoffState.CLOSED)
        )
        sla_hours = load_settings(session).sla_hours
        choices = load_choices(session, [row.lead_id for row in rows])
        return QueueData(
            whose, viewer, people, rows, counts, int(open_total or 0), sla_hours, choices
        )


def load_brief(db: Database, lead_id: int, now: datetime, viewer_zone: str | None) -> str:
    """The lead brief as HTML for the page's brief pane."""
    with db.session() as session:
        brief = build_brief(session, lead_id, now, viewer_zone=viewer_zone)
    return brief_html(brief, viewer_zone=viewer_zone, standalone=False)


def _lead(session: Session, lead_id: int) -> Lead:
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise service.HandoffError("this lead no longer exists: reload the queue")
    return lead


def accept_lead(db: Database, lead_id: int, now: datetime) -> str:
    """Accept the lead's hand-off as this computer's member; returns what to tell the user."""
    with db.write() as session:
        lead = _lead(session, lead_id)
        handoff = followup.accept(session, lead, by=current_member(session, db), now=now)
        owner = session.get(TeamMember, handoff.owner_id) if handoff.owner_id else None
        who = f" ({owner.name} owns it)" if owner is not None else ""
        return f"Accepted {lead.full_name}{who}. Log the first attempt to stop the clock."


@dataclass(frozen=True)
class AttemptValues:
    """What the Log attempt dialog collected."""

    channel: str
    outcome: str
    note: str
    next_step_at: datetime | None


def log_attempt(db: Database, lead_id: int, values: AttemptValues, now: datetime) -> str:
    """Log a follow-up attempt; returns the sentence that says what it did to the deadline."""
    with db.write() as session:
        lead = _lead(session, lead_id)
        result = followup.log_attempt(
            session,
            lead,
            channel=values.channel,
            outcome=values.outcome,
            note=values.note,
            next_step_at=values.next_step_at,
            by=current_member(session, db),
            now=now,
        )
        name = lead.full_name
    planned = " A next-step task is planned." if result.next_task_id is not None else ""
    if not result.first:
        return f"Logged another attempt for {name}.{planned}"
    took = duration_text(result.minutes_taken)
    verdict = "in time" if result.sla_state == "met" else "after the deadline"
    return f"First attempt for {name} logged {took} after the hand-off — {verdict}.{planned}"


def duration_text(minutes: float | None) -> str:
    """A duration in minutes as "3 h 12 min" / "45 min" / "2 d 4 h"."""
    return "?" if minutes is None else format_span(timedelta(minutes=minutes))


def hand_back(db: Database, lead_id: int, reason: str, note: str, now: datetime) -> str:
    """Return the lead to marketing with ``reason``; returns what to tell the user."""
    with db.write() as session:
        lead = _lead(session, lead_id)
        followup.hand_back(
            session, lead, reason=reason, note=note, by=current_member(session, db), now=now
        )
        return f"Handed {lead.full_name} back to marketing ({reason}); the lead is recycled."


def reassign(db: Database, lead_id: int, to_id: int, reason: str, now: datetime) -> str:
    """Give the lead's open hand-off to member ``to_id``; returns what to tell the user."""
    with db.write() as session:
        lead = _lead(session, lead_id)
        target = session.get(TeamMember, to_id)
        if target is None:
            raise service.HandoffError("that team member no longer exists: choose another")
        handoff = service.reassign(
            session, lead, to=target, by=current_member(session, db), now=now, reason=reason
        )
        fresh = handoff.first_attempt_at is None and handoff.state != HandoffState.CLOSED
        tail = " with a fresh deadline" if fresh else ""
        return f"Gave {lead.full_name} to {target.name}{tail}."
