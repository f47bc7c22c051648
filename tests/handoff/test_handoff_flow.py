"""The hand-off itself: triggers, exactly once per episode, sequences, refusals, follow-up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from leaddesk.activities import ActivityKind
from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import Activity, Enrollment, Handoff, Lead, Task, TeamMember
from leaddesk.handoff.config import HandoffSettings, HandoffSettingsError, save_settings
from leaddesk.handoff.followup import accept, hand_back, log_attempt
from leaddesk.handoff.service import HandoffError, hand_off, open_handoff
from leaddesk.leads.suppression import SuppressionReason, suppress
from leaddesk.sequences.enrollment import enroll_leads
from tests.handoff.conftest import event, new_lead
from tests.scoring.scoring_helpers import engagement_rule, use_model
from tests.sequences.sequence_helpers import email, make_sequence, wait


def _kinds(db: Database, lead_id: int) -> list[str]:
    with db.session() as session:
        return list(
            session.scalars(
                select(Activity.kind).where(Activity.lead_id == lead_id).order_by(Activity.id)
            )
        )


def test_crossing_the_threshold_hands_off_once_with_the_tipping_event(
    db: Database, team: dict[str, int], clock: FixedClock
) -> None:
    """Webinar + consultation make the lead sales-ready: one hand-off to Tom, task, status."""
    with db.write() as session:
        lead = new_lead(session, "anna@acme.example")
        event(session, lead, ActivityKind.WEBINAR_ATTENDED, clock.now(), minutes=40)
        event(session, lead, ActivityKind.CONSULTATION_REQUESTED, clock.now())
        lead_id = lead.id
    with db.session() as session:
        handoff = session.scalars(select(Handoff)).one()
        lead = session.get_one(Lead, lead_id)
        task = session.get_one(Task, handoff.task_id)
        tipping = session.get_one(Activity, handoff.trigger_activity_id)
        assert (lead.status, lead.owner_id) == ("handed_off", team["tom"])
        assert handoff.due_at == clock.now() + timedelta(hours=24)
        assert (task.owner_id, task.due_at, task.kind) == (team["tom"], handoff.due_at, "handoff")
        assert tipping.kind == "consultation_requested"
        assert "after: Requested a consultation" in handoff.reason
    assert _kinds(db, lead_id).count("handed_off") == 1


def test_second_triggers_and_recrossing_do_not_hand_off_again(
    db: Database, team: dict[str, int], clock: FixedClock
) -> None:
    """A demo request and another consultation while the hand-off is open change nothing."""
    with db.write() as session:
        lead = new_lead(session, "anna@acme.example")
        event(session, lead, ActivityKind.CONSULTATION_REQUESTED, clock.now())
        event(session, lead, ActivityKind.DEMO_REQUESTED, clock.now())
        event(session, lead, ActivityKind.CONSULTATION_REQUESTED, clock.now())
        assert hand_off(session, lead, trigger="manual", now=clock.now()).created is False  # type: ignore[union-attr]
        lead_id = lead.id
    with db.session() as session:
        assert session.scalar(select(func.count(Handoff.id))) == 1
    assert _kinds(db, lead_id).count("handed_off") == 1


def test_hand_raise_hands_off_a_cold_lead(
    db: Database, team: dict[str, int], clock: FixedClock
) -> None:
    """A demo request hands off a lead whose score is nowhere near the threshold."""
    with db.write() as session:
        lead = new_lead(session, "cold@acme.example", title="Intern", industry="", country="Peru")
        event(session, lead, ActivityKind.DEMO_REQUESTED, clock.now())
        handoff = open_handoff(session, lead.id)
        assert handoff is not None and handoff.trigger == "hand_raise"
        assert lead.score_band == "cold"


def test_warm_reply_hands_off_only_when_switched_on(
    db: Database, team: dict[str, int], clock: FixedClock
) -> None:
    """A reply from a warm lead starts a hand-off only with the team setting on."""
    with db.write() as session:
        use_model(session, [engagement_rule("webinar_attended", 50)])  # replies count nothing
        lead = new_lead(session, "warm@acme.example")
        event(session, lead, ActivityKind.WEBINAR_ATTENDED, clock.now())
        assert lead.score_band == "warm"
        event(session, lead, ActivityKind.REPLIED, clock.now(), snippet="Sounds good")
        assert open_handoff(session, lead.id) is None
        save_settings(session, HandoffSettings(reply_from_warm=True))
        event(session, lead, ActivityKind.REPLIED, clock.now(), snippet="When can we talk?")
        handoff = open_handoff(session, lead.id)
        assert handoff is not None and handoff.trigger == "reply"


def test_by_hand_refusals_say_why_and_change_nothing(
    db: Database, team: dict[str, int], clock: FixedClock
) -> None:
    """Customers, disqualified and suppressed leads are refused with a reason."""
    with db.write() as session:
        customer = new_lead(session, "c@acme.example", status="customer")
        gone = new_lead(session, "d@acme.example", status="disqualified")
        quiet = new_lead(session, "u@acme.example")
        suppress(session, quiet.email, SuppressionReason.UNSUBSCRIBED)
        for lead, message in ((customer, "customer"), (gone, "disqualified"), (quiet, "suppress")):
            with pytest.raises(HandoffError, match=message):
                hand_off(session, lead, trigger="manual", now=clock.now())
        marketing = TeamMember(name="Mia", email="mia@team.example", role="marketing")
        session.add(marketing)
        session.flush()
        with pytest.raises(HandoffError, match="marketing"):
            hand_off(session, new_lead(session, "ok@acme.example"), trigger="manual",
                     now=clock.now(), to=marketing)  # fmt: skip
    with db.session() as session:
        assert session.scalar(select(func.count(Handoff.id))) == 0


def test_sla_settings_are_validated(db: Database) -> None:
    """An SLA of 0 hours and an unknown hand-raise kind are refused."""
    with pytest.raises(HandoffSettingsError, match="more than 0"):
        HandoffSettings(sla_hours=0).validate()
    with pytest.raises(HandoffSettingsError, match="unknown activity kind"):
        HandoffSettings(hand_raise_kinds=("smoke_signal",)).validate()


@pytest.mark.parametrize(
    ("setting", "state"), [("exit", "exited"), ("pause", "paused"), ("keep", "active")]
)
def test_sequences_exit_pause_or_keep_on_handoff(
    db: Database, team: dict[str, int], clock: FixedClock, setting: str, state: str
) -> None:
    """A hand-off applies the sequence's own setting; handing back resumes a paused one."""
    with db.write() as session:
        sequence = make_sequence(session, [wait(days=1), email(), wait(days=3), email()])
        sequence.on_handoff = setting
        lead = new_lead(session, "anna@acme.example", status="nurturing")
        enroll_leads(session, sequence, [lead.id], now=clock.now())
        hand_off(session, lead, trigger="manual", now=clock.now())
        assert session.scalars(select(Enrollment)).one().state == state
        hand_back(session, lead, reason="not ready yet", by=None, now=clock.now())
        back = {"exit": "exited", "pause": "active", "keep": "active"}[setting]
        assert session.scalars(select(Enrollment)).one().state == back  # paused ones resume


