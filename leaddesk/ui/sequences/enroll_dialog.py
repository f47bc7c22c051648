"""Enrol leads chosen in the inbox (bulk action) into a sequence.

The Inbox page calls :func:`open_enroll_dialog` with the selected lead ids.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget
from sqlalchemy import select

from leaddesk.db.models import Sequence, SequenceStatus
from leaddesk.sequences.enrollment import EnrollResult, enroll_leads
from leaddesk.ui.context import AppContext


class EnrollDialog(QDialog):
    """Choose a sequence; OK enrols the leads in the background and reports what happened."""

    enrolled = Signal(object)

    def __init__(self, context: AppContext, lead_ids: list[int], parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.lead_ids = list(lead_ids)
        self.result_text = ""
        self.setWindowTitle("Add to a sequence")
        layout = QVBoxLayout(self)
        count = len(self.lead_ids)
        layout.addWidget(QLabel(f"Add {count:,} lead{'' if count == 1 else 's'} to:"))
        self.sequence_combo = QComboBox()
        layout.addWidget(self.sequence_combo)
        self.note_label = QLabel(
            "Leads already in the sequence are skipped; unsubscribed, bounced and suppressed "
            "addresses are never added."
        )
        self.note_label.setWordWrap(True)
        self.note_label.setObjectName("pageSubtitle")
        layout.addWidget(self.note_label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.enroll)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.buttons.setEnabled(False)

        def read(_progress: Any) -> list[tuple[int, str]]:
            with context.db.session() as session:
                rows = session.execute(
                    select(Sequence.id, Sequence.name, Sequence.status)
                    .where(Sequence.status != SequenceStatus.ARCHIVED)
                    .order_by(Sequence.name)
                )
                return [(r.id, r.name + ("" if r.status == "active" else f" ({r.status})"))
                        for r in rows]  # fmt: skip

        context.runner.run(read, on_done=self._show_sequences, write=False, label="Sequences")

    def _show_sequences(self, rows: list[tuple[int, str]]) -> None:
        for sequence_id, name in rows:
            self.sequence_combo.addItem(name, sequence_id)
        self.buttons.setEnabled(bool(rows))

    def choose(self, sequence_id: int) -> None:
        """Select the sequence ``sequence_id``."""
        self.sequence_combo.setCurrentIndex(self.sequence_combo.findData(sequence_id))

    def enroll(self) -> None:
        """Enrol the leads into the chosen sequence (background write)."""
        sequence_id = self.sequence_combo.currentData()
        if sequence_id is None:
            return
        lead_ids, now = self.lead_ids, self.context.clock.now()

        def write(_progress: Any) -> EnrollResult:
            with self.context.db.write() as session:
                sequence = session.get_one(Sequence, sequence_id)
                return enroll_leads(session, sequence, lead_ids, now=now)

        self.buttons.setEnabled(False)
        self.context.runner.run(write, on_done=self._done, label="Enrolling leads")

    def _done(self, result: EnrollResult) -> None:
        self.result_text = (
            f"Added {len(result.enrolled)}; {len(result.already)} already in it; "
            f"{len(result.refused)} refused."
        )
        self.enrolled.emit(result)
        self.accept()


def open_enroll_dialog(parent: QWidget, context: AppContext, lead_ids: list[int]) -> EnrollDialog:
    """Show the dialog (non-blocking) for the inbox's "Add to sequence" bulk action."""
    dialog = EnrollDialog(context, lead_ids, parent)
    dialog.open()
    return dialog
