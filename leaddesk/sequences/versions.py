"""Editing a sequence safely: a used version is never changed, a new one is made instead.

When the newest version has enrollments, saving an edit creates version N+1. Leads in flight
either *stay* on the version they started (they finish the old content) or *migrate* to the new
version at a chosen step; their already-planned, unsent messages are then cancelled and the
chosen step is planned from now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leaddesk.db.models import Enrollment, Lead, Sequence, SequenceVersion
from leaddesk.sequences.documents import (
    DocumentError,
    apply_settings,
    steps_from_document,
    validate_document,
    version_from_document,
)
from leaddesk.sequences.enrollment import latest_version, live_enrollments, plan_from
from leaddesk.sequences.exits import cancel_planned_messages


@dataclass(frozen=True)
class InFlight:
    """What happens to live enrollments on save: stay, or migrate at step ``position``."""

    migrate: bool = False
    position: int = 0

    @classmethod
    def stay(cls) -> InFlight:
        """Leads already in the sequence finish the version they started."""
        return cls(False, 0)

    @classmethod
    def move_to(cls, position: int) -> InFlight:
        """Leads already in the sequence continue on the new version at step ``position``."""
        return cls(True, position)


@dataclass(frozen=True)
class SaveResult:
    """The version that now holds the content, and how many leads moved to it."""

    version: SequenceVersion
    new_version: bool
    migrated: int


def version_in_use(session: Session, version: SequenceVersion) -> bool:
    """True when any enrollment (live or finished) started on ``version``."""
    count = session.scalar(
        select(func.count(Enrollment.id)).where(Enrollment.version_id == version.id)
    )
    return bool(count)


def save_sequence(
    session: Session,
    sequence: Sequence,
    document: dict[str, Any],
    *,
    in_flight: InFlight | None = None,
    now: datetime,
    by: str = "",
) -> SaveResult:
    """Save the editor's ``document`` as the sequence's content (``by``: who saved it).

    An unused newest version is edited in place; a used one is kept and a new version is made,
    with live enrollments staying or migrating as ``in_flight`` says (default: stay). See
    :func:`leaddesk.sequences.catalog.ensure_unchanged` for the editor's compare-and-set.
    """
    sequence.updated_at = now
    sequence.updated_by = by
    document = validate_document(document)
    in_flight = in_flight or InFlight.stay()
    sequence.name = document["name"]
    sequence.description = str(document.get("description") or "")
    if "auto_enroll" in document:
        sequence.auto_enroll = dict(document.get("auto_enroll") or {})
    sequence.on_handoff = document["on_handoff"]
    current = latest_version(session, sequence)
    if not version_in_use(session, current):
        apply_settings(session, current, document["settings"])
        current.steps.clear()
        session.flush()  # delete the old steps before their positions are reused
        current.steps.extend(steps_from_document(document))
        session.flush()
        return SaveResult(current, False, 0)
    new = version_from_document(session, document, number=current.number + 1)
    new.sequence_id = sequence.id
    session.add(new)
    session.flush()
    migrated = 0
    if in_flight.migrate:
        if not 0 <= in_flight.position < len(new.steps):
            raise DocumentError(f"step {in_flight.position + 1} does not exist in the new version")
        migrated = migrate_enrollments(session, sequence, new, in_flight.position, now=now)
    return SaveResult(new, True, migrated)


def migrate_enrollments(
    session: Session,
    sequence: Sequence,
    version: SequenceVersion,
    position: int,
    *,
    now: datetime,
) -> int:
    """Move every live enrollment of ``sequence`` to ``version`` at step ``position``."""
    moving = [
        e for e in live_enrollments(session, sequence_id=sequence.id) if e.version_id != version.id
    ]
    if not moving:
        return 0
    cancel_planned_messages(
        session,
        reason=f"moved to version {version.number}",
        enrollment_ids=[e.id for e in moving],
        now=now,
    )
    leads = {
        lead.id: lead
        for lead in session.scalars(select(Lead).where(Lead.id.in_({e.lead_id for e in moving})))
    }
    for enrollment in moving:
        enrollment.version_id = version.id
        plan_from(session, enrollment, leads[enrollment.lead_id], version, position, now, now)
    session.flush()
    return len(moving)


def versions_of(session: Session, sequence: Sequence) -> list[SequenceVersion]:
    """Every version of ``sequence``, oldest first."""
    return list(
        session.scalars(
            select(SequenceVersion)
            .where(SequenceVersion.sequence_id == sequence.id)
            .order_by(SequenceVersion.number)
        )
    )
