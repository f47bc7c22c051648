"""The hand-off timers: catch-up hand-offs, unassigned leads, missed deadlines, escalation.

:func:`run_handoff_timers` is part of the one tick (``leaddesk tick`` and the app's background
service). Everything it does is decided by comparing stored moments with ``now`` and recorded
in the same transaction, so it is idempotent: a second run — or a second process, or a clock
that jumped forward by a week — finds nothing left to do, and nothing due is skipped.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, or_, select, text
from sqlalchemy.orm import Session, aliased

from leaddesk.activities.kinds import ActivityKind
from leaddesk.db.models import (
    Activity,
    Handoff,
    HandoffState,
    Lead,
    ScoreBand,
    SlaState,
    TeamMember,
)
from leaddesk.handoff.alerts import alert_breach, alert_stuck
from leaddesk.handoff.config import load_settings
from leaddesk.handoff.reactions import HAND_RAISE_MAX_AGE, WARM_BANDS, on_activity
from leaddesk.handoff.routing import load_routing, route
from leaddesk.handoff.service import (
    AUTO_STATUSES,
    ORIGIN,
    deadline_for,
    member_label,
    reassign,
    record_event,
    team_load,
)

_ADVISORY_KEY = 0x1EAD_0FF5


@dataclass
class TimerReport:
    """What one pass of the hand-off timers did."""

    handed_off: int = 0
    assigned: int = 0
    breached: int = 0
    escalated: int = 0
    stuck: int = 0
    alerts: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return asdict(self)


def _serialise(session: Session) -> None:
    """On PostgreSQL, one timer pass at a time across every laptop (SQLite: BEGIN IMMEDIATE)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_KEY})


def _ended_after(moment: Any) -> Any:
    """SQL: the lead has no hand-off that is open, or that ended after ``moment``."""
    later = aliased(Handoff)
    return ~exists().where(
        later.lead_id == Lead.id,
        or_(later.state != HandoffState.CLOSED, later.closed_at >= moment),
    )


def missed_triggers(session: Session, now: datetime) -> list[tuple[int, int]]:
    """(lead id, trigger activity id) of leads that should be with sales and are not.

    A crossing into sales-ready (while the lead still is), a hand-raise of the last 30 days or
    (when the team wants it) a warm reply, that happened after the lead's last hand-off ended.
    These come from paths that record activities without reactions, or from before hand-off
    existed; normally the event door hands the lead off at once.
    """
    settings = load_settings(session)
    found: dict[int, int] = {}
    eligible = Lead.status.in_(list(AUTO_STATUSES))
    if settings.on_threshold:
        crossing = (
            select(Activity.id)
            .where(Activity.lead_id == Lead.id, Activity.kind == ActivityKind.BECAME_SALES_READY)
            .order_by(Activity.occurred_at.desc(), Activity.id.desc())
            .limit(1)
            .correlate(Lead)
            .scalar_subquery()
        )
        crossing_at = (
            select(func.max(Activity.occurred_at))
            .where(Activity.lead_id == Lead.id, Activity.kind == ActivityKind.BECAME_SALES_READY)
            .correlate(Lead)  # inside _ended_after's EXISTS it must still mean *this* lead
            .scalar_subquery()
        )
        rows = session.execute(
            select(Lead.id, crossing).where(
                Lead.score_band == ScoreBand.SALES_READY,
                eligible,
                crossing_at.is_not(None),
                _ended_after(crossing_at),
            )
        )
        found.update({lead_id: activity_id for lead_id, activity_id in rows})
    kinds = list(settings.hand_raise_kinds)
    if settings.reply_from_warm:
        kinds.append(ActivityKind.REPLIED)
    if kinds:
        later = aliased(Handoff)
        rows = session.execute(
            select(Activity.lead_id, func.max(Activity.id))
            .join(Lead, Lead.id == Activity.lead_id)
            .where(
                Activity.kind.in_(kinds),
                Activity.occurred_at >= now - HAND_RAISE_MAX_AGE,
                eligible,
                or_(Activity.kind != ActivityKind.REPLIED, Lead.score_band.in_(list(WARM_BANDS))),
                ~exists().where(
                    later.lead_id == Activity.lead_id,
                    or_(
                        later.state != HandoffState.CLOSED, later.closed_at >= Activity.occurred_at
                    ),
                ),
            )
            .group_by(Activity.lead_id)
        )
        for lead_id, activity_id in rows:
            found.setdefault(lead_id, activity_id)
    return sorted(found.items())


def catch_up(session: Session, now: datetime) -> int:
    """Hand off the leads :func:`missed_triggers` finds; returns how many were handed off."""
    from leaddesk.handoff.service import open_handoff

    made = 0
    for lead_id, activity_id in missed_triggers(session, now):
        lead = session.get_one(Lead, lead_id)
        activity = session.get_one(Activity, activity_id)
        on_activity(session, lead, activity, now)
        if open_handoff(session, lead_id) is not None:
            made += 1
    return made


