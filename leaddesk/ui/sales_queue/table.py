"""The sales queue's table view: one selected row, and columns that make room for the names.

On a narrow window the least needed columns (how the lead came in, its stage, the due time)
are hidden before the company name gets squeezed; the Time left and Lead tooltips
still say what they held.
"""

from __future__ import annotations

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from leaddesk.ui.sales_queue.model import (
    COL_COMPANY,
    COL_DUE,
    COL_STAGE,
    COL_TRIGGER,
    QueueTableModel,
)

#: Hidden first to last when the table is too narrow.
OPTIONAL_COLUMNS = (COL_TRIGGER, COL_STAGE, COL_DUE)
#: At most this much of the company's width is kept before an optional column goes.
NAME_WIDTH = 190


class QueueTableView(QTableView):
    """The queue table: rows selected whole, one at a time, the company name stretched."""

    def __init__(self, model: QueueTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_COMPANY, QHeaderView.ResizeMode.Stretch)
        model.modelReset.connect(self.fit_columns)

    def column_width(self, column: int) -> int:
        """How wide ``column`` wants to be for its header and rows."""
        header = self.horizontalHeader()
        return max(header.sectionSizeHint(column), self.sizeHintForColumn(column))

    def fit_columns(self) -> None:
        """Hide optional columns, least needed first, until the names have room."""
        model = self.model()
        for column in OPTIONAL_COLUMNS:  # a hidden column measures as its header alone
            self.setColumnHidden(column, False)
        fixed = [c for c in range(model.columnCount()) if c != COL_COMPANY]
        widths = {column: self.column_width(column) for column in fixed}
        needed = sum(widths.values()) + min(self.column_width(COL_COMPANY), NAME_WIDTH)
        hidden: set[int] = set()
        for column in OPTIONAL_COLUMNS:
            if needed <= self.viewport().width():
                break
            hidden.add(column)
            needed -= widths[column]
        for column in OPTIONAL_COLUMNS:
            self.setColumnHidden(column, column in hidden)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Refit the columns to the new width."""
        super().resizeEvent(event)
        self.fit_columns()