def test_first_attempt_stops_the_clock_met_in_time(
    db: Database, team: dict[str, int], clock: FixedClock
) -> None:
    """An attempt at hour 20 records SLA met with the time taken and completes the task."""
    with db.write() as session:
        lead = new_lead(session, "anna@acme.example")
        hand_off(session, lead, trigger="manual", now=clock.now())
        tom = session.get_one(TeamMember, team["tom"])
        accept(session, lead, by=tom, now=clock.now() + timedelta(hours=1))
        result = log_attempt(session, lead, channel="call", outcome="voicemail", by=tom,
                             now=clock.now() + timedelta(hours=20))  # fmt: skip
        again = log_attempt(session, lead, channel="email", outcome="connected", by=tom,
                            now=clock.now() + timedelta(hours=30))  # fmt: skip
        handoff = session.scalars(select(Handoff)).one()
        task = session.get_one(Task, handoff.task_id)
        assert lead.status == "accepted"
    assert (result.first, result.sla_state, result.minutes_taken) == (True, "met", 1200.0)
    assert again.first is False
    assert handoff.sla_state == "met" and task.completed_at is not None
    assert _kinds(db, lead.id).count("sla_met") == 1


def test_hand_back_needs_a_reason_and_recycles_the_lead(
    db: Database, team: dict[str, int], clock: FixedClock
) -> None:
    """Hand back refuses an empty reason; with one the hand-off closes and the lead is recycled."""
    with db.write() as session:
        lead = new_lead(session, "anna@acme.example")
        hand_off(session, lead, trigger="manual", now=clock.now())
        with pytest.raises(HandoffError, match="reason"):
            hand_back(session, lead, reason=" ", by=None, now=clock.now())
        with pytest.raises(HandoffError, match="note"):
            hand_back(session, lead, reason="other", by=None, now=clock.now())
        hand_back(session, lead, reason="not ready yet", note="Budget in Q3", by=None,
                  now=clock.now())  # fmt: skip
        handoff = session.scalars(select(Handoff)).one()
        assert (handoff.state, handoff.outcome) == ("closed", "handed_back")
        assert handoff.outcome_reason == "not ready yet: Budget in Q3"
        assert lead.status == "recycled" and open_handoff(session, lead.id) is None
        # The same lead can be handed off again later: a new episode.
        assert hand_off(session, lead, trigger="manual", now=clock.now()).created  # type: ignore[union-attr]


