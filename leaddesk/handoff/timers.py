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


EPISODE_KINDS = (
    ActivityKind.HANDED_OFF,
    ActivityKind.HANDED_BACK,
    ActivityKind.HANDOFF_CLOSED,
    ActivityKind.DEAL_WON,
    ActivityKind.DEAL_LOST,
)


def _last_episode_event(lead_id: Any) -> Any:
    """SQL: the id of the lead's latest hand-off event (hand-off, hand-back, close), or 0.

    Activity ids grow with every event recorded, whatever the clocks of the laptops said, so
    "a trigger newer than the last hand-off event" never depends on a clock.
    """
    episode = aliased(Activity)
    return func.coalesce(
        select(func.max(episode.id))
        .where(episode.lead_id == lead_id, episode.kind.in_(EPISODE_KINDS))
        .scalar_subquery(),
        0,
    )


def missed_triggers(session: Session, now: datetime) -> list[tuple[int, int]]:
    """(lead id, trigger activity id) of leads that should be with sales and are not.

    A crossing into sales-ready (while the lead still is), a hand-raise or (when the team wants
    it) a warm reply, of the last 30 days and recorded after the lead's last hand-off event.
    These come from paths that record activities without reactions, or from before hand-off
    existed; normally the event door hands the lead off at once. Older triggers are left to
    people (Needs attention, the band filter), so an upgrade does not flood the reps.
    """
    settings = load_settings(session)
    found: dict[int, int] = {}
    recent = now - HAND_RAISE_MAX_AGE
    eligible = Lead.status.in_(list(AUTO_STATUSES))
    no_open = ~exists().where(Handoff.lead_id == Lead.id, Handoff.state != HandoffState.CLOSED)
    if settings.on_threshold:
        crossing = (
            select(func.max(Activity.id))
            .where(
                Activity.lead_id == Lead.id,
                Activity.kind == ActivityKind.BECAME_SALES_READY,
                Activity.occurred_at >= recent,
            )
            .correlate(Lead)
            .scalar_subquery()
        )
        rows = session.execute(
            select(Lead.id, crossing).where(
                Lead.score_band == ScoreBand.SALES_READY,
                eligible,
                no_open,
                crossing > _last_episode_event(Lead.id),
            )
        )
        found.update({lead_id: activity_id for lead_id, activity_id in rows})
    kinds = list(settings.hand_raise_kinds)
    if settings.reply_from_warm:
        kinds.append(ActivityKind.REPLIED)
    if kinds:
        rows = session.execute(
            select(Activity.lead_id, func.max(Activity.id))
            .join(Lead, Lead.id == Activity.lead_id)
            .where(
                Activity.kind.in_(kinds),
                Activity.occurred_at >= recent,
                eligible,
                no_open,
                or_(Activity.kind != ActivityKind.REPLIED, Lead.score_band.in_(list(WARM_BANDS))),
                Activity.id > _last_episode_event(Activity.lead_id),
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
            .with_for_update()
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
            .with_for_update()  # a rep's attempt committed meanwhile takes it out (PostgreSQL)
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
            .with_for_update()
        )
    )
    if not due:
        return 0, 0, 0
    if settings.escalate_after_hours is None:  # switched off since these were planned
        for handoff in due:
            handoff.escalate_at = None
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
