"""The Inbox page: every lead in one lazy table, with search, filters, bulk actions, detail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import func, select

from leaddesk.db.engine import Database
from leaddesk.db.models import Lead, Sequence, SequenceStatus, TeamMember
from leaddesk.handoff.identity import current_member
from leaddesk.inbox.bulk import all_tags, reasons_in_use
from leaddesk.inbox.paging import PagingCache, all_ids, count_matching, positions, window_ids
from leaddesk.inbox.profile import add_lead
from leaddesk.inbox.query import InboxQuery, SortField
from leaddesk.inbox.rows import LeadRow, fetch_rows
from leaddesk.inbox.views import delete_view, list_views, save_view
from leaddesk.ui.inbox.actions import BulkActions, leads_text
from leaddesk.ui.inbox.add_lead import AddLeadDialog
from leaddesk.ui.inbox.detail import LeadDetailPanel
from leaddesk.ui.inbox.filter_bar import FilterBar, FilterOptions
from leaddesk.ui.inbox.table import ColumnSettings, InboxTableView
from leaddesk.ui.models.inbox_table import (
    BLOCK_SIZE,
    COLUMNS,
    InboxTableModel,
    RowsCallback,
    column_for_sort,
    rows_in_spans,
)
from leaddesk.ui.pages.base import Page
from leaddesk.ui.widgets.empty_state import EmptyState

# Name and Score always fit beside the detail panel (their minimum widths, the scrollbar).
MIN_TABLE_WIDTH = 240
FIRST_ROWS = BLOCK_SIZE  # fetched with the count, so the first screen paints in one trip


@dataclass(frozen=True)
class InboxResult:
    """What one query run returns to the GUI thread.

    ``listed`` leads match (of ``total``); ``ids`` are the first ``FIRST_ROWS`` of them, or
    all of them when ``complete`` (a selection had to be found again: ``reselect`` rows).
    """

    generation: int
    total: int
    listed: int
    ids: list[int]
    rows: dict[int, LeadRow]
    refreshed: bool
    complete: bool = False
    reselect: tuple[int, ...] = ()


class InboxPage(Page):
    """Lists the leads; shows how to get the first ones in when there are none."""

    key = "inbox"
    title = "Inbox"
    icon = ":/icons/inbox.svg"

    def build_empty_state(self) -> EmptyState:
        state = EmptyState(
            "No leads yet",
            "Import the badge-scan list from your last tradeshow or webinar — CSV or Excel, in any "
            "encoding — or load sample data to look around first.",
        )
        self.add_getting_started_actions(state)
        return state

    def build_content(self) -> QWidget:
        self._sort: str = SortField.SCORE
        self._descending = True
        self._generation = 0
        self.shown_generation = -1  # the query generation the table shows (for waiting on it)
        self._paging = PagingCache()
        self._shown_query = InboxQuery()  # the query of the result the table shows
        self.total: int | None = None
        self.filter_bar = FilterBar()
        self.filter_bar.changed.connect(lambda: self.requery())
        self.filter_bar.view_chosen.connect(self.filter_bar.show_query)
        self.filter_bar.save_view_requested.connect(self._ask_save_view)
        self.filter_bar.delete_view_requested.connect(self.delete_saved_view)
        self.model = InboxTableModel(self._fetch_block, self)
        self.model.resolver = self._resolve_all_ids
        self.table = InboxTableView(self.open_current, lambda: self.bulk_actions.delete_selected())
        self.table.setModel(self.model)
        self.table.doubleClicked.connect(lambda index: self._open_row(index.row()))
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        self._ids_requested = -1  # the generation whose complete id list was asked for
        self.table.selectionModel().currentRowChanged.connect(self._current_row_changed)
        self.columns = ColumnSettings(self.table, self.context.preferences)
        header = self.table.horizontalHeader()
        self._sort = str(COLUMNS[header.sortIndicatorSection()][1])
        self._descending = header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
        self.table.setSortingEnabled(True)
        self.model.sort_requested.connect(self.sort_by)
        self.detail = LeadDetailPanel(self.context)
        self.detail.hide()
        self.detail.closed.connect(self.table.setFocus)
        self.detail.changed.connect(self._detail_changed)
        self.detail.open_lead.connect(self.open_lead)
        self.bulk_actions = BulkActions(self)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(
            lambda position: self.bulk_actions.menu.popup(
                self.table.viewport().mapToGlobal(position)
            )
        )
        self.empty_result = QLabel("No leads match these filters.")
        self.empty_result.setObjectName("noMatches")
        self.empty_result.hide()
        add_button = QPushButton("Add lead…")
        add_button.clicked.connect(self._ask_add_lead)
        self.handoff_button = QPushButton("Hand to sales…")
        self.handoff_button.setObjectName("handToSalesButton")
        self.handoff_button.setToolTip(self.bulk_actions.handoff_action.toolTip())
        self.handoff_button.clicked.connect(self.bulk_actions.handoff_action.trigger)
        # A push button with a menu, drawn like its neighbours (a tool button is grey and square).
        self.actions_button = QPushButton("Actions")
        self.actions_button.setObjectName("inboxActionsButton")
        self.actions_button.setToolTip("Act on the selected leads (also on right-click)")
        self.actions_button.setMenu(self.bulk_actions.menu)
        self.count_label = QLabel()
        self.count_label.setObjectName("leadCount")
        self.selection_label = QLabel()
        self.selection_label.setObjectName("selectionCount")
        bar = QHBoxLayout()
        bar.addWidget(self.count_label)
        bar.addWidget(self.empty_result)
        bar.addStretch(1)
        bar.addWidget(add_button)
        bar.addWidget(self.handoff_button)
        bar.addWidget(self.actions_button)
        splitter = QSplitter()
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        self.table.setMinimumWidth(MIN_TABLE_WIDTH)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter_bar)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        QShortcut(QKeySequence.StandardKey.Find, self, self.focus_search, context=context)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.detail.close_panel, context=context)
        return content

    # --- loading --------------------------------------------------------------------------
    def current_query(self) -> InboxQuery:
        """The query the filter bar and the sort describe."""
        return self.filter_bar.query(self._sort, self._descending)

    def refresh(self) -> None:
        """Re-run the query and reload the filter choices (the data may have changed)."""
        self._paging.clear()
        self.requery(with_options=True)

    def requery(self, *, with_options: bool = False) -> None:
        """Re-run the current query in the background; the table is replaced when it is done.

        The job counts the matching leads and reads the first window; when leads are selected
        it reads every id instead, to select the same leads again where they are now.
        """
        self._generation += 1
        generation, query, now = self._generation, self.current_query(), self.context.clock.now()
        db, cache, known_total = self.context.db, self._paging, self.total
        selected = frozenset(self.selected_ids(resolve=False))

        def load(_progress: Any) -> InboxResult:
            with db.session() as session:
                # Filters and search do not change how many leads exist: count on refresh only.
                total = (
                    int(session.scalar(select(func.count()).select_from(Lead)) or 0)
                    if with_options or known_total is None
                    else known_total
                )
                listed = count_matching(session, query, now=now, cache=cache) if total else 0
                reselect: tuple[int, ...] = ()
                if selected and listed:
                    rows_of, ids = positions(session, query, set(selected), now=now, cache=cache)
                    reselect = tuple(sorted(rows_of.values()))
                else:
                    ids = window_ids(
                        session,
                        query,
                        now=now,
                        offset=0,
                        limit=FIRST_ROWS,
                        total=listed,
                        cache=cache,
                    )
                rows = fetch_rows(session, ids[:FIRST_ROWS])
            return InboxResult(
                generation,
                total,
                listed,
                ids,
                rows,
                with_options,
                complete=bool(selected and listed),
                reselect=reselect,
            )

        self.context.runner.run(
            lambda progress: (query, load(progress)),
            on_done=lambda done: self._query_done(*done),
            write=False,
            label="Loading leads",
        )

    def _query_done(self, query: InboxQuery, data: InboxResult) -> None:
        if data.generation == self._generation:
            self._shown_query = query
        self._applied(data)  # the base page marks itself loaded and calls apply()

    def apply(self, data: InboxResult) -> None:
        """Show a query result (older results that arrive late are ignored)."""
        if data.refreshed:
            self.load_options()
        if data.generation != self._generation:
            return
        self.total = data.total
        if data.total == 0:
            self.show_empty()
            return
        self.model.set_window(data.listed, data.ids, data.rows, complete=data.complete)
        self.table.horizontalHeader().setSortIndicator(
            column_for_sort(self._sort),
            Qt.SortOrder.DescendingOrder if self._descending else Qt.SortOrder.AscendingOrder,
        )
        self._select_rows(list(data.reselect))
        self.count_label.setText(
            f"{data.total:,} leads"
            if data.listed == data.total
            else f"{data.listed:,} of {data.total:,} leads"
        )
        self.empty_result.setVisible(data.listed == 0)
        self._selection_changed()
        self.show_content()
        self.shown_generation = data.generation

    def load_options(self) -> None:
        """Reload the owner, source, tag and saved-view choices (after the rows are shown)."""
        db = self.context.db

        def load(_progress: Any) -> FilterOptions:
            with db.session() as session:
                return _options(session, db)

        self.context.runner.run(load, on_done=self._show_options, write=False, label="")

    def _show_options(self, options: FilterOptions) -> None:
        self.bulk_actions.owners = options.owners
        self.bulk_actions.sequences = options.sequences
        self._tags = options.tags
        self.filter_bar.set_options(options)

    def _fetch_block(
        self, start: int, stop: int, known: list[int] | None, callback: RowsCallback
    ) -> None:
        """Load rows ``start``..``stop`` of the result shown (their ids too when unknown)."""
        db, query, now, cache = (
            self.context.db,
            self._shown_query,
            self.context.clock.now(),
            self._paging,
        )
        listed = self.model.rowCount()

        def load(_progress: Any) -> tuple[list[int], dict[int, LeadRow]]:
            with db.session() as session:
                ids = known
                if ids is None:
                    ids = window_ids(
                        session,
                        query,
                        now=now,
                        offset=start,
                        limit=stop - start,
                        total=listed,
                        cache=cache,
                    )
                return ids, fetch_rows(session, ids)

        self.context.runner.run(
            load, on_done=lambda done: callback(*done), write=False, label="Loading rows"
        )

    def _resolve_all_ids(self) -> list[int]:
        """Every id of the result shown, read now (only when the background read is not done)."""
        with self.context.db.session() as session:
            return all_ids(
                session, self._shown_query, now=self.context.clock.now(), cache=self._paging
            )

    def _request_all_ids(self) -> None:
        """Read every id of the result shown in the background (a selection reaches far)."""
        generation = self.shown_generation
        if self._ids_requested == generation or self.model.complete:
            return
        self._ids_requested = generation
        db, query, now, cache = (
            self.context.db,
            self._shown_query,
            self.context.clock.now(),
            self._paging,
        )

        def load(_progress: Any) -> list[int]:
            with db.session() as session:
                return all_ids(session, query, now=now, cache=cache)

        def done(ids: list[int]) -> None:
            if generation == self.shown_generation == self._generation:
                self.model.fill_ids(ids)

        self.context.runner.run(load, on_done=done, write=False, label="")

    def sort_by(self, field: str, descending: bool) -> None:
        """Sort the inbox by ``field`` (in SQL)."""
        if (field, descending) == (self._sort, self._descending):
            return
        self._sort, self._descending = field, descending
        self.requery()

    # --- selection, opening ---------------------------------------------------------------
    def selected_ids(self, *, resolve: bool = True) -> list[int]:
        """The ids of the selected leads, range by range in the order they were selected.

        A selection that reaches rows whose ids have not been read (select all at 1,000,000
        leads) reads them first, unless ``resolve`` is False (then only the known ones).
        """
        model = self.table.selectionModel()
        if model is None:
            return []
        found: list[int] = []
        ranges = [(r.top(), r.bottom()) for r in model.selection()]
        for top, bottom in ranges:
            ids = self.model.ids_in(top, bottom)
            if ids is None and resolve:
                ids = self.model.ids[top : bottom + 1]
            elif ids is None:
                ids = [i for r in range(top, bottom + 1) if (i := self.model.lead_id(r))]
            found.extend(ids)
        return list(dict.fromkeys(found)) if len(ranges) > 1 else found

    def _select_rows(self, rows: list[int]) -> None:
        """Select ``rows`` (sorted) as ranges in one call (fast for 100k)."""
        if not rows:
            return
        selection = QItemSelection()
        last_column = self.model.columnCount() - 1
        start = previous = rows[0]
        for row in [*rows[1:], None]:
            if row is not None and row == previous + 1:
                previous = row
                continue
            selection.select(self.model.index(start, 0), self.model.index(previous, last_column))
            if row is not None:
                start = previous = row
        self.table.selectionModel().select(
            selection,
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )

    def _selection_changed(self) -> None:
        spans = [(r.top(), r.bottom()) for r in self.table.selectionModel().selection()]
        count = rows_in_spans(spans)
        listed = self.model.rowCount()
        self.selection_label.setText(
            f"{count:,} selected of {listed:,}" if count else f"{listed:,} listed"
        )
        if count and not all(self.model.ids_known(top, bottom) for top, bottom in spans):
            self._request_all_ids()

    def _current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        """With the detail panel open, moving through the table (arrows) follows along."""
        if self.detail.isVisible() and current.isValid():
            lead_id = self.model.lead_id(current.row())
            if lead_id is not None and lead_id != self.detail.lead_id:
                self.open_lead(lead_id)

    def _open_row(self, row: int) -> None:
        lead_id = self.model.lead_id(row)
        if lead_id is not None:
            self.open_lead(lead_id)

    def open_current(self) -> None:
        """Open the lead in the current row."""
        index: QModelIndex = self.table.currentIndex()
        if index.isValid():
            self._open_row(index.row())

    def open_lead(self, lead_id: int) -> None:
        """Show ``lead_id`` in the detail panel."""
        self.detail.open(lead_id)

    def focus_search(self) -> None:
        """Put the cursor in the search box (Ctrl+F)."""
        self.filter_bar.search_edit.setFocus()
        self.filter_bar.search_edit.selectAll()

    def known_tags(self) -> list[str]:
        """Tags in use, for the remove-tag choice."""
        return list(getattr(self, "_tags", []))

    # --- after writes ---------------------------------------------------------------------
    def after_write(self, message: str) -> None:
        """Say what happened and reload every page."""
        self.show_message(message)
        self.data_changed.emit()
        if self.loaded:  # no main window reloaded us
            self.refresh()

    def _detail_changed(self) -> None:
        self.model.invalidate_rows()
        self.data_changed.emit()
        if self.loaded:
            self.refresh()

    def show_message(self, text: str) -> None:
        """Show ``text`` in the window's status bar (and the count line)."""
        self.last_message = text
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text, 8000)

    def show_error(self, what: str, error: BaseException) -> None:
        """Tell the user an action failed."""
        self.last_message = f"{what} failed: {error}"
        QMessageBox.warning(self, "LeadDesk", f"{what} did not complete:\n\n{error}")

    # --- saved views, add lead ------------------------------------------------------------
    def save_current_view(self, name: str) -> None:
        """Save the current filters and sort as a named view."""
        query, now, db = self.current_query(), self.context.clock.now(), self.context.db

        def job(_progress: Any) -> int:
            with db.write() as session:
                return save_view(session, name, query, now=now)

        self.context.runner.run(
            job,
            on_done=lambda _id: self.after_write(f"Saved the view “{name.strip()}”."),
            on_error=lambda e: self.show_error("Saving the view", e),
            label="Saving view",
        )

    def delete_saved_view(self, view_id: int) -> None:
        """Delete a saved view."""
        db = self.context.db

        def job(_progress: Any) -> bool:
            with db.write() as session:
                return delete_view(session, view_id)

        self.context.runner.run(job, on_done=lambda _ok: self.after_write("Deleted the view."))

    def _ask_save_view(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        name, ok = QInputDialog.getText(self, "Save view", "Name of this view:")
        if ok and name.strip():
            self.save_current_view(name)

    def add_lead_from(self, fields: dict[str, Any], tags: list[str]) -> None:
        """Create a lead from typed-in fields and open it."""
        db, now = self.context.db, self.context.clock.now()

        def job(_progress: Any) -> int:
            with db.write() as session:
                return add_lead(session, fields, now=now, tags=tags)

        def done(lead_id: int) -> None:
            self.after_write("Added the lead.")
            self.open_lead(lead_id)

        self.context.runner.run(
            job,
            on_done=done,
            on_error=lambda e: self.show_error("Adding the lead", e),
            label="Adding lead",
        )

    def _ask_add_lead(self) -> None:
        dialog = AddLeadDialog(self)
        if dialog.exec():
            self.add_lead_from(*dialog.values())

    def showEvent(self, event: Any) -> None:
        """Put the selection count in the window's status bar while the inbox is shown."""
        window = self.window()
        if (
            isinstance(window, QMainWindow)
            and self.selection_label.parent() is not window.statusBar()
        ):
            window.statusBar().addPermanentWidget(self.selection_label)
        self.selection_label.show()
        super().showEvent(event)

    def hideEvent(self, event: Any) -> None:
        """Take the selection count out of the status bar while another page is shown."""
        self.selection_label.hide()
        super().hideEvent(event)


def _options(session: Any, db: Database) -> FilterOptions:
    me = current_member(session, db)
    owners = [(m.id, m.name) for m in session.scalars(select(TeamMember).order_by(TeamMember.name))]
    sources = list(session.scalars(select(Lead.source).distinct().order_by(Lead.source)))
    sequences = [
        (s.id, s.name)
        for s in session.scalars(
            select(Sequence)
            .where(Sequence.status != SequenceStatus.ARCHIVED)
            .order_by(Sequence.name)
        )
    ]
    return FilterOptions(
        owners,
        sources,
        all_tags(session),
        list_views(session),
        sequences,
        me_id=me.id if me is not None else None,
        reasons=reasons_in_use(session),
    )


__all__ = ["InboxPage", "InboxResult", "leads_text"]
