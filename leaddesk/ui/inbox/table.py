"""The inbox table view: keyboard handling, and columns the user shows, hides and reorders."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView, QWidget

from leaddesk.ui.inbox.column_fit import ColumnSpec, fit_columns
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

HEADER_KEY = "inbox/columns"  # order, user-hidden columns, dragged widths, sort
# (column, priority, minimum, preferred width): Name and Score stay whatever the width.
COLUMN_SPECS = (
    ColumnSpec(COL_NAME, 0, 110, 160, always=True),
    ColumnSpec(COL_SCORE, 1, 84, 110, always=True),
    ColumnSpec(COL_STATUS, 2, 80, 110),
    ColumnSpec(COL_COMPANY, 3, 90, 150),
    ColumnSpec(COL_OWNER, 4, 80, 110),
    ColumnSpec(COL_NEXT_STEP, 5, 100, 180),
    ColumnSpec(COL_SOURCE, 6, 90, 150),
    ColumnSpec(COL_LAST_ACTIVITY, 7, 128, 140),
    ColumnSpec(COL_TITLE, 8, 90, 150),
    ColumnSpec(COL_EMAIL, 9, 130, 210),
)
# The left-to-right order on first run: what a salesperson reads first.
DEFAULT_ORDER = (
    COL_NAME,
    COL_COMPANY,
    COL_TITLE,
    COL_SCORE,
    COL_STATUS,
    COL_OWNER,
    COL_NEXT_STEP,
    COL_SOURCE,
    COL_LAST_ACTIVITY,
    COL_EMAIL,
)


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
    """Fits the columns to the table's width by priority; remembers the user's own choices.

    Which columns the user hid, their order, the widths they dragged and the sort are kept in
    preferences. A column the user did not hide but that has no room at this width steps
    aside (``no_room``) and comes back when the table is wider.
    """

    def __init__(self, table: QTableView, preferences: QSettings) -> None:
        super().__init__(table)
        self.table = table
        self.preferences = preferences
        self.user_hidden: set[int] = set()
        self.dragged: dict[int, int] = {}
        self.no_room: frozenset[int] = frozenset()
        self._fitting = False
        header = table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setStretchLastSection(False)
        header.setTextElideMode(Qt.TextElideMode.ElideRight)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._menu)
        header.setSortIndicator(COL_SCORE, Qt.SortOrder.DescendingOrder)
        self._refit_timer = QTimer(self)
        self._refit_timer.setSingleShot(True)
        self._refit_timer.setInterval(200)
        self._refit_timer.timeout.connect(self.fit)
        self._restore()
        header.sectionResized.connect(self._resized)
        header.sectionMoved.connect(lambda *_: self._moved())
        header.sortIndicatorChanged.connect(lambda *_: self.save())
        table.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Fit the columns again whenever the table's visible width changes."""
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def set_visible(self, column: int, visible: bool) -> None:
        """Show or hide a column (remembered); the name and score columns always stay."""
        if not visible and any(s.always and s.column == column for s in COLUMN_SPECS):
            return
        (self.user_hidden.discard if visible else self.user_hidden.add)(column)
        self.save()
        self.fit()

    def fit(self) -> None:
        """Show the columns that fit the table's width at their widths; hide the others."""
        header = self.table.horizontalHeader()
        order = [header.logicalIndex(i) for i in range(header.count())]
        result = fit_columns(
            COLUMN_SPECS,
            self.table.viewport().width(),
            hidden=frozenset(self.user_hidden),
            preferred=self.dragged,
            visual_order=order,
        )
        self._fitting = True
        try:
            for column in range(header.count()):
                width = result.widths.get(column)
                header.setSectionHidden(column, width is None)
                if width is not None and header.sectionSize(column) != width:
                    header.resizeSection(column, width)
        finally:
            self._fitting = False
        self.no_room = result.no_room

    def save(self) -> None:
        """Store the order, the hidden columns, the dragged widths and the sort."""
        header = self.table.horizontalHeader()
        state = {
            "order": [COLUMNS[header.logicalIndex(i)][0] for i in range(header.count())],
            "hidden": [COLUMNS[c][0] for c in sorted(self.user_hidden)],
            "widths": {COLUMNS[c][0]: w for c, w in self.dragged.items()},
            "sort": [COLUMNS[header.sortIndicatorSection()][0], _order_name(header)],
        }
        self.preferences.setValue(HEADER_KEY, json.dumps(state))

    def _resized(self, column: int, _old: int, new: int) -> None:
        if self._fitting or self.table.isColumnHidden(column):
            return
        self.dragged[column] = new  # the user dragged the edge: their width from now on
        self.save()
        self._refit_timer.start()

    def _moved(self) -> None:
        self.save()
        self.fit()  # the left-over room follows the right-most column

    def _restore(self) -> None:
        header = self.table.horizontalHeader()
        titles = {title: column for column, (title, _) in enumerate(COLUMNS)}
        try:
            state = json.loads(str(self.preferences.value(HEADER_KEY, "") or "{}"))
        except ValueError:
            state = {}
        if not isinstance(state, dict):
            state = {}
        order = [titles[t] for t in state.get("order", []) if t in titles]
        order += [c for c in DEFAULT_ORDER if c not in order]
        for visual, column in enumerate(order):
            header.moveSection(header.visualIndex(column), visual)
        self.user_hidden = {titles[t] for t in state.get("hidden", []) if t in titles}
        widths = state.get("widths", {})
        if isinstance(widths, dict):
            self.dragged = {
                titles[t]: int(w) for t, w in widths.items() if t in titles and int(w) > 0
            }
        sort = state.get("sort")
        if isinstance(sort, list) and len(sort) == 2 and sort[0] in titles:
            descending = sort[1] != "ascending"
            header.setSortIndicator(
                titles[sort[0]],
                Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder,
            )
        self.fit()

    def _menu(self, position: Any) -> None:
        menu = QMenu(self.table)
        menu.setToolTipsVisible(True)
        for column, (title, _) in enumerate(COLUMNS):
            always = any(s.always and s.column == column for s in COLUMN_SPECS)
            label = title
            if column in self.no_room:
                label = f"{title}  (no room: widen the window)"
            action = menu.addAction(label)
            action.setCheckable(True)
            action.setChecked(column not in self.user_hidden)
            action.setEnabled(not always)
            if always:
                action.setToolTip("Always shown")
            action.toggled.connect(lambda on, c=column: self.set_visible(c, on))
        menu.addSeparator()
        menu.addAction("Reset columns", self.reset)
        menu.exec(self.table.horizontalHeader().mapToGlobal(position))

    def reset(self) -> None:
        """Back to the first-run columns: every column, the default order, automatic widths."""
        header = self.table.horizontalHeader()
        self.user_hidden.clear()
        self.dragged.clear()
        for visual, column in enumerate(DEFAULT_ORDER):
            header.moveSection(header.visualIndex(column), visual)
        self.save()
        self.fit()


def _order_name(header: QHeaderView) -> str:
    if header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder:
        return "ascending"
    return "descending"
