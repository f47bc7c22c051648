"""Writing many new enrollments at once with Core inserts (enrolling a 100,000-lead list).

One ORM object per enrollment, flushed for its id, costs more than everything else an
enrolment does. :func:`insert_enrollments` writes the rows with one ``executemany`` per chunk
and reads their ids back: every value the ORM would have defaulted is given explicitly.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from leaddesk.db.bulk import BulkInsert
from leaddesk.db.models import Enrollment, EnrollmentState

CHUNK = 500
_ENROLLMENTS = cast(Table, Enrollment.__table__)
_ROW = ("lead_id", "state", "current_position", "next_due_at", "exited_at")
FirstStep = tuple[int, datetime] | None  # (position, due at) of the first step, None: no step


def insert_enrollments(
    session: Session,
    *,
    sequence_id: int,
    version_id: int,
    step_count: int,
    planned: Sequence[tuple[int, FirstStep]],
    origin: str,
    now: datetime,
) -> dict[int, int]:
    """Insert one enrollment per ``(lead id, first step)``; returns ``{lead id: enrollment id}``.

    A lead with a first step is active and due then; one without is completed at once (the
    version has no step left), exactly as :func:`~leaddesk.sequences.enrollment.plan_from`
    leaves it. The caller has checked that none of the leads is live in the sequence.
    """
    session.flush()  # pending ORM changes first, as an ORM flush would order them
    connection = session.connection()
    before = connection.execute(select(func.max(_ENROLLMENTS.c.id))).scalar() or 0
    constants = {
        "sequence_id": sequence_id,
        "version_id": version_id,
        "enrolled_at": now,
        "not_before": None,
        "exit_reason": "",
        "origin": origin,
    }
    bulk = BulkInsert(session, _ENROLLMENTS, _ROW, constants)
    stamp = bulk.converter("next_due_at")
    finished = stamp(now)
    rows = [
        (lead_id, EnrollmentState.ACTIVE.value, step[0], stamp(step[1]), None)
        if step is not None
        else (lead_id, EnrollmentState.COMPLETED.value, step_count, None, finished)
        for lead_id, step in planned
    ]
    for start in range(0, len(rows), CHUNK):
        bulk.execute(rows[start : start + CHUNK])
    ids: dict[int, int] = {}
    lead_ids = [lead_id for lead_id, _step in planned]
    for start in range(0, len(lead_ids), CHUNK):
        found = connection.execute(
            select(_ENROLLMENTS.c.lead_id, _ENROLLMENTS.c.id).where(
                _ENROLLMENTS.c.id > before,
                _ENROLLMENTS.c.sequence_id == sequence_id,
                _ENROLLMENTS.c.origin == origin,
                _ENROLLMENTS.c.lead_id.in_(lead_ids[start : start + CHUNK]),
            )
        )
        ids.update({lead_id: enrollment_id for lead_id, enrollment_id in found})
    return ids
