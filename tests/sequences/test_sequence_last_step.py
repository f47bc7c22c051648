"""The last step of a sequence: its email still goes out, unless the lead leaves first."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from leaddesk.activities import ActivityEvent, ActivityKind, record_activity
from leaddesk.clock import FixedClock
from leaddesk.db.models import (
    Enrollment,
    EnrollmentState,
    OutboundMessage,
    OutboxState,
    Sequence,
)
from leaddesk.mail import outbox
from leaddesk.sequences.enrollment import enroll_leads, stop_leads
from leaddesk.sequences.scheduler import run_due
from tests.sequences.sequence_helpers import add_lead, email, make_sequence


def _plan_last_email(ready, clock: FixedClock) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with ready.write() as session:
        sequence = make_sequence(session, [email()])
        lead = add_lead(session, "ada@example.com")
        enroll_leads(session, sequence, [lead.id], now=clock.now())
    run_due(ready, clock.now())
    with ready.session() as session:
        enrollment = session.scalars(select(Enrollment)).one()
        message = session.scalars(select(OutboundMessage)).one()
    assert enrollment.state == EnrollmentState.COMPLETED  # completed once the last step is planned
    assert message.state == OutboxState.SCHEDULED
    return lead.id, message.id


def test_the_last_email_of_a_completed_enrollment_is_claimed(ready, clock: FixedClock) -> None:
    """The sender sends a sequence's final email although the enrollment already completed."""
    _, message_id = _plan_last_email(ready, clock)
    with ready.write() as session:
        (result,) = outbox.claim_batch(session, [message_id], clock.now(), expiry=timedelta(days=4))
    assert isinstance(result, outbox.Claimed), result


def test_a_reply_before_the_last_email_goes_out_cancels_it(ready, clock: FixedClock) -> None:
    """A lead who replies after the final step was planned but before it was sent gets nothing."""
    lead_id, message_id = _plan_last_email(ready, clock)
    with ready.write() as session:
        record_activity(session, ActivityEvent(lead_id, ActivityKind.REPLIED), now=clock.now())
    with ready.session() as session:
        message = session.get_one(OutboundMessage, message_id)
    assert message.state == OutboxState.CANCELLED and message.finished_reason == "replied"


def test_a_manual_stop_before_the_last_email_goes_out_cancels_it(ready, clock: FixedClock) -> None:
    """Stopping a lead whose final email is planned but not yet sent cancels that email."""
    lead_id, message_id = _plan_last_email(ready, clock)
    with ready.write() as session:
        sequence = session.scalars(select(Sequence)).one()
        stop_leads(session, sequence, [lead_id], now=clock.now())
    with ready.session() as session:
        message = session.get_one(OutboundMessage, message_id)
    assert message.state == OutboxState.CANCELLED and message.finished_reason == "manual stop"
