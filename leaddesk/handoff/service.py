"""The hand-off itself and what sales does with it: accept, attempts, hand back, reassign.

Every step is an event through the door (who, when, why), and the ``handoffs`` row keeps the
clock: at most one hand-off is not closed per lead (a partial unique index), so re-crossing the
threshold, a second trigger or a second copy of the app never hands a lead off twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from leaddesk.activities import ActivityEvent, ActivityKind, record_activity
from leaddesk.db.models import (
    Activity,
    Handoff,
    HandoffState,
    HandoffTrigger,
    Lead,
    LifecycleStatus,
    SlaState,
    Task,
    TeamMember,
)
from leaddesk.handoff.config import HandoffSettings, load_settings
from leaddesk.handoff.routing import RouteDecision, TeamLoad, load_routing, route
from leaddesk.handoff.schedule import follow_up_deadline
from leaddesk.handoff.team import SALES_ROLES, member_schedule
from leaddesk.leads.suppression import is_suppressed

ORIGIN = "handoff"
#: Statuses from which a lead is handed off automatically.
AUTO_STATUSES = (
    LifecycleStatus.NEW,
    LifecycleStatus.NURTURING,
    LifecycleStatus.SALES_READY,
    LifecycleStatus.RECYCLED,
)
#: Statuses that mean the lead is in sales' hands already.
SALES_STATUSES = (
    LifecycleStatus.HANDED_OFF,
    LifecycleStatus.ACCEPTED,
    LifecycleStatus.OPPORTUNITY,
    LifecycleStatus.IN_SALES,
)
TASK_KIND = "handoff"


class HandoffError(ValueError):
    """A hand-off step that cannot be taken; the message says why and what to do."""


@dataclass(frozen=True)
class HandoffResult:
    """What a hand-off call did: the hand-off it made (or found open), who has it, until when."""

    lead_id: int
    handoff_id: int
    created: bool
    owner_id: int | None
    owner_name: str
    due_at: datetime | None
    rule: str
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def open_handoff(session: Session, lead_id: int, *, lock: bool = False) -> Handoff | None:
    """The lead's hand-off that is not closed, if any.

    ``lock``: take the row's lock (PostgreSQL ``FOR UPDATE``; SQLite's write transaction holds
    the whole database already), so a rep's step and a timer never overwrite each other.
    """
    statement = select(Handoff).where(
        Handoff.lead_id == lead_id, Handoff.state != HandoffState.CLOSED
    )
    if lock:
        statement = statement.with_for_update()
    return session.scalar(statement)


def refusal(session: Session, lead: Lead) -> str | None:
    """Why ``lead`` cannot be handed to sales at all (None: it can)."""
    if lead.status == LifecycleStatus.CUSTOMER:
        return f"{lead.full_name} is already a customer"
    if lead.status == LifecycleStatus.DISQUALIFIED:
        return f"{lead.full_name} is disqualified: change the status first if that was a mistake"
    if is_suppressed(session, lead.email):
        return f"{lead.full_name} is on the suppression list (unsubscribed or forgotten)"
    return None


def member_label(member: TeamMember | None) -> str:
    """A member's name, or "nobody"."""
    return member.name if member is not None else "nobody"


def team_load(session: Session) -> TeamLoad:
    """The team's load, shared by every hand-off made in this session."""
    cached = session.info.get("leaddesk.team_load")
    if not isinstance(cached, TeamLoad):
        cached = session.info["leaddesk.team_load"] = TeamLoad.read(session)
    return cached


def deadline_for(settings: HandoffSettings, member: TeamMember | None, start: datetime) -> datetime:
    """The follow-up deadline for ``member`` (the SLA on the wall clock when nobody has it)."""
    schedule = member_schedule(member) if member is not None else None
    return follow_up_deadline(
        start, settings.sla_hours, schedule, working_hours=settings.working_hours_only
    )


def check_target(member: TeamMember) -> None:
    """Raise :class:`HandoffError` unless ``member`` can take leads (active, in sales)."""
    if not member.active:
        raise HandoffError(f"{member.name} is inactive: choose an active member")
    if member.role not in SALES_ROLES:
        raise HandoffError(
            f"{member.name} works in marketing: hand leads to a sales rep or manager"
        )


