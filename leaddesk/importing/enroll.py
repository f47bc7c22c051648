"""Optional enrolment of an import batch into a sequence, and taking it back on undo.

Runs inside the import's write transaction (all-or-nothing with the batch). The batch's new
leads and the existing leads the file names are enrolled through the sequences module (which
refuses suppressed, unsubscribed, bounced, customer and disqualified leads and skips leads
already in the sequence). Suppressed addresses in the file never become candidates. With
"skip existing leads" only the new leads are enrolled. Each enrollment's origin is
``import:<batch_id>`` (``auto:import:<batch_id>`` for those the import's changes set off through
automatic enrolment rules) so that undo can find and exit it. The dry run reports the same
counts (:func:`preview_enrollment`) without writing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.db.models import Enrollment, Lead, Sequence, SequenceStatus
from leaddesk.importing.plan import ImportPlan
from leaddesk.sequences.enrollment import enroll_leads, exit_enrollments, refusal_reason
from leaddesk.sequences.exits import LIVE_ENROLLMENT

CHUNK = 500
UNDO_REASON = "import undone"
Tick = Callable[[int, int], None]


def batch_origin(batch_id: int) -> str:
    """The origin stored on enrollments made by import batch ``batch_id``."""
    return f"import:{batch_id}"


def enrollable_sequence(session: Session, sequence_id: int) -> Sequence:
    """The sequence to enroll into; raises ValueError when it is gone or archived."""
    sequence = session.get(Sequence, sequence_id)
    if sequence is None:
        raise ValueError(f"sequence {sequence_id} no longer exists; nothing was imported")
    if sequence.status == SequenceStatus.ARCHIVED:
        raise ValueError(f"sequence {sequence.name!r} is archived; nothing was imported")
    return sequence


def enroll_batch(
    session: Session,
    plan: ImportPlan,
    batch_id: int,
    sequence_id: int,
    *,
    now: datetime,
    tick: Tick | None = None,
) -> dict[str, Any]:
    """Enroll the batch's leads; returns ``enrolled``, ``enroll_refused`` and the reasons."""
    sequence = enrollable_sequence(session, sequence_id)
    lead_ids = list(session.scalars(select(Lead.id).where(Lead.import_batch_id == batch_id)))
    if plan.options.on_existing != "skip":
        lead_ids += list(plan.matched.values())
    enrolled = 0
    reasons: Counter[str] = Counter()
    origin = batch_origin(batch_id)
    for start in range(0, len(lead_ids), CHUNK):
        chunk = lead_ids[start : start + CHUNK]
        result = enroll_leads(session, sequence, chunk, now=now, origin=origin)
        enrolled += len(result.enrolled)
        reasons.update(result.refused.values())
        reasons.update({"already in the sequence": len(result.already)} if result.already else {})
        if tick is not None:
            tick(start + len(chunk), len(lead_ids))
    return _enrollment_counts(sequence, enrolled, reasons)


def preview_enrollment(session: Session, plan: ImportPlan, sequence_id: int) -> dict[str, Any]:
    """The dry run's answer: what :func:`enroll_batch` would report for ``plan`` (read-only).

    New leads can all be enrolled (suppressed addresses never become leads); each existing
    lead the file names is checked as enrolment would check it.
    """
    sequence = enrollable_sequence(session, sequence_id)
    reasons: Counter[str] = Counter()
    enrolled = len(plan.new_keys)
    existing = list(plan.matched.values()) if plan.options.on_existing != "skip" else []
    for start in range(0, len(existing), CHUNK):
        chunk = existing[start : start + CHUNK]
        live = set(
            session.scalars(
                select(Enrollment.lead_id).where(
                    Enrollment.sequence_id == sequence.id,
                    Enrollment.state.in_(LIVE_ENROLLMENT),
                    Enrollment.lead_id.in_(chunk),
                )
            )
        )
        for lead in session.scalars(select(Lead).where(Lead.id.in_(chunk))):
            reason = "already in the sequence" if lead.id in live else refusal_reason(lead, False)
            if reason is None:
                enrolled += 1
            else:
                reasons[reason] += 1
    return _enrollment_counts(sequence, enrolled, reasons)


def _enrollment_counts(sequence: Sequence, enrolled: int, reasons: Counter[str]) -> dict[str, Any]:
    return {
        "enroll_sequence": sequence.name,
        "enrolled": enrolled,
        "enroll_refused": sum(reasons.values()),
        "enroll_refusals": dict(reasons),
    }


def exit_batch_enrollments(session: Session, batch_id: int, *, now: datetime) -> int:
    """Undo: exit the live enrollments the batch made (planned messages are cancelled).

    Those are the ``--enroll`` ones and the automatic ones the import set off (origin
    ``auto:import:<batch_id>``, see :func:`~leaddesk.sequences.reactions.auto_origin`).

    Enrollments of leads the batch created need no exit: deleting those leads deletes their
    enrollments and planned messages (ON DELETE CASCADE). Call before deleting them.
    """
    found = session.scalars(
        select(Enrollment)
        .join(Lead, Lead.id == Enrollment.lead_id)
        .where(
            Enrollment.origin.in_([batch_origin(batch_id), f"auto:{batch_origin(batch_id)}"]),
            Enrollment.state.in_(LIVE_ENROLLMENT),
            (Lead.import_batch_id.is_(None)) | (Lead.import_batch_id != batch_id),
        )
    )
    return exit_enrollments(session, list(found), UNDO_REASON, now=now)
