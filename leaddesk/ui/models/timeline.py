"""A list model over a lead's timeline entries (newest first)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from leaddesk.inbox.timeline import TimelineEntry
from leaddesk.ui.models.inbox_table import local_time

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1


class TimelineModel(QAbstractListModel):
    """One row per activity: when, what (label) and a short summary."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._entries: list[TimelineEntry] = []

    def set_entries(self, entries: list[TimelineEntry]) -> None:
        """Show ``entries`` (already newest first)."""
        self.beginResetModel()
        self._entries = list(entries)
        self.endResetModel()

    @property
    def entries(self) -> list[TimelineEntry]:
        """The entries shown."""
        return self._entries

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        """How many entries the timeline has."""
        return 0 if parent.isValid() else len(self._entries)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """``"2026-03-02 10:00  Call — Reached"``, the payload as tooltip, or the entry."""
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        entry = self._entries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            summary = f" — {entry.summary}" if entry.summary else ""
            return f"{local_time(entry.occurred_at)}   {entry.label}{summary}"
        if role == Qt.ItemDataRole.ToolTipRole:
            origin = {"user": "logged by hand"}.get(entry.origin, f"from {entry.origin}")
            return f"{entry.label} ({origin})"
        if role == ENTRY_ROLE:
            return entry
        return None
