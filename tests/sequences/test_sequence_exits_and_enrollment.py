"""Exit rules cancel planned messages; enrolment rules (one live, suppression, automatic)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from leaddesk.activities import ActivityEvent, ActivityKind, leads_changed, record_activity
from leaddesk.clock import FixedClock
from leaddesk.db.models import Enrollment, EnrollmentState, OutboundMessage, OutboxState
from leaddesk.leads.suppression import suppress
from leaddesk.sequences.enrollment import enroll_leads, stop_leads
from leaddesk.sequences.scheduler import run_due
from tests.sequences.sequence_helpers import add_lead, email, make_sequence, wait

EXIT_EVENTS = [
    ("replied", ActivityKind.REPLIED, {}),
    ("unsubscribed", ActivityKind.UNSUBSCRIBED, {}),
    ("bounced", ActivityKind.BOUNCED, {}),
    ("sales_ready", ActivityKind.BECAME_SALES_READY, {}),
    ("sales_ready", ActivityKind.HANDED_OFF, {}),
    ("status_closed", ActivityKind.STATUS_CHANGED, {"from": "nurturing", "to": "customer"}),
    ("status_closed", ActivityKind.STATUS_CHANGED, {"from": "nurturing", "to": "disqualified"}),
    ("manual stop", None, {}),
]


@pytest.mark.parametrize(("reason", "kind", "payload"), EXIT_EVENTS)
def test_each_exit_rule_cancels_planned_messages(
    ready, clock: FixedClock, reason: str, kind: str | None, payload: dict
) -> None:
    """The event ends the enrollment and its not-yet-sent message is cancelled."""
    with ready.write() as session:
        sequence = make_sequence(session, [wait(days=1), email(), wait(days=7), email()])
        lead = add_lead(session, "ada@example.com")
        enroll_leads(session, sequence, [lead.id], now=clock.now())
    clock.advance(timedelta(days=1))
    assert run_due(ready, clock.now()).messages == 1
    with ready.write() as session:
        if kind is None:
            stop_leads(session, sequence, [lead.id], now=clock.now())
        else:
            record_activity(session, ActivityEvent(lead.id, kind, payload=payload), now=clock.now())
    with ready.session() as session:
        enrollment = session.scalars(select(Enrollment)).one()
        message = session.scalars(select(OutboundMessage)).one()
    assert enrollment.state == EnrollmentState.EXITED
    assert enrollment.exit_reason == reason
    assert message.state == OutboxState.CANCELLED
    clock.advance(timedelta(days=10))
    assert run_due(ready, clock.now()).messages == 0


def test_exit_rules_follow_the_sequence_settings(ready, clock: FixedClock) -> None:
    """A sequence without the "replied" rule keeps going after a reply."""
    with ready.write() as session:
        sequence = make_sequence(session, [email()], exit_rules=["unsubscribed", "bounced"])
        lead = add_lead(session, "ada@example.com")
        enroll_leads(session, sequence, [lead.id], now=clock.now())
        record_activity(session, ActivityEvent(lead.id, ActivityKind.REPLIED), now=clock.now())
        assert session.scalars(select(Enrollment)).one().state == EnrollmentState.ACTIVE


def test_one_live_enrollment_per_lead_and_sequence(ready, clock: FixedClock) -> None:
    """Enrolling a lead twice keeps one live enrollment; after a stop it may rejoin."""
    with ready.write() as session:
        sequence = make_sequence(session, [email()])
        lead = add_lead(session, "ada@example.com")
        assert enroll_leads(session, sequence, [lead.id], now=clock.now()).enrolled == [lead.id]
        assert enroll_leads(session, sequence, [lead.id], now=clock.now()).already == [lead.id]
        stop_leads(session, sequence, [lead.id], now=clock.now())
        assert enroll_leads(session, sequence, [lead.id], now=clock.now()).enrolled == [lead.id]
        assert len(list(session.scalars(select(Enrollment)))) == 2


def test_suppressed_and_closed_leads_are_refused(ready, clock: FixedClock) -> None:
    """Suppressed, unsubscribed and customer leads cannot be enrolled; others can."""
    with ready.write() as session:
        sequence = make_sequence(session, [email()])
        blocked = add_lead(session, "gone@example.com")
        suppress(session, "GONE@example.com", "unsubscribed")
        unsubscribed = add_lead(session, "u@example.com", email_state="unsubscribed")
        customer = add_lead(session, "c@example.com", status="customer")
        ok = add_lead(session, "ok@example.com")
        result = enroll_leads(
            session, sequence, [blocked.id, unsubscribed.id, customer.id, ok.id], now=clock.now()
        )
    assert result.enrolled == [ok.id]
    assert "suppression" in result.refused[blocked.id]
    assert set(result.refused) == {blocked.id, unsubscribed.id, customer.id}


def test_lead_suppressed_after_enrolment_gets_no_email(ready, clock: FixedClock) -> None:
    """A lead put on the suppression list later is taken out instead of being mailed."""
    with ready.write() as session:
        sequence = make_sequence(session, [email()])
        lead = add_lead(session, "ada@example.com")
        enroll_leads(session, sequence, [lead.id], now=clock.now())
        suppress(session, lead.email, "manual")
    result = run_due(ready, clock.now())
    assert (result.messages, result.exited) == (0, 1)


def test_new_leads_from_a_source_are_enrolled_automatically(ready, clock: FixedClock) -> None:
    """A rule "new leads from Expo Berlin" enrols imported leads from that show only."""
    with ready.write() as session:
        sequence = make_sequence(session, [email()])
        sequence.auto_enroll = {"new_from_sources": ["Expo Berlin"]}
        expo = add_lead(session, "expo@example.com", source="expo berlin")
        other = add_lead(session, "web@example.com", source="Website")
        for lead in (expo, other):
            record_activity(
                session, ActivityEvent(lead.id, ActivityKind.IMPORTED), now=clock.now(), react=False
            )
        leads_changed(session, [expo.id, other.id], clock.now())
        single = add_lead(session, "single@example.com", source="Expo Berlin")
        record_activity(session, ActivityEvent(single.id, ActivityKind.CREATED), now=clock.now())
        enrolled = {e.lead_id: e.origin for e in session.scalars(select(Enrollment))}
    assert enrolled == {expo.id: "auto", single.id: "auto"}


def test_leads_that_became_warm_are_enrolled(ready, clock: FixedClock) -> None:
    """A rule "leads that became warm" enrols a lead when scoring records that event."""
    with ready.write() as session:
        sequence = make_sequence(session, [email()])
        sequence.auto_enroll = {"became_warm": True}
        lead = add_lead(session, "ada@example.com")
        record_activity(session, ActivityEvent(lead.id, ActivityKind.BECAME_WARM), now=clock.now())
        assert [e.lead_id for e in session.scalars(select(Enrollment))] == [lead.id]


def test_enrolment_writes_each_enrollment_and_its_events(ready, clock: FixedClock) -> None:
    """Enrolled leads get an active enrollment due at the first email and an "enrolled" event
    naming it; in a version with no email or task left they are completed at once."""
    from leaddesk.db.models import Activity

    with ready.write() as session:
        mailing = make_sequence(session, [wait(days=1), email()], name="Mailing")
        waiting = make_sequence(session, [wait(days=3)], name="Only waits")
        leads = [add_lead(session, f"p{i}@example.com") for i in range(3)]
        ids = [lead.id for lead in leads]
        assert enroll_leads(session, mailing, ids, now=clock.now(), origin="user").enrolled == ids
        assert enroll_leads(session, waiting, ids[:1], now=clock.now()).enrolled == ids[:1]
        rows = {
            (e.sequence_id, e.lead_id): e
            for e in session.scalars(select(Enrollment).order_by(Enrollment.id))
        }
        events = session.execute(
            select(Activity.lead_id, Activity.kind, Activity.payload).order_by(Activity.id)
        ).all()
    for lead_id in ids:
        active = rows[(mailing.id, lead_id)]
        assert (active.state, active.current_position, active.origin) == ("active", 1, "user")
        assert active.next_due_at is not None and active.next_due_at >= clock.now()
        assert active.enrolled_at == clock.now() and active.exited_at is None
    done = rows[(waiting.id, ids[0])]
    assert (done.state, done.next_due_at, done.exited_at) == ("completed", None, clock.now())
    enrolled = [(lead, p["enrollment_id"]) for lead, kind, p in events if kind == "enrolled"]
    assert enrolled == [(i, rows[(mailing.id, i)].id) for i in ids] + [(ids[0], done.id)]
    completed = [
        (lead, p["enrollment_id"]) for lead, kind, p in events if kind == "sequence_completed"
    ]
    assert completed == [(ids[0], done.id)]
