"""The sequences list: one row per sequence with its enrollment counts."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from leaddesk.sequences.catalog import SequenceSummary

COL_NAME, COL_STATUS, COL_ENROLLED, COL_ACTIVE, COL_COMPLETED, COL_REPLIED = range(6)
HEADERS = ("Sequence", "Status", "Enrolled", "Active", "Completed", "Replied")
SUMMARY_ROLE = Qt.ItemDataRole.UserRole + 1

AnyIndex = QModelIndex | QPersistentModelIndex


class SequenceListModel(QAbstractTableModel):
    """Plain :class:`SequenceSummary` rows for the table on the Sequences page."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[SequenceSummary] = []

    def set_rows(self, rows: list[SequenceSummary]) -> None:
        """Replace every row."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def summary(self, row: int) -> SequenceSummary:
        """The summary shown in ``row``."""
        return self._rows[row]

    def row_of(self, sequence_id: int) -> int:
        """The row showing ``sequence_id`` (-1 when absent)."""
        return next((i for i, r in enumerate(self._rows) if r.id == sequence_id), -1)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section] if 0 <= section < len(HEADERS) else None
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == SUMMARY_ROLE:
            return row
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() >= COL_ENROLLED:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        values = (
            row.name,
            f"{row.status.capitalize()} · v{row.version}",
            row.enrolled,
            row.active,
            row.completed,
            row.replied,
        )
        value = values[index.column()]
        return f"{value:,}" if isinstance(value, int) else value