def test_hand_off_setting_travels_with_the_sequence_file(db: Database) -> None:
    """Export carries on_handoff; a file with an unknown value is refused with the choices."""
    from leaddesk.sequences.documents import DocumentError, document_from_version
    from leaddesk.sequences.presets import sequence_from_document

    with db.write() as session:
        sequence = make_sequence(session, [email()])
        sequence.on_handoff = "pause"
        document = document_from_version(session, sequence, sequence.versions[0])
        assert document["on_handoff"] == "pause"
        copy = sequence_from_document(session, {**document, "name": "Copy"})
        assert copy.on_handoff == "pause"
        with pytest.raises(DocumentError, match="exit, pause, keep"):
            sequence_from_document(session, {**document, "name": "Odd", "on_handoff": "hide"})


def test_merging_keeps_one_open_handoff_and_the_history(
    db: Database, team: dict[str, int], clock: FixedClock
) -> None:
    """Merging a handed-off duplicate moves its hand-off; two open ones become one (merged)."""
    from leaddesk.inbox.merge import merge_leads

    with db.write() as session:
        survivor = new_lead(session, "anna@acme.example", status="nurturing")
        other = new_lead(session, "anna.b@acme.example")
        hand_off(session, other, trigger="manual", now=clock.now())
        merge_leads(session, survivor.id, other.id, now=clock.now())
        moved = session.scalars(select(Handoff)).one()
        survivor = session.get_one(Lead, survivor.id)
        assert moved.lead_id == survivor.id and moved.state == "open"
        assert (survivor.status, survivor.owner_id) == ("handed_off", team["tom"])
        third = new_lead(session, "a.bauer@acme.example")
        hand_off(session, third, trigger="manual", now=clock.now(), to=None)
        merge_leads(session, survivor.id, third.id, now=clock.now())
        states = sorted(h.outcome or h.state for h in session.scalars(select(Handoff)))
    assert states == ["merged", "open"]


def test_status_and_owner_set_by_hand_carry_the_open_handoff(
    db: Database, team: dict[str, int], clock: FixedClock
) -> None:
    """Marking a handed-off lead Customer closes its hand-off (no breach later); a new sales
    owner takes it over; an owner outside sales is refused."""
    from leaddesk.handoff.timers import run_handoff_timers
    from leaddesk.inbox import bulk

    with db.write() as session:
        won = new_lead(session, "won@acme.example")
        moved = new_lead(session, "moved@acme.example", first_name="Ben")
        for lead in (won, moved):
            hand_off(session, lead, trigger="manual", now=clock.now())
        bulk.set_status(session, [won.id], "customer", now=clock.now())
        bulk.assign_owner(session, [moved.id], team["sofia"], now=clock.now())
        marketing = TeamMember(name="Mia", email="mia@team.example", role="marketing")
        session.add(marketing)
        session.flush()
        with pytest.raises(ValueError, match="Ben Bauer is with sales"):
            bulk.assign_owner(session, [moved.id], marketing.id, now=clock.now())
    clock.advance(timedelta(hours=30))
    with db.write() as session:
        report = run_handoff_timers(session, clock.now())
        closed = session.scalars(select(Handoff).where(Handoff.lead_id == won.id)).one()
        taken = session.scalars(select(Handoff).where(Handoff.lead_id == moved.id)).one()
    assert (closed.state, closed.outcome) == ("closed", "status_changed")
    assert taken.owner_id == team["sofia"]
    assert report.breached == 1  # only Ben's, now Sofia's; nothing about the customer


def test_forget_erases_the_teams_alerts_and_replies_about_the_person(
    db: Database, team: dict[str, int], clock: FixedClock
) -> None:
    """After forget no alert, hand-off, or reply to an alert about the person is left."""
    from leaddesk.db.models import InboundMessage, OutboundMessage
    from leaddesk.inbox.forget import forget_in_session
    from tests.sequences.sequence_helpers import add_account

    with db.write() as session:
        account = add_account(session, name="Alerts", from_address="alerts@team.example")
        lead = new_lead(session, "anna@acme.example", last_name="Secretname")
        hand_off(session, lead, trigger="manual", now=clock.now())
        alert = session.scalars(select(OutboundMessage)).one()
        session.add(
            InboundMessage(account_id=account.id, fingerprint="r1", classification="unrelated",
                           subject=f"Re: {alert.subject}", processed_at=clock.now())
        )  # fmt: skip
    with db.write() as session:
        report = forget_in_session(session, "anna@acme.example")
    assert (report.outbound_messages, report.inbound_messages) == (1, 1)
    with db.session() as session:
        for model in (OutboundMessage, InboundMessage, Handoff):
            assert session.scalar(select(func.count()).select_from(model)) == 0
