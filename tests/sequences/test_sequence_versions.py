"""Editing a sequence with leads in flight: a new version, then stay or migrate at step N."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from leaddesk.clock import FixedClock
from leaddesk.db.models import Enrollment, OutboundMessage, OutboxState, SequenceVersion
from leaddesk.sequences.enrollment import enroll_leads
from leaddesk.sequences.presets import sequence_from_document
from leaddesk.sequences.scheduler import run_due
from leaddesk.sequences.versions import InFlight, save_sequence
from tests.sequences.sequence_helpers import add_lead, email, simple_document, wait

OLD = [email("Old 1"), wait(days=7), email("Old 2"), wait(days=7), email("Old 3")]
NEW = [email("New 1"), wait(days=2), email("New 2"), wait(days=2), email("New 3")]


def start(ready, clock: FixedClock):  # type: ignore[no-untyped-def]
    """A sequence with one lead that has received the first email."""
    with ready.write() as session:
        sequence = sequence_from_document(session, simple_document(OLD))
        lead = add_lead(session, "ada@example.com")
        enroll_leads(session, sequence, [lead.id], now=clock.now())
    run_due(ready, clock.now())
    with ready.write() as session:  # the sender delivered the first email
        first = session.scalars(select(OutboundMessage)).one()
        first.state, first.sent_at = OutboxState.SENT, clock.now()
    return sequence


def subjects(ready) -> list[str]:  # type: ignore[no-untyped-def]
    with ready.session() as session:
        return [
            m.subject
            for m in session.scalars(
                select(OutboundMessage)
                .where(OutboundMessage.state != OutboxState.CANCELLED)
                .order_by(OutboundMessage.due_at)
            )
        ]


def test_unused_draft_is_edited_in_place(ready, clock: FixedClock) -> None:
    """Without enrollments, saving changes version 1 itself."""
    with ready.write() as session:
        sequence = sequence_from_document(session, simple_document(OLD))
        result = save_sequence(session, sequence, simple_document(NEW), now=clock.now())
        assert (result.new_version, result.version.number) == (False, 1)
        assert [s.subject for s in result.version.steps if s.subject] == ["New 1", "New 2", "New 3"]


def test_editing_a_live_sequence_makes_a_version_and_leads_stay(ready, clock: FixedClock) -> None:
    """ "Stay": in-flight leads finish the old content; new leads get the new version."""
    sequence = start(ready, clock)
    with ready.write() as session:
        sequence = session.merge(sequence)
        result = save_sequence(
            session, sequence, simple_document(NEW), in_flight=InFlight.stay(), now=clock.now()
        )
        assert (result.new_version, result.version.number, result.migrated) == (True, 2, 0)
        late = add_lead(session, "late@example.com")
        enroll_leads(session, sequence, [late.id], now=clock.now())
        versions = {e.lead_id: e.version_id for e in session.scalars(select(Enrollment))}
        numbers = {v.id: v.number for v in session.scalars(select(SequenceVersion))}
    assert sorted(numbers[v] for v in versions.values()) == [1, 2]
    for _ in range(20):
        clock.advance(timedelta(days=1))
        run_due(ready, clock.now())
    assert sorted(subjects(ready)) == sorted(["Old 1", "Old 2", "Old 3", "New 1", "New 2", "New 3"])


def test_migrating_moves_in_flight_leads_at_the_chosen_step(ready, clock: FixedClock) -> None:
    """ "Migrate at step 3": the lead continues with New 2 and never gets Old 2 or Old 3."""
    sequence = start(ready, clock)
    clock.advance(timedelta(days=7))
    run_due(ready, clock.now())  # Old 2 is now planned in the outbox
    assert subjects(ready) == ["Old 1", "Old 2"]
    with ready.write() as session:
        sequence = session.merge(sequence)
        result = save_sequence(
            session, sequence, simple_document(NEW), in_flight=InFlight.move_to(2), now=clock.now()
        )
        assert result.migrated == 1
    for _ in range(10):
        clock.advance(timedelta(days=1))
        run_due(ready, clock.now())
    assert subjects(ready)[1:] == ["New 2", "New 3"]
    with ready.session() as session:
        cancelled = session.scalars(
            select(OutboundMessage).where(OutboundMessage.state == OutboxState.CANCELLED)
        ).all()
    assert [m.subject for m in cancelled] == ["Old 2"]
