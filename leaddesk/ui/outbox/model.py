"""The outbox table model: plain :class:`~leaddesk.mail.actions.OutboxRow` data, no ORM."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from leaddesk.mail.actions import OutboxRow

COL_STATE, COL_WHEN, COL_TO, COL_SUBJECT, COL_ACCOUNT, COL_ATTEMPTS, COL_REASON = range(7)
HEADERS = ("State", "When", "To", "Subject", "Account", "Attempts", "Details")
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
STATE_LABELS = {
    "scheduled": "Scheduled",
    "sending": "Sending…",
    "deferred": "Retrying",
    "sent": "Sent",
    "failed": "Failed",
    "cancelled": "Cancelled",
    "expired": "Gave up",
    "unknown": "Unknown",
}
Index = QModelIndex | QPersistentModelIndex


def _when(row: OutboxRow) -> datetime:
    return row.sent_at or row.next_attempt_at or row.due_at


class OutboxTableModel(QAbstractTableModel):
    """Rows of one outbox tab."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[OutboxRow] = []

    def set_rows(self, rows: list[OutboxRow]) -> None:
        """Replace the rows (a reload)."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> OutboxRow:
        """The plain row behind table row ``row``."""
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_REASON:
            return row.reason or None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if column == COL_STATE:
            return STATE_LABELS.get(row.state, row.state)
        if column == COL_WHEN:
            return f"{_when(row).astimezone():%Y-%m-%d %H:%M}"
        if column == COL_TO:
            return row.to_address
        if column == COL_SUBJECT:
            return row.subject
        if column == COL_ACCOUNT:
            return row.account
        if column == COL_ATTEMPTS:
            return str(row.attempts)
        if column == COL_REASON:
            return row.reason.splitlines()[0][:120] if row.reason else ""
        return None
