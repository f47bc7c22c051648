"""The Reports page's building blocks: a figure card and a table model for a report's tables."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QFrame, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from leaddesk.reports.model import Figure, Table
from leaddesk.ui.reports.formatting import cell_text, delta_text, format_value

Index = QModelIndex | QPersistentModelIndex
DELTA_COLOURS = {"up": "#2e7d32", "down": "#b3261e", "same": "#5f6b7a", "": "#5f6b7a"}
#: Figures where a rise is bad news (the arrow is then red going up).
WORSE_WHEN_UP = {"bounce_rate", "unsubscribe_rate", "breached", "median_minutes", "yearly_decay",
                 "days_to_warm", "days_to_sales_ready", "days_to_handed_off", "days_to_won",
                 "days_to_close", "reassignments", "attempts_to_connect"}  # fmt: skip


class FigureCard(QFrame):
    """One figure: its label, the value, the change against the previous period, and what it
    counts (as a footnote and a tooltip)."""

    def __init__(self, figure: Figure, currency: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.figure = figure
        self.label = QLabel(figure.label)
        self.label.setObjectName("reportCardLabel")
        self.value_label = QLabel(format_value(figure.value, figure.kind, currency))
        self.value_label.setObjectName("reportCardValue")
        font = self.value_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        self.value_label.setFont(font)
        text, direction = delta_text(figure, currency)
        if direction in ("up", "down") and figure.key in WORSE_WHEN_UP:
            direction = "down" if direction == "up" else "up"
        self.delta_label = QLabel(
            f"<span style='color:{DELTA_COLOURS[direction]}'>{html.escape(text)}</span>"
        )
        self.delta_label.setObjectName("reportCardDelta")
        self.definition_label = QLabel(figure.definition)
        self.definition_label.setObjectName("pageSubtitle")
        self.definition_label.setWordWrap(True)
        self.setToolTip(figure.definition)
        self.setMinimumWidth(150)
        self.label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(2)
        for widget in (self.label, self.value_label, self.delta_label, self.definition_label):
            layout.addWidget(widget)
        layout.addStretch(1)


class ReportTableModel(QAbstractTableModel):
    """A report table: formatted cells, numbers right-aligned, column definitions as tooltips."""

    def __init__(self, table: Table, currency: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.table = table
        self.currency = currency

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Rows of the table."""
        return 0 if parent.isValid() else len(self.table.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Columns of the table."""
        return 0 if parent.isValid() else len(self.table.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The cell's text, alignment and (for long texts) the whole value as a tooltip."""
        if not index.isValid():
            return None
        value = self.table.rows[index.row()][index.column()]
        column = self.table.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(value, column, self.currency)
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, int | float):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and isinstance(value, str) and len(value) > 30:
            return value
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column names, with their definitions as tooltips."""
        if orientation != Qt.Orientation.Horizontal:
            return None
        column = self.table.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.table.definitions.get(column)
        return None


def table_view(table: Table, currency: str, parent: QWidget | None = None) -> QTableView:
    """A read-only view of ``table``, as tall as its rows (up to 12, then it scrolls)."""
    view = QTableView(parent)
    view.setObjectName("reportTable")
    view.setModel(ReportTableModel(table, currency, view))
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(False)  # numbers stay beside their labels on a wide window
    rows = min(len(table.rows), 12)
    height = header.sizeHint().height() + rows * view.verticalHeader().defaultSectionSize() + 6
    height += view.horizontalScrollBar().sizeHint().height()  # room for it on a narrow window
    view.setFixedHeight(max(height, header.sizeHint().height() + 30))
    return view
