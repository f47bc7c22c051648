"""A small read-only table model over plain rows (previews, rejected rows, history)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex


class RowsModel(QAbstractTableModel):
    """Rows of text under column headers; ``ObjectRole`` gives a row's attached object."""

    ObjectRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, headers: Sequence[str] = (), parent: Any = None) -> None:
        super().__init__(parent)
        self._headers: list[str] = list(headers)
        self._rows: list[list[str]] = []
        self._objects: list[Any] = []

    def set_rows(
        self, headers: Sequence[str], rows: Sequence[Sequence[Any]], objects: Sequence[Any] = ()
    ) -> None:
        """Replace everything shown; ragged rows are padded to the header width."""
        self.beginResetModel()
        width = max([len(headers), *(len(r) for r in rows)], default=0)
        self._headers = [*headers, *[""] * (width - len(headers))]
        self._rows = [[_text(v) for v in row] + [""] * (width - len(row)) for row in rows]
        self._objects = list(objects) or [None] * len(self._rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Number of rows (0 under any parent: this is a flat table)."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Number of columns."""
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The cell text for display and tooltips; the row's object for ``ObjectRole``."""
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._rows[index.row()][index.column()]
        if role == self.ObjectRole:
            return self._objects[index.row()]
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column headers, and row numbers down the side."""
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._headers[section] if 0 <= section < len(self._headers) else None
        return str(section + 1)

    def object_at(self, row: int) -> Any:
        """The object attached to ``row``."""
        return self._objects[row]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    # Show line breaks inside a cell visibly instead of growing the row.
    return str(value).replace("\r\n", " ⏎ ").replace("\n", " ⏎ ").replace("\r", " ⏎ ")
