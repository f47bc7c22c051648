"""The steps of a sequence as a vertical timeline: "Day 1 · Email: …" → "Day 7 · Email" → …

Items carry their step as a plain dict; dragging an item reorders the steps and relabels the
timeline (days are recomputed from the waits in their new order).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QWidget

from leaddesk.sequences.documents import day_number

STEP_ROLE = Qt.ItemDataRole.UserRole + 1
NEW_STEPS: dict[str, dict[str, Any]] = {
    "email": {
        "kind": "email",
        "subject": "New email",
        "body": 'Hi {{ first_name | default("there") }},\n\n',
    },
    "wait": {"kind": "wait", "wait_days": 3, "wait_hours": 0, "business_days": False},
    "task": {"kind": "task", "task_kind": "call", "task_note": "Call {{ first_name }}"},
}


def step_label(step: dict[str, Any], day: float) -> str:
    """One timeline line for ``step`` reached on ``day`` after enrolment."""
    kind = step.get("kind")
    if kind == "wait":
        parts = []
        if step.get("wait_days"):
            business = " business" if step.get("business_days") else ""
            days = step["wait_days"]
            parts.append(f"{days}{business} day{'' if days == 1 else 's'}")
        if step.get("wait_hours"):
            hours = step["wait_hours"]
            parts.append(f"{hours} hour{'' if hours == 1 else 's'}")
        return f"      … then wait {' and '.join(parts) or '0 days'}"
    shown = day_number(day)
    if kind == "email":
        return f"Day {shown} · Email: {step.get('subject') or '(no subject)'}"
    return f"Day {shown} · {str(step.get('task_kind') or 'other').capitalize()} task"


class StepTimeline(QListWidget):
    """A drag-reorderable list of steps; ``steps_changed`` fires on every change."""

    steps_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stepTimeline")
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.model().rowsMoved.connect(self._moved)

    def set_steps(self, steps: list[dict[str, Any]]) -> None:
        """Show ``steps`` (copies are kept)."""
        self.blockSignals(True)
        self.clear()
        for step in steps:
            item = QListWidgetItem()
            item.setData(STEP_ROLE, dict(step))
            self.addItem(item)
        self.blockSignals(False)
        self.relabel()

    def steps(self) -> list[dict[str, Any]]:
        """The steps in their current order."""
        return [dict(self.item(row).data(STEP_ROLE)) for row in range(self.count())]

    def step_at(self, row: int) -> dict[str, Any]:
        """The step in ``row``."""
        return dict(self.item(row).data(STEP_ROLE))

    def update_step(self, row: int, step: dict[str, Any]) -> None:
        """Replace the step in ``row`` (after an edit) and relabel."""
        if 0 <= row < self.count():
            self.item(row).setData(STEP_ROLE, dict(step))
            self.relabel()
            self.steps_changed.emit()

    def add_step(self, kind: str) -> int:
        """Append a new step of ``kind`` after the selected one; returns its row."""
        row = self.currentRow() + 1 if self.currentRow() >= 0 else self.count()
        item = QListWidgetItem()
        item.setData(STEP_ROLE, dict(NEW_STEPS[kind]))
        self.insertItem(row, item)
        self.relabel()
        self.setCurrentRow(row)
        self.steps_changed.emit()
        return row

    def remove_current(self) -> None:
        """Delete the selected step."""
        row = self.currentRow()
        if row >= 0:
            self.takeItem(row)
            self.relabel()
            self.steps_changed.emit()

    def move_step(self, source: int, target: int) -> None:
        """Move the step in ``source`` to ``target`` (what a drag does)."""
        if source == target or not (0 <= source < self.count() and 0 <= target < self.count()):
            return
        item = self.takeItem(source)
        self.insertItem(target, item)
        self.setCurrentRow(target)
        self.relabel()
        self.steps_changed.emit()

    def labels(self) -> list[str]:
        """The visible text of every row."""
        return [self.item(row).text() for row in range(self.count())]

    def relabel(self) -> None:
        """Recompute "Day N" for every row from the waits before it."""
        day = 0.0
        for row in range(self.count()):
            item = self.item(row)
            step = item.data(STEP_ROLE) or {}
            day += int(step.get("wait_days") or 0) + int(step.get("wait_hours") or 0) / 24
            item.setText(step_label(step, day))

    def _moved(self, *_args: QModelIndex | int) -> None:
        self.relabel()
        self.steps_changed.emit()
