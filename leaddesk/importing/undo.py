"""Undo of an import batch, and the import history.

Undo deletes the leads the batch created, restores the fields it changed on existing leads
(only where the field still holds the imported value, so later edits by hand are kept), removes
the tags it added and the activities it recorded, exits the sequence enrollments it made for
existing leads (those of the leads it created go with them), closes the hand-offs it set off
on existing leads (untouched by sales yet), removes the web visits it read from a log, and
marks the batch undone — in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from leaddesk.activities import leads_changed
from leaddesk.activities.kinds import ActivityKind
from leaddesk.db.models import (
    Activity,
    BatchState,
    Handoff,
    HandoffState,
    ImportBatch,
    ImportChange,
    Lead,
    LeadTag,
    LifecycleStatus,
    WebVisit,
)
from leaddesk.importing.enroll import exit_batch_enrollments

CHUNK = 500


class UndoError(ValueError):
    """The batch does not exist or was already undone."""


@dataclass(frozen=True)
class UndoResult:
    """What an undo did."""

    batch_id: int
    removed: int
    restored: int
    kept_edits: int
    exited_enrollments: int = 0

    def as_json(self) -> dict[str, Any]:
        """The result as a JSON-ready dict."""
        return {
            "batch_id": self.batch_id,
            "removed": self.removed,
            "restored": self.restored,
            "kept_edits": self.kept_edits,
            "exited_enrollments": self.exited_enrollments,
        }


def undo_batch(session: Session, batch_id: int, now: datetime) -> UndoResult:
    """Undo ``batch_id`` inside ``session`` (a write session); see the module docstring."""
    batch = session.get(ImportBatch, batch_id)
    if batch is None:
        raise UndoError(f"there is no import batch {batch_id}")
    if batch.state == BatchState.UNDONE:
        raise UndoError(f"import batch {batch_id} was already undone")
    # Leads the batch created carry its id; changed existing leads have ImportChange rows.
    created = list(session.scalars(select(Lead.id).where(Lead.import_batch_id == batch_id)))
    updated: list[tuple[int, dict[str, Any]]] = [
        (lead_id, previous or {})
        for lead_id, previous in session.execute(
            select(ImportChange.lead_id, ImportChange.previous).where(
                ImportChange.batch_id == batch_id, ImportChange.action == "updated"
            )
        )
    ]
    restored = kept = 0
    for lead_id, previous in updated:
        lead = session.get(Lead, lead_id)
        if lead is None:
            continue
        new_values = previous.get("new", {})
        for name, old in previous.get("fields", {}).items():
            if getattr(lead, name) == new_values.get(name):
                setattr(lead, name, old)
                restored += 1
            else:
                kept += 1
        if previous.get("custom_new") is not None:
            if lead.custom_fields == previous["custom_new"]:
                lead.custom_fields = previous.get("custom") or {}
                restored += 1
            else:
                kept += 1
        tags = previous.get("tags") or []
        if tags:
            session.execute(
                delete(LeadTag).where(LeadTag.lead_id == lead_id, LeadTag.tag.in_(tags))
            )
    session.flush()
    exited = exit_batch_enrollments(session, batch_id, now=now)
    # Existing leads that only got listed activities (a webinar report) change too.
    listed = set(
        session.scalars(
            select(Activity.lead_id).where(Activity.import_batch_id == batch_id).distinct()
        )
    )
    touched = sorted(({lead_id for lead_id, _ in updated} | listed) - set(created))
    _close_handoffs_it_started(session, batch, touched, now)
    session.execute(delete(Activity).where(Activity.import_batch_id == batch_id))
    session.execute(delete(WebVisit).where(WebVisit.import_batch_id == batch_id))
    for start in range(0, len(created), CHUNK):
        session.execute(delete(Lead).where(Lead.id.in_(created[start : start + CHUNK])))
    batch.state = BatchState.UNDONE
    batch.undone_at = now
    session.flush()
    leads_changed(session, touched, now)
    return UndoResult(batch_id, len(created), restored, kept, exited)


def _close_handoffs_it_started(
    session: Session, batch: ImportBatch, lead_ids: list[int], now: datetime
) -> int:
    """Close the hand-offs the import set off (opened in its transaction, not yet followed up)
    and give those leads back the status they had; returns how many."""
    from leaddesk.handoff.service import close_handoff  # hand-off builds on imports' events

    closed = 0
    for start in range(0, len(lead_ids), CHUNK):
        chunk = lead_ids[start : start + CHUNK]
        handoffs = session.scalars(
            select(Handoff).where(
                Handoff.lead_id.in_(chunk),
                Handoff.state != HandoffState.CLOSED,
                or_(
                    Handoff.trigger_activity_id.in_(
                        select(Activity.id).where(Activity.import_batch_id == batch.id)
                    ),
                    Handoff.handed_off_at == batch.created_at,  # a crossing in its re-score
                ),
                Handoff.first_attempt_at.is_(None),
            )
        ).all()
        for handoff in handoffs:
            lead = session.get_one(Lead, handoff.lead_id)
            before = session.scalar(
                select(Activity.payload)
                .where(Activity.lead_id == lead.id, Activity.kind == ActivityKind.HANDED_OFF)
                .order_by(Activity.id.desc())
                .limit(1)
            )
            lead.status = str((before or {}).get("from") or LifecycleStatus.NURTURING)
            close_handoff(session, lead, handoff, outcome="import_undone",
                          reason=f"import #{batch.id} was undone", now=now)  # fmt: skip
            closed += 1
    return closed


def import_history(session: Session, limit: int = 200) -> list[dict[str, Any]]:
    """The newest import batches as plain dicts, for the history list and ``--json``."""
    batches = session.scalars(
        select(ImportBatch)
        .order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc())
        .limit(limit)
    ).all()
    return [
        {
            "batch_id": b.id,
            "file": b.filename,
            "source": b.source,
            "kind": b.kind,
            "state": b.state,
            "rows": b.rows,
            "imported": b.imported,
            "merged": b.merged,
            "rejected": b.rejected,
            "suppressed": b.suppressed,
            "created_at": b.created_at,
            "undone_at": b.undone_at,
        }
        for b in batches
    ]
