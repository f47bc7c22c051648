"""Hand-off timers: a missed deadline is breached once, escalated once, and nothing is skipped."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from leaddesk.activities import ActivityEvent, ActivityKind, record_activity
from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import Activity, Handoff, Lead, OutboundMessage, Task, TeamMember
from leaddesk.handoff.config import HandoffSettings, save_settings
from leaddesk.handoff.followup import hand_back
from leaddesk.handoff.routing import RoutingConfig, save_routing
from leaddesk.handoff.service import hand_off
from leaddesk.handoff.team import add_member
from leaddesk.handoff.timers import run_handoff_timers
from tests.handoff.conftest import event, new_lead
from tests.sequences.sequence_helpers import add_account


def _tick(db: Database, clock: FixedClock):  # type: ignore[no-untyped-def]
    with db.write() as session:
        return run_handoff_timers(session, clock.now())


def _handed(db: Database, clock: FixedClock, email: str = "anna@acme.example") -> int:
    with db.write() as session:
        add_account(session, name="Team alerts", from_address="alerts@team.example")
        lead = new_lead(session, email)
        hand_off(session, lead, trigger="threshold", now=clock.now())
        return lead.id


def _alerts(db: Database) -> list[tuple[str, str]]:
    with db.session() as session:
        return [
            (row.to_address, row.alert_key or "")
            for row in session.scalars(select(OutboundMessage).order_by(OutboundMessage.id))
        ]


def test_deadline_breach_then_escalation_each_once(
    db: Database, team: dict[str, int], clock: FixedClock
) -> None:
    """At 24 h: one breach, alerts to Tom and Maya; at 48 h: Sofia gets it, with one alert."""
    lead_id = _handed(db, clock)
    clock.advance(timedelta(hours=23, minutes=59))
    assert _tick(db, clock).breached == 0
    clock.advance(timedelta(minutes=1))
    report = _tick(db, clock)
    assert (report.breached, report.alerts) == (1, 2)
    assert _tick(db, clock).breached == 0
    clock.advance(timedelta(hours=24))
    assert _tick(db, clock).escalated == 1
    assert _tick(db, clock).escalated == 0
    with db.session() as session:
        handoff = session.scalars(select(Handoff)).one()
        lead = session.get_one(Lead, lead_id)
        task = session.get_one(Task, handoff.task_id)
        reassigned = session.scalars(select(Activity).where(Activity.kind == "reassigned")).one()
    assert (handoff.owner_id, lead.owner_id, task.owner_id) == (team["sofia"],) * 3
    assert handoff.sla_state == "breached" and handoff.escalations == 1
    assert "no follow-up from Tom Okoro" in reassigned.payload["reason"]
    recipients = [to for to, _ in _alerts(db)]
    assert recipients == [
        "tom@team.example",  # new lead
        "tom@team.example",  # deadline missed
        "maya@team.example",
        "sofia@team.example",  # reassigned to her
    ]


def test_a_clock_jump_fires_every_due_timer_once(
    db: Database, team: dict[str, int], clock: FixedClock
) -> None:
    """After a week asleep one tick breaches and escalates; the next tick does nothing."""
    _handed(db, clock)
    clock.advance(timedelta(days=7))
    report = _tick(db, clock)
    assert (report.breached, report.escalated) == (1, 1)
    clock.advance(timedelta(days=-3))  # the clock is set back
    again = _tick(db, clock)
    assert (again.breached, again.escalated, again.alerts) == (0, 0, 0)
    with db.session() as session:
        kinds = list(session.scalars(select(Activity.kind)))
    assert kinds.count("sla_breached") == 1 and kinds.count("reassigned") == 1


def test_nobody_left_to_reassign_tells_the_managers_once(
    db: Database, team: dict[str, int], clock: FixedClock
) -> None:
    """When every rep has had the lead, the managers get one "nobody left" alert."""
    _handed(db, clock)
    clock.advance(timedelta(days=2))
    _tick(db, clock)  # breach + escalate to Sofia
    clock.advance(timedelta(days=2))
    report = _tick(db, clock)
    assert (report.escalated == 0 and report.stuck == 1) or report.escalated == 1
    clock.advance(timedelta(days=2))
    _tick(db, clock)
    keys = [key for _, key in _alerts(db)]
    stuck = [key for key in keys if ":stuck:" in key]
    assert stuck == [stuck[0]] and stuck[0].endswith(f":{team['maya']}")


def test_escalation_can_be_switched_off(
    db: Database, team: dict[str, int], clock: FixedClock
) -> None:
    """With escalation off a missed deadline is breached but the lead stays with its owner."""
    with db.write() as session:
        save_settings(session, HandoffSettings(escalate_after_hours=None))
    _handed(db, clock)
    clock.advance(timedelta(days=5))
    report = _tick(db, clock)
    assert (report.breached, report.escalated) == (1, 0)


def test_missed_triggers_are_caught_up_once(
    db: Database, team: dict[str, int], clock: FixedClock
) -> None:
    """A lead that became sales-ready without a hand-off (older data) is handed off by the tick."""
    with db.write() as session:
        save_settings(session, HandoffSettings(on_threshold=False))
        lead = new_lead(session, "anna@acme.example")
        event(session, lead, ActivityKind.WEBINAR_ATTENDED, clock.now())
        event(session, lead, ActivityKind.WEBINAR_REGISTERED, clock.now())
        assert lead.score_band == "sales_ready"
        save_settings(session, HandoffSettings())
    assert _tick(db, clock).handed_off == 1
    assert _tick(db, clock).handed_off == 0
    with db.write() as session:
        lead = session.get_one(Lead, lead.id)
        hand_back(session, lead, reason="not ready yet", by=None, now=clock.now())
    clock.advance(timedelta(hours=1))
    assert _tick(db, clock).handed_off == 0  # handed back: no new episode until a new trigger
    with db.write() as session:
        lead = session.get_one(Lead, lead.id)
        record_activity(
            session,
            ActivityEvent(lead.id, ActivityKind.DEMO_REQUESTED, clock.now()),
            now=clock.now(),
            react=False,
        )
    assert _tick(db, clock).handed_off == 1


def test_unassigned_handoffs_go_to_the_first_rep_added(db: Database, clock: FixedClock) -> None:
    """With no rep a hand-off waits; once a rep joins, the tick gives it to them."""
    with db.write() as session:
        lead = new_lead(session, "anna@acme.example")
        hand_off(session, lead, trigger="threshold", now=clock.now())
        assert lead.status == "sales_ready"
    with db.write() as session:
        rep = add_member(session, "Rita Rep", "rita@team.example")
        save_routing(session, RoutingConfig())
    assert _tick(db, clock).assigned == 1
    with db.session() as session:
        lead = session.get_one(Lead, lead.id)
        assert (lead.status, lead.owner_id) == ("handed_off", rep.id)
        assert session.scalar(select(func.count(TeamMember.id))) == 1


def test_a_handed_back_lead_stays_back_when_another_lead_qualifies(
    db: Database, team: dict[str, int], clock: FixedClock
) -> None:
    """Anna, handed back while still sales-ready, is not handed off again when Ben qualifies."""
    from dataclasses import replace

    from leaddesk.outcomes.config import (
        RecyclePolicy,
        load_outcome_settings,
        save_outcome_settings,
    )

    with db.write() as session:  # the policy keeps her score: she stays sales-ready
        settings = load_outcome_settings(session)
        keep = RecyclePolicy("bad timing", delay_days=60, score="keep")
        save_outcome_settings(
            session, replace(settings, policies={**settings.policies, "bad timing": keep})
        )
        anna = new_lead(session, "anna@acme.example")
        event(session, anna, ActivityKind.CONSULTATION_REQUESTED, clock.now())
        hand_back(session, anna, reason="bad timing", by=None, now=clock.now())
        assert anna.score_band == "sales_ready"
    clock.advance(timedelta(hours=2))
    with db.write() as session:
        ben = new_lead(session, "ben@acme.example", first_name="Ben")
        event(session, ben, ActivityKind.CONSULTATION_REQUESTED, clock.now())
    assert _tick(db, clock).handed_off == 0
    with db.session() as session:
        states = list(session.scalars(select(Handoff.state).where(Handoff.lead_id == anna.id)))
    assert states == ["closed"]


def test_switching_escalation_off_stops_planned_escalations(
    db: Database, team: dict[str, int], clock: FixedClock
) -> None:
    """A breach planned an escalation; turning escalation off before it is due cancels it."""
    _handed(db, clock)
    clock.advance(timedelta(hours=25))
    assert _tick(db, clock).breached == 1
    with db.write() as session:
        save_settings(session, HandoffSettings(escalate_after_hours=None))
    clock.advance(timedelta(days=3))
    assert _tick(db, clock).escalated == 0
    with db.session() as session:
        assert session.scalars(select(Handoff)).one().owner_id == team["tom"]


def test_every_reassignment_is_announced(
    db: Database, team: dict[str, int], clock: FixedClock
) -> None:
    """Tom → Sofia → Tom → Sofia: each new owner is told, also the second time."""
    from leaddesk.handoff.service import reassign

    lead_id = _handed(db, clock)
    with db.write() as session:
        lead = session.get_one(Lead, lead_id)
        for key in ("sofia", "tom", "sofia"):
            member = session.get_one(TeamMember, team[key])
            reassign(session, lead, to=member, by=None, now=clock.now())
    assert [to for to, _ in _alerts(db)] == [
        "tom@team.example",
        "sofia@team.example",
        "tom@team.example",
        "sofia@team.example",
    ]