def hand_off(
    session: Session,
    lead: Lead,
    *,
    trigger: str,
    now: datetime,
    reason: str = "",
    by: TeamMember | None = None,
    to: TeamMember | None = None,
    activity_id: int | None = None,
) -> HandoffResult | None:
    """Hand ``lead`` to sales once per qualification episode.

    A hand-off already open is returned as it is (``created`` False). By hand (``trigger``
    manual) a lead that cannot go to sales raises :class:`HandoffError`; automatic triggers
    return None for it. The rep comes from ``to`` or the assignment rules.
    """
    current = open_handoff(session, lead.id)
    manual = trigger == HandoffTrigger.MANUAL
    if current is not None:
        return _result(session, current, created=False)
    problem = refusal(session, lead)
    if problem is None and not manual and lead.status not in AUTO_STATUSES:
        problem = f"{lead.full_name} is {lead.status.replace('_', ' ')}"
    if problem is not None:
        if manual:
            raise HandoffError(problem)
        return None
    if to is not None:
        check_target(to)
    settings = load_settings(session)
    load = team_load(session)
    decision = (
        RouteDecision(to.id, "", "chosen by hand")
        if to is not None
        else route(lead, load_routing(session), load)
    )
    owner = session.get(TeamMember, decision.member_id) if decision.member_id else None
    deadline = deadline_for(settings, owner, now)
    handoff = Handoff(
        lead_id=lead.id,
        state=HandoffState.OPEN,
        trigger=trigger,
        reason=reason,
        trigger_activity_id=activity_id,
        by_member_id=by.id if by is not None else None,
        owner_id=owner.id if owner is not None else None,
        rule=decision.rule,
        tried=[owner.id] if owner is not None else [],
        handed_off_at=now,
        assigned_at=now if owner is not None else None,
        sla_hours=settings.sla_hours,
        working_hours=settings.working_hours_only,
        sla_due_at=deadline,
        due_at=deadline,
        sla_state=SlaState.PENDING,
    )
    try:
        with session.begin_nested():
            session.add(handoff)
            session.flush()
    except IntegrityError:  # another process handed this lead off a moment ago
        session.expire_all()
        existing = open_handoff(session, lead.id)
        if existing is None:
            raise
        return _result(session, existing, created=False)
    if owner is not None:
        load.took(owner.id, now)
    handoff.task_id = _follow_up_task(session, lead, handoff, owner).id
    previous = lead.status
    lead.status = LifecycleStatus.HANDED_OFF if owner is not None else LifecycleStatus.SALES_READY
    if owner is not None:
        lead.owner_id = owner.id
    lead.updated_at = now
    payload = {
        "handoff_id": handoff.id,
        "trigger": trigger,
        "reason": reason,
        "from": previous,
        "to": lead.status,
        "owner_id": handoff.owner_id,
        "owner": member_label(owner),
        "rule": decision.rule,
        "note": decision.note,
        "due_at": deadline.isoformat(),
        "score": lead.score,  # the score at hand-off time (score calibration reads it)
        "band": lead.score_band,
        "by": member_label(by) if by is not None else "LeadDesk",
    }
    record_activity(
        session, ActivityEvent(lead.id, ActivityKind.HANDED_OFF, now, payload, ORIGIN), now=now
    )
    if owner is not None and (by is None or by.id != owner.id):
        from leaddesk.handoff.alerts import alert_new_owner  # alerts build on the brief

        alert_new_owner(session, handoff, lead, owner, now)
    return _result(session, handoff, created=True, note=decision.note)


def _result(session: Session, handoff: Handoff, *, created: bool, note: str = "") -> HandoffResult:
    owner = session.get(TeamMember, handoff.owner_id) if handoff.owner_id else None
    return HandoffResult(
        handoff.lead_id,
        handoff.id,
        created,
        handoff.owner_id,
        member_label(owner),
        handoff.due_at,
        handoff.rule,
        note or ("already with sales" if not created else ""),
    )


def _follow_up_task(
    session: Session, lead: Lead, handoff: Handoff, owner: TeamMember | None
) -> Task:
    task = Task(
        lead_id=lead.id,
        owner_id=owner.id if owner is not None else None,
        kind=TASK_KIND,
        title=f"First follow-up: {lead.full_name}"[:300],
        notes=handoff.reason,
        due_at=handoff.due_at,
        origin=ORIGIN,
    )
    session.add(task)
    session.flush()
    return task


def require_open(session: Session, lead: Lead) -> Handoff:
    """The lead's open hand-off (locked); raises :class:`HandoffError` when there is none."""
    handoff = open_handoff(session, lead.id, lock=True)
    if handoff is None:
        raise HandoffError(f"{lead.full_name} is not in sales' hands (no open hand-off)")
    return handoff


def finish_task(session: Session, handoff: Handoff, outcome: str, now: datetime) -> None:
    """Mark the hand-off's first-follow-up task done with ``outcome``."""
    task = session.get(Task, handoff.task_id) if handoff.task_id else None
    if task is not None and task.completed_at is None:
        task.completed_at = now
        task.outcome = outcome[:300]


def end_handoff(
    session: Session, handoff: Handoff, *, outcome: str, reason: str, now: datetime
) -> None:
    """Close ``handoff`` with ``outcome``: its clock and task stop (the caller records why)."""
    handoff.state = HandoffState.CLOSED
    handoff.closed_at = now
    handoff.escalate_at = None
    handoff.outcome = outcome
    handoff.outcome_reason = reason
    finish_task(session, handoff, reason, now)


def close_handoff(
    session: Session,
    lead: Lead,
    handoff: Handoff,
    *,
    outcome: str,
    reason: str,
    now: datetime,
    by: TeamMember | None = None,
) -> None:
    """Close an open hand-off that ended some other way (a status set by hand, an import
    undone): its clock and task stop, and the timeline says why."""
    end_handoff(session, handoff, outcome=outcome, reason=reason, now=now)
    record_event(
        session,
        lead,
        ActivityKind.HANDOFF_CLOSED,
        now,
        by,
        handoff_id=handoff.id,
        outcome=outcome,
        reason=reason,
    )