def assign_unassigned(session: Session, now: datetime) -> int:
    """Give open hand-offs that nobody has to a rep, now that one may exist."""
    waiting = list(
        session.scalars(
            select(Handoff)
            .where(Handoff.owner_id.is_(None), Handoff.state != HandoffState.CLOSED)
            .order_by(Handoff.handed_off_at)
        )
    )
    if not waiting:
        return 0
    config, load, settings = load_routing(session), team_load(session), load_settings(session)
    assigned = 0
    for handoff in waiting:
        lead = session.get_one(Lead, handoff.lead_id)
        decision = route(lead, config, load)
        member = session.get(TeamMember, decision.member_id) if decision.member_id else None
        if member is None:
            break  # nobody in sales yet: every other one would fail the same way
        if handoff.first_attempt_at is None and handoff.sla_state == SlaState.PENDING:
            # The clock has run since the hand-off; the rep's hours decide when it ends.
            handoff.sla_due_at = deadline_for(settings, member, handoff.handed_off_at)
        handoff.rule = decision.rule
        reassign(session, lead, to=member, by=None, now=now, reason="assigned by the rules",
                 automatic=True)  # fmt: skip
        if handoff.sla_state == SlaState.PENDING:
            handoff.due_at = handoff.sla_due_at
        assigned += 1
    return assigned


def breach_overdue(session: Session, now: datetime) -> tuple[int, int]:
    """Record each missed first deadline once: an event, alerts, the escalation moment."""
    settings = load_settings(session)
    overdue = list(
        session.scalars(
            select(Handoff)
            .where(
                Handoff.sla_state == SlaState.PENDING,
                Handoff.sla_due_at <= now,
                Handoff.first_attempt_at.is_(None),
                Handoff.state != HandoffState.CLOSED,
            )
            .order_by(Handoff.sla_due_at, Handoff.id)
        )
    )
    alerts = 0
    for handoff in overdue:
        assert handoff.sla_due_at is not None
        lead = session.get_one(Lead, handoff.lead_id)
        owner = session.get(TeamMember, handoff.owner_id) if handoff.owner_id else None
        handoff.sla_state = SlaState.BREACHED
        handoff.breached_at = handoff.sla_due_at
        if settings.escalate_after_hours is not None:
            base = max(handoff.due_at or handoff.sla_due_at, handoff.sla_due_at)
            handoff.escalate_at = base + timedelta(hours=settings.escalate_after_hours)
        record_event(
            session,
            lead,
            ActivityKind.SLA_BREACHED,
            now,
            None,
            handoff_id=handoff.id,
            due_at=handoff.sla_due_at.isoformat(),
            owner=member_label(owner),
            owner_id=handoff.owner_id,
        )
        alerts += alert_breach(session, handoff, lead, owner, now)
    return len(overdue), alerts


def escalate_overdue(session: Session, now: datetime) -> tuple[int, int, int]:
    """Reassign breached hand-offs whose escalation moment passed with still no attempt.

    The next member comes from the same rules, never someone who already had it; when nobody
    is left the managers hear so once and the lead stays where it is.
    """
    settings = load_settings(session)
    due = list(
        session.scalars(
            select(Handoff)
            .where(
                Handoff.escalate_at <= now,
                Handoff.first_attempt_at.is_(None),
                Handoff.state != HandoffState.CLOSED,
            )
            .order_by(Handoff.escalate_at, Handoff.id)
        )
    )
    if not due:
        return 0, 0, 0
    config, load = load_routing(session), team_load(session)
    escalated = stuck = alerts = 0
    for handoff in due:
        lead = session.get_one(Lead, handoff.lead_id)
        decision = route(lead, config, load, exclude=set(handoff.tried), keep_owner=False)
        member = session.get(TeamMember, decision.member_id) if decision.member_id else None
        if member is None:
            handoff.escalate_at = None
            alerts += alert_stuck(session, handoff, lead, now)
            stuck += 1
            continue
        previous = session.get(TeamMember, handoff.owner_id) if handoff.owner_id else None
        hours = settings.escalate_after_hours or 0
        reason = f"no follow-up from {member_label(previous)} within {hours:g} h after the deadline"
        reassign(session, lead, to=member, by=None, now=now, reason=reason, automatic=True)
        handoff.escalations += 1
        if handoff.escalate_at is not None and handoff.escalate_at <= now:
            handoff.escalate_at = None  # reassign sets the next one when escalation is on
        escalated += 1
        alerts += 1
    return escalated, stuck, alerts


def run_handoff_timers(session: Session, now: datetime) -> TimerReport:
    """Every hand-off timer that is due at ``now``, in order; safe to run any number of times."""
    _serialise(session)
    report = TimerReport()
    report.handed_off = catch_up(session, now)
    report.assigned = assign_unassigned(session, now)
    report.breached, breach_alerts = breach_overdue(session, now)
    report.escalated, report.stuck, escalation_alerts = escalate_overdue(session, now)
    report.alerts = breach_alerts + escalation_alerts
    session.flush()
    return report


__all__ = ["ORIGIN", "TimerReport", "run_handoff_timers"]
