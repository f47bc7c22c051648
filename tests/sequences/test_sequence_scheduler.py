"""The scheduler tick: one message per due email step, tasks for owners, failures isolated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from leaddesk.clock import FixedClock
from leaddesk.db.models import (
    Enrollment,
    EnrollmentState,
    OutboundMessage,
    OutboxState,
    SequenceStep,
    Task,
)
from leaddesk.sequences.enrollment import enroll_leads
from leaddesk.sequences.preview import preview_step
from leaddesk.sequences.scheduler import NO_POSTAL_ADDRESS, run_due
from leaddesk.settings import POSTAL_ADDRESS, set_setting
from tests.sequences.sequence_helpers import add_lead, add_owner, email, make_sequence, wait


def test_due_email_creates_exactly_one_message_per_contract(ready, clock: FixedClock) -> None:
    """A due email becomes one scheduled message with Message-ID, token and rendered parts."""
    with ready.write() as session:
        sequence = make_sequence(session, [email("Hello {{ first_name }}", "Hi {{ first_name }}")])
        lead = add_lead(session, "ada@example.com")
        enroll_leads(session, sequence, [lead.id], now=clock.now())
    first = run_due(ready, clock.now())
    again = run_due(ready, clock.now() + timedelta(minutes=5))
    assert (first.messages, again.messages) == (1, 0)
    with ready.session() as session:
        message = session.scalars(select(OutboundMessage)).one()
        enrollment = session.scalars(select(Enrollment)).one()
    assert message.state == OutboxState.SCHEDULED
    assert message.message_id.endswith("@acme.example>")
    assert len(message.unsubscribe_token) >= 16
    assert message.to_address == "ada@example.com"
    assert message.subject == "Hello Ada" == message.rendered["subject"]
    assert set(message.rendered) == {"subject", "text", "html"}
    assert "Acme Ltd" in message.rendered["text"] and "unsubscribe" in message.rendered["html"]
    assert message.due_at == clock.now()  # Monday 10:00 UTC is 11:00 in Berlin: in the window
    assert enrollment.state == EnrollmentState.COMPLETED


def test_preview_is_exactly_what_is_sent(ready, clock: FixedClock) -> None:
    """The preview of a step for a lead equals the rendered message later created."""
    with ready.write() as session:
        sequence = make_sequence(session, [email("Hi {{ first_name }}", "Hello {{ company }}")])
        lead = add_lead(session, "ada@example.com")
        step = session.scalars(select(SequenceStep)).one()
        preview = preview_step(session, lead.id, step, sequence.versions[0])
        enroll_leads(session, sequence, [lead.id], now=clock.now())
    run_due(ready, clock.now())
    with ready.session() as session:
        message = session.scalars(select(OutboundMessage)).one()
    assert preview.email is not None
    assert preview.email.as_dict() == message.rendered


def test_task_step_creates_a_task_for_the_owner(ready, clock: FixedClock) -> None:
    """A call step creates one task for the lead's owner, due when the step comes."""
    with ready.write() as session:
        owner = add_owner(session)
        sequence = make_sequence(
            session,
            [
                email(),
                wait(days=2),
                {"kind": "task", "task_kind": "call", "task_note": "Call {{ first_name }}"},
            ],
        )
        lead = add_lead(session, "ada@example.com", owner_id=owner.id)
        enroll_leads(session, sequence, [lead.id], now=clock.now())
    run_due(ready, clock.now())
    clock.advance(timedelta(days=2))
    assert run_due(ready, clock.now()).tasks == 1
    assert run_due(ready, clock.now()).tasks == 0
    with ready.session() as session:
        task = session.scalars(select(Task)).one()
    assert (task.owner_id, task.kind, task.notes) == (owner.id, "call", "Call Ada")
    assert task.due_at == clock.now()


