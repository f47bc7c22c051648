"""A sequence's call task exists once per enrollment, guarded by the database itself."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from leaddesk.clock import FixedClock
from leaddesk.db.models import Task
from leaddesk.sequences.enrollment import enroll_leads
from leaddesk.sequences.scheduler import run_due
from tests.sequences.sequence_helpers import add_lead, make_sequence

CALL = {"kind": "task", "task_kind": "call", "task_note": "Call {{ first_name }}"}


def test_a_second_task_for_the_same_step_is_refused_by_the_database(
    ready, clock: FixedClock
) -> None:
    """run-due twice makes one call task, and a second insert for the step is refused."""
    with ready.write() as session:
        sequence = make_sequence(session, [CALL])
        lead = add_lead(session, "ada@example.com", first_name="Ada")
        enroll_leads(session, sequence, [lead.id], now=clock.now())
    clock.advance(timedelta(minutes=1))
    run_due(ready, clock.now())
    run_due(ready, clock.now())
    with ready.session() as session:
        task = session.scalar(select(Task))
        assert task is not None and task.kind == "call"
        assert session.scalar(select(func.count(Task.id))) == 1
        enrollment_id, step_id, lead_id = task.enrollment_id, task.step_id, task.lead_id
    with pytest.raises(IntegrityError), ready.write() as session:
        session.add(Task(lead_id=lead_id, enrollment_id=enrollment_id, step_id=step_id))
        session.flush()
    with ready.write() as session:  # manual tasks (no enrollment) are never limited
        session.add_all([Task(lead_id=lead_id, title="Call back"), Task(lead_id=lead_id)])
    with ready.session() as session:
        assert session.scalar(select(func.count(Task.id))) == 3
