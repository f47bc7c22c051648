"""Looking sequences up and summarising them for the list (CLI and the Sequences page)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from leaddesk.db.models import Enrollment, EnrollmentState, Sequence, SequenceStatus
from leaddesk.sequences.documents import (
    DOCUMENT_FORMAT,
    DocumentError,
    document_from_version,
    timeline,
    unique_name,
    validate_document,
)
from leaddesk.sequences.enrollment import latest_version
from leaddesk.sequences.presets import sequence_from_document


@dataclass(frozen=True)
class SequenceSummary:
    """One row of the sequences list."""

    id: int
    name: str
    status: str
    version: int
    steps: int
    enrolled: int
    active: int
    completed: int
    replied: int

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output and the GUI."""
        return asdict(self)


def find_sequence(session: Session, ref: str | int) -> Sequence:
    """The sequence with id or name ``ref`` (case-insensitive name); raises LookupError."""
    text = str(ref).strip()
    sequence = session.get(Sequence, int(text)) if text.isdigit() else None
    if sequence is None:
        sequence = session.scalar(select(Sequence).where(func.lower(Sequence.name) == text.lower()))
    if sequence is None:
        raise LookupError(f"no sequence called {text!r}; see `leaddesk sequence list`")
    return sequence


def summaries(session: Session) -> list[SequenceSummary]:
    """Every sequence with its enrolled/active/completed/replied counts."""
    counts = {
        row.sequence_id: row
        for row in session.execute(
            select(
                Enrollment.sequence_id,
                func.count(Enrollment.id).label("enrolled"),
                func.sum(
                    case(
                        (Enrollment.state.in_((EnrollmentState.ACTIVE, EnrollmentState.PAUSED)), 1),
                        else_=0,
                    )
                ).label("active"),
                func.sum(case((Enrollment.state == EnrollmentState.COMPLETED, 1), else_=0)).label(
                    "completed"
                ),
                func.sum(case((Enrollment.exit_reason == "replied", 1), else_=0)).label("replied"),
            ).group_by(Enrollment.sequence_id)
        )
    }
    result = []
    for sequence in session.scalars(select(Sequence).order_by(Sequence.name)):
        version = latest_version(session, sequence)
        row = counts.get(sequence.id)
        result.append(
            SequenceSummary(
                sequence.id,
                sequence.name,
                sequence.status,
                version.number,
                len(timeline([{"kind": s.kind} for s in version.steps])),
                int(row.enrolled) if row else 0,
                int(row.active or 0) if row else 0,
                int(row.completed or 0) if row else 0,
                int(row.replied or 0) if row else 0,
            )
        )
    return result


def export_sequence(session: Session, sequence: Sequence) -> dict[str, Any]:
    """The newest version of ``sequence`` as a shareable JSON document."""
    return document_from_version(session, sequence, latest_version(session, sequence))


def ensure_unchanged(session: Session, sequence: Sequence, loaded: dict[str, Any]) -> None:
    """Raise :class:`~leaddesk.errors.EditConflict` (who, when) when the sequence's content is
    no longer what an editor loaded: someone saved it meanwhile (a pause does not count)."""
    from leaddesk.errors import EditConflict

    session.refresh(sequence, with_for_update=True)  # on PostgreSQL: held until the save
    if export_sequence(session, sequence) != loaded:
        raise EditConflict(["the sequence"], sequence.updated_by, sequence.updated_at)


def write_export(session: Session, sequence: Sequence, path: Path) -> None:
    """Write ``sequence`` to a JSON file."""
    path.write_text(
        json.dumps(export_sequence(session, sequence), indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )


def import_sequence(session: Session, document: Any) -> Sequence:
    """Create a sequence from an exported document (a clash gets "Name (2)"); starts as draft."""
    if isinstance(document, dict) and document.get("format", DOCUMENT_FORMAT) != DOCUMENT_FORMAT:
        raise DocumentError(f"unsupported sequence file format {document.get('format')!r}")
    document = validate_document(document)
    sequence = sequence_from_document(
        session, document, name=unique_name(session, document["name"])
    )
    sequence.status = SequenceStatus.DRAFT
    session.flush()
    return sequence


def read_import(session: Session, path: Path) -> Sequence:
    """Import a sequence from a JSON file (raises DocumentError with the reason)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DocumentError(f"cannot read {path}: {error}") from None
    return import_sequence(session, document)