def test_template_error_fails_one_row_and_never_blocks_others(ready, clock: FixedClock) -> None:
    """A lead whose email cannot render gets a failed row with the reason; others are planned."""
    with ready.write() as session:
        sequence = make_sequence(session, [email("Hi", "Hi {{ first_name + 1 }}")])
        broken = add_lead(session, "a@example.com")
        fine_sequence = make_sequence(session, [email()], name="Fine")
        fine = add_lead(session, "b@example.com")
        enroll_leads(session, sequence, [broken.id], now=clock.now())
        enroll_leads(session, fine_sequence, [fine.id], now=clock.now())
    result = run_due(ready, clock.now())
    assert (result.messages, result.failed) == (1, 1)
    with ready.session() as session:
        failed = session.scalars(
            select(OutboundMessage).where(OutboundMessage.state == OutboxState.FAILED)
        ).one()
    assert failed.lead_id == broken.id and failed.last_error


def test_sending_is_blocked_until_a_postal_address_exists(db, clock: FixedClock) -> None:
    """Without a postal address no message is created; once it is set the step goes out."""
    from tests.sequences.sequence_helpers import add_account

    with db.write() as session:
        add_account(session)
        sequence = make_sequence(session, [email()])
        lead = add_lead(session, "ada@example.com")
        enroll_leads(session, sequence, [lead.id], now=clock.now())
    result = run_due(db, clock.now())
    assert result.messages == 0 and result.blocked[NO_POSTAL_ADDRESS] == 1
    with db.write() as session:
        set_setting(session, POSTAL_ADDRESS, "1 Main Street, Springfield")
    assert run_due(db, clock.now()).messages == 1
    with db.session() as session:
        assert session.scalar(select(func.count(OutboundMessage.id))) == 1


def test_paused_enrollment_creates_nothing(ready, clock: FixedClock) -> None:
    """A paused lead is skipped until resumed."""
    from leaddesk.sequences.enrollment import pause_leads, resume_leads

    with ready.write() as session:
        sequence = make_sequence(session, [email()])
        lead = add_lead(session, "ada@example.com")
        enroll_leads(session, sequence, [lead.id], now=clock.now())
        pause_leads(session, sequence, [lead.id])
    assert run_due(ready, clock.now()).messages == 0
    with ready.write() as session:
        resume_leads(session, sequence, [lead.id])
    assert run_due(ready, clock.now()).messages == 1


@pytest.mark.parametrize(
    ("zone", "enrolled_utc", "expected_second_utc"),
    [
        # New York springs forward on 8 March: 09:00 EST = 14:00 UTC, 09:00 EDT = 13:00 UTC.
        (
            "America/New_York",
            datetime(2026, 3, 6, 14, 0, tzinfo=UTC),
            datetime(2026, 3, 13, 13, 0, tzinfo=UTC),
        ),
        # Berlin falls back on 25 October: 09:00 CEST = 07:00 UTC, 09:00 CET = 08:00 UTC.
        (
            "Europe/Berlin",
            datetime(2026, 10, 23, 7, 0, tzinfo=UTC),
            datetime(2026, 10, 30, 8, 0, tzinfo=UTC),
        ),
    ],
)
def test_day_seven_email_keeps_local_nine_oclock_across_dst(
    ready, zone: str, enrolled_utc: datetime, expected_second_utc: datetime
) -> None:
    """Enrolled at 09:00 local before a DST change, the day-7 email is due 09:00 local after it."""
    clock = FixedClock(enrolled_utc)
    with ready.write() as session:
        sequence = make_sequence(session, [email(), wait(days=7), email("Day 7")])
        lead = add_lead(session, "ada@example.com", timezone=zone)
        enroll_leads(session, sequence, [lead.id], now=clock.now())
    assert run_due(ready, clock.now()).messages == 1
    clock.set(expected_second_utc - timedelta(minutes=1))
    assert run_due(ready, clock.now()).messages == 0  # not yet: 08:59 local
    clock.set(expected_second_utc)
    assert run_due(ready, clock.now()).messages == 1
    with ready.session() as session:
        second = session.scalars(
            select(OutboundMessage).where(OutboundMessage.subject == "Day 7")
        ).one()
    assert second.due_at == expected_second_utc
