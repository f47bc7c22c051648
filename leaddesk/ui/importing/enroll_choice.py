"""The wizard's "Enroll in sequence" choice: active sequences, and the words for the summary."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox
from sqlalchemy import select

from leaddesk.db.models import Sequence, SequenceStatus
from leaddesk.ui.context import AppContext

NO_SEQUENCE = "None (do not enroll)"


def load_sequence_choices(context: AppContext, combo: QComboBox) -> None:
    """Fill ``combo`` with "None" and, once read in the background, the active sequences."""
    combo.clear()
    combo.addItem(NO_SEQUENCE, None)
    db = context.db

    def read(_progress: Any) -> list[tuple[int, str]]:
        with db.session() as session:
            rows = session.execute(
                select(Sequence.id, Sequence.name)
                .where(Sequence.status == SequenceStatus.ACTIVE)
                .order_by(Sequence.name)
            ).all()
        return [(row.id, row.name) for row in rows]

    def show(sequences: list[tuple[int, str]]) -> None:
        for sequence_id, name in sequences:
            combo.addItem(name, sequence_id)

    context.runner.run(read, on_done=show, write=False, label="Loading sequences")


def describe_enrollment(counts: dict[str, Any], *, planned: bool = False) -> str:
    """One line about the enrolment the import made or will make ("" when none)."""
    if "enrolled" not in counts:
        return ""
    verb = "will be enrolled" if planned else "enrolled"
    line = f"{counts['enrolled']:,} leads {verb} in “{counts['enroll_sequence']}”"
    refusals = counts.get("enroll_refusals") or {}
    if refusals:
        reasons = "; ".join(f"{n:,} {why}" for why, n in sorted(refusals.items()))
        line += f" · {counts['enroll_refused']:,} not enrolled ({reasons})"
    return line


def describe_undo(result: Any) -> str:
    """The summary after undo, including enrollments taken back."""
    text = (
        f"Undone: removed {result.removed:,} new leads and restored "
        f"{result.restored:,} changed fields."
    )
    if result.exited_enrollments:
        text += f" {result.exited_enrollments:,} existing leads were taken out of the sequence."
    return text
