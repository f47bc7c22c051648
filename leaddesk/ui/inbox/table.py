"""The inbox table view: keyboard handling, and columns the user shows, hides and reorders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QByteArray, QObject, QSettings, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView, QWidget

from leaddesk.ui.models.inbox_table import (
    COL_COMPANY,
    COL_EMAIL,
    COL_LAST_ACTIVITY,
    COL_NAME,
    COL_NEXT_STEP,
    COL_OWNER,
    COL_SCORE,
    COL_SOURCE,
    COL_STATUS,
    COL_TITLE,
    COLUMNS,
)
from leaddesk.ui.widgets.score_bar import ScoreBarDelegate

HEADER_KEY = "inbox/header"
# First-run column widths (pixels); the user's own layout is remembered after that.
DEFAULT_WIDTHS = {
    COL_NAME: 150,
    COL_COMPANY: 140,
    COL_TITLE: 140,
    COL_EMAIL: 210,
    COL_SCORE: 110,
    COL_STATUS: 95,
    COL_OWNER: 110,
    COL_SOURCE: 160,
    COL_LAST_ACTIVITY: 125,
    COL_NEXT_STEP: 200,
}


class InboxTableView(QTableView):
    """The lead table: Enter opens the current lead, Delete asks to delete the selection."""

    def __init__(
        self,
        on_open: Callable[[], None],
        on_delete: Callable[[], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("inboxTable")
        self._on_open = on_open
        self._on_delete = on_delete
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setWordWrap(False)
        self.setItemDelegateForColumn(COL_SCORE, ScoreBarDelegate(self))
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(26)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter/Return opens the current lead; Delete deletes the selection (after asking)."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._on_open()
        elif event.key() == Qt.Key.Key_Delete:
            self._on_delete()
        else:
            super().keyPressEvent(event)


class ColumnSettings(QObject):
    """Remembers which columns are shown, their order, widths and the sort (in preferences)."""

    def __init__(self, table: QTableView, preferences: QSettings) -> None:
        super().__init__(table)
        self.table = table
        self.preferences = preferences
        header = table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setStretchLastSection(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._menu)
        header.setSortIndicator(COL_SCORE, Qt.SortOrder.DescendingOrder)
        self._restore()
        for signal in (header.sectionMoved, header.sectionResized, header.sortIndicatorChanged):
            signal.connect(lambda *_: self.save())

    def set_visible(self, column: int, visible: bool) -> None:
        """Show or hide a column (remembered); the name column always stays."""
        if column == COL_NAME and not visible:
            return
        self.table.horizontalHeader().setSectionHidden(column, not visible)
        self.save()

    def save(self) -> None:
        """Store the header's state (order, widths, hidden columns, sort)."""
        self.preferences.setValue(HEADER_KEY, self.table.horizontalHeader().saveState())

    def _restore(self) -> None:
        state = self.preferences.value(HEADER_KEY)
        header = self.table.horizontalHeader()
        if isinstance(state, QByteArray) and header.restoreState(state):
            return
        for column, width in DEFAULT_WIDTHS.items():
            header.resizeSection(column, width)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)

    def _menu(self, position: Any) -> None:
        header = self.table.horizontalHeader()
        menu = QMenu(self.table)
        for column, (title, _) in enumerate(COLUMNS):
            action = menu.addAction(title)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(column))
            action.setEnabled(column != COL_NAME)
            action.toggled.connect(lambda on, c=column: self.set_visible(c, on))
        menu.exec(header.mapToGlobal(position))