#: Statuses a lead may have while a hand-off of it is open (sales-ready: nobody has it yet).
WITH_SALES = (*SALES_STATUSES, LifecycleStatus.SALES_READY)


def owner_change_problem(session: Session, lead_ids: list[int], owner_id: int | None) -> str | None:
    """Why the leads cannot be given to ``owner_id`` by hand (a lead with an open hand-off only
    goes to someone in sales; the hand-off follows the new owner)."""
    target = session.get(TeamMember, owner_id) if owner_id is not None else None
    if target is not None and target.active and target.role in SALES_ROLES:
        return None
    names = list(
        session.scalars(
            select(Lead.first_name + " " + Lead.last_name)
            .join(Handoff, Handoff.lead_id == Lead.id)
            .where(Lead.id.in_(lead_ids), Handoff.state != HandoffState.CLOSED)
            .limit(3)
        )
    )
    if not names:
        return None
    who = "nobody" if target is None else target.name
    return (
        f"{', '.join(n.strip() for n in names)} {'is' if len(names) == 1 else 'are'} with sales: "
        f"give {'it' if len(names) == 1 else 'them'} to a sales rep or manager (not {who}), "
        "or hand back to marketing first"
    )


def record_event(
    session: Session, lead: Lead, kind: str, now: datetime, by: TeamMember | None, **payload: Any
) -> Activity:
    """Record a hand-off step through the event door, saying who took it."""
    payload["by"] = member_label(by) if by is not None else "LeadDesk"
    return record_activity(session, ActivityEvent(lead.id, kind, now, payload, ORIGIN), now=now)


def reassign(
    session: Session,
    lead: Lead,
    *,
    to: TeamMember,
    by: TeamMember | None,
    now: datetime,
    reason: str = "",
    automatic: bool = False,
) -> Handoff:
    """Give the open hand-off to ``to``; before the first attempt they get a fresh deadline."""
    check_target(to)
    handoff = require_open(session, lead)
    if handoff.owner_id == to.id:
        return handoff
    previous = session.get(TeamMember, handoff.owner_id) if handoff.owner_id else None
    settings = load_settings(session)
    handoff.owner_id = to.id
    handoff.assigned_at = now
    handoff.tried = [*handoff.tried, to.id] if to.id not in handoff.tried else list(handoff.tried)
    if handoff.first_attempt_at is None:
        handoff.due_at = deadline_for(settings, to, now)
        if handoff.sla_state == SlaState.BREACHED and settings.escalate_after_hours:
            handoff.escalate_at = handoff.due_at + timedelta(hours=settings.escalate_after_hours)
    task = session.get(Task, handoff.task_id) if handoff.task_id else None
    if task is not None and task.completed_at is None:
        task.owner_id = to.id
        task.due_at = handoff.due_at
    lead.owner_id = to.id
    if lead.status == LifecycleStatus.SALES_READY:
        lead.status = LifecycleStatus.HANDED_OFF
    team_load(session).took(to.id, now)
    event = record_event(
        session,
        lead,
        ActivityKind.REASSIGNED,
        now,
        by,
        handoff_id=handoff.id,
        from_owner=member_label(previous),
        to_owner=to.name,
        to_owner_id=to.id,
        reason=reason,
        automatic=automatic,
        due_at=handoff.due_at.isoformat() if handoff.due_at else None,
    )
    if by is None or by.id != to.id:
        from leaddesk.handoff.alerts import alert_new_owner

        alert_new_owner(session, handoff, lead, to, now, assignment=event.id)
    return handoff


def move_open_handoffs(
    session: Session,
    member: TeamMember,
    *,
    to: TeamMember | None,
    by: TeamMember | None,
    now: datetime,
    reason: str,
) -> dict[str, int]:
    """Move every open hand-off of ``member`` to ``to`` (None: by the rules); counts per name."""
    moved: dict[str, int] = {}
    handoffs = list(
        session.scalars(
            select(Handoff).where(
                Handoff.owner_id == member.id, Handoff.state != HandoffState.CLOSED
            )
        )
    )
    config = load_routing(session)
    load = team_load(session)
    for handoff in handoffs:
        lead = session.get_one(Lead, handoff.lead_id)
        target = to
        if target is None:
            decision = route(lead, config, load, exclude={member.id}, keep_owner=False)
            target = session.get(TeamMember, decision.member_id) if decision.member_id else None
        if target is None:
            raise HandoffError(
                f"nobody else can take {lead.full_name}: add or activate a sales rep first"
            )
        reassign(session, lead, to=target, by=by, now=now, reason=reason, automatic=to is None)
        moved[target.name] = moved.get(target.name, 0) + 1
    return moved


__all__ = [
    "AUTO_STATUSES",
    "HandoffError",
    "HandoffResult",
    "hand_off",
    "open_handoff",
    "reassign",
]
