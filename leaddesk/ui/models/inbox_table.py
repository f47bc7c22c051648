"""The inbox table model: the ordered ids of the current query, rows fetched on demand.

Like Anki's browser table, the model holds only the lead ids the query returned (in display
order). A row is fetched when the view first asks for it, one block of ``BLOCK_SIZE`` rows at
a time, on a background reader (the GUI thread never touches the database); until it arrives
the row shows blank and the view repaints it when ``dataChanged`` fires. Sorting asks the page
to re-run the query in SQL (``sort_requested``) — nothing is sorted in Python.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from leaddesk.inbox.query import SortField
from leaddesk.inbox.rows import LeadRow
from leaddesk.leads.labels import BAND_LABELS, STATUS_LABELS
from leaddesk.scoring.display import display_score, score_sum_text

COL_NAME = 0
COL_COMPANY = 1
COL_TITLE = 2
COL_EMAIL = 3
COL_SCORE = 4
COL_STATUS = 5
COL_OWNER = 6
COL_SOURCE = 7
COL_LAST_ACTIVITY = 8
COL_NEXT_STEP = 9

COLUMNS: tuple[tuple[str, SortField], ...] = (
    ("Name", SortField.NAME),
    ("Company", SortField.COMPANY),
    ("Title", SortField.TITLE),
    ("Email", SortField.EMAIL),
    ("Score", SortField.SCORE),
    ("Status", SortField.STATUS),
    ("Owner", SortField.OWNER),
    ("Source / event", SortField.SOURCE),
    ("Last activity", SortField.LAST_ACTIVITY),
    ("Next step", SortField.NEXT_STEP),
)
LEAD_ID_ROLE = int(Qt.ItemDataRole.UserRole.value) + 1
ROW_ROLE = LEAD_ID_ROLE + 1
BAND_ROLE = LEAD_ID_ROLE + 2
SCORE_ROLE = LEAD_ID_ROLE + 3

# Roles as plain ints: data() runs thousands of times per paint and enum lookups are slow.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_ROW_ROLES = frozenset((_DISPLAY, _TOOLTIP, ROW_ROLE, BAND_ROLE, SCORE_ROLE))
_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

BLOCK_SIZE = 100
MAX_CACHED_ROWS = 20_000
# Statuses that come with a follow-up clock: only "Hand to sales…" and the Sales queue set them.
CLOCKED_STATUSES = ("handed_off", "accepted")

RowsCallback = Callable[[dict[int, LeadRow]], None]
BlockFetcher = Callable[[list[int], RowsCallback], None]


def column_for_sort(field: str) -> int:
    """The column that shows ``field`` (for the header's sort indicator)."""
    for column, (_, sort) in enumerate(COLUMNS):
        if sort == field:
            return column
    return COL_SCORE


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An aware UTC time shown in the computer's time zone, or ``""``."""
    return value.astimezone().strftime(fmt) if value else ""


class InboxTableModel(QAbstractTableModel):
    """Rows of the inbox, by id, fetched in blocks through ``fetcher``.

    ``fetcher(ids, callback)`` must load the rows of ``ids`` off the GUI thread and call
    ``callback(rows)`` on the GUI thread.
    """

    sort_requested = Signal(str, bool)

    def __init__(self, fetcher: BlockFetcher, parent: Any = None) -> None:
        super().__init__(parent)
        self._fetcher = fetcher
        self._ids: list[int] = []
        self._cache: OrderedDict[int, LeadRow] = OrderedDict()
        self._pending: set[int] = set()
        self._generation = 0

    # --- contents -------------------------------------------------------------------------
    def set_ids(self, ids: Sequence[int], rows: dict[int, LeadRow] | None = None) -> None:
        """Show a new query result; ``rows`` are already-fetched rows (the first screenful)."""
        self.beginResetModel()
        self._generation += 1
        self._ids = list(ids)
        self._cache = OrderedDict(rows or {})
        self._pending = set()
        self.endResetModel()

    def invalidate_rows(self) -> None:
        """Forget every fetched row (after an edit); visible rows are fetched again."""
        self._generation += 1
        self._cache.clear()
        self._pending.clear()
        if self._ids:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._ids) - 1, len(COLUMNS) - 1)
            )

    @property
    def ids(self) -> list[int]:
        """The lead ids in display order."""
        return self._ids

    def lead_id(self, row: int) -> int:
        """The id of the lead shown in ``row``."""
        return self._ids[row]

    def row_of(self, lead_id: int) -> int | None:
        """Where ``lead_id`` is shown, or None."""
        return self.rows_of({lead_id}).get(lead_id)

    def rows_of(self, lead_ids: set[int]) -> dict[int, int]:
        """Where each of ``lead_ids`` is shown (one pass; no index of a million ids is kept)."""
        if not lead_ids:
            return {}
        return {lead: row for row, lead in enumerate(self._ids) if lead in lead_ids}

    def cached_row(self, row: int) -> LeadRow | None:
        """The fetched row, or None (and a fetch is started) when it has not arrived yet."""
        lead_id = self._ids[row]
        found = self._cache.get(lead_id)
        if found is None:
            self._request(row)
        return found

    def fully_fetched(self, first: int, last: int) -> bool:
        """True when rows ``first``..``last`` have all arrived (for tests and benchmarks)."""
        return all(self._ids[r] in self._cache for r in range(first, min(last + 1, len(self._ids))))

    # --- fetching -------------------------------------------------------------------------
    def _request(self, row: int) -> None:
        block = row // BLOCK_SIZE
        if block in self._pending:
            return
        self._pending.add(block)
        ids = self._ids[block * BLOCK_SIZE : (block + 1) * BLOCK_SIZE]
        generation = self._generation
        self._fetcher(ids, lambda rows: self._arrived(generation, block, rows))

    def _arrived(self, generation: int, block: int, rows: dict[int, LeadRow]) -> None:
        if generation != self._generation:
            return
        self._pending.discard(block)
        self._cache.update(rows)
        while len(self._cache) > MAX_CACHED_ROWS:
            self._cache.popitem(last=False)
        first = block * BLOCK_SIZE
        last = min(first + BLOCK_SIZE, len(self._ids)) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))

    # --- Qt model API ---------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        """How many leads the query returned."""
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        """How many columns the inbox has."""
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles."""
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(COLUMNS):
            return COLUMNS[section][0]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        """Rows can be selected, not edited in place (edits happen in the detail panel)."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _ROW_FLAGS

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """The cell's text, tooltip or lead data; blank until the row's block has arrived."""
        role = int(role)
        if role not in _ROW_ROLES and role != LEAD_ID_ROLE:
            return None
        row_number = index.row()
        if not index.isValid() or not 0 <= row_number < len(self._ids):
            return None
        if role == LEAD_ID_ROLE:
            return self._ids[row_number]
        row = self.cached_row(row_number)
        if row is None:
            return None
        if role == _DISPLAY:
            return self._display(row, index.column())
        if role == ROW_ROLE:
            return row
        if role == BAND_ROLE:
            return row.band
        if role == SCORE_ROLE:
            return row.score
        return self._tooltip(row, index.column())

    @staticmethod
    def _display(row: LeadRow, column: int) -> str:
        if column == COL_NAME:
            return row.name
        if column == COL_COMPANY:
            return row.company
        if column == COL_TITLE:
            return row.title
        if column == COL_EMAIL:
            return row.email
        if column == COL_SCORE:
            return display_score(row.score)
        if column == COL_STATUS:
            status = STATUS_LABELS.get(row.status, row.status)
            return f"{status}: {row.status_reason}" if row.status_reason else status
        if column == COL_OWNER:
            return row.owner
        if column == COL_SOURCE:
            return row.source
        if column == COL_LAST_ACTIVITY:
            return local_time(row.last_activity_at)
        if column == COL_NEXT_STEP:
            if not row.next_sequence:
                return ""
            return f"{row.next_sequence} · {local_time(row.next_due_at, '%d %b %H:%M')}".strip(" ·")
        return ""

    @staticmethod
    def _tooltip(row: LeadRow, column: int) -> str | None:
        if column == COL_SCORE:
            band = BAND_LABELS.get(row.band, row.band)
            return (
                f"{band}: {score_sum_text(row.fit_score, row.engagement_score, row.score)} "
                f"= {display_score(row.score)}"
            )
        if column == COL_NAME:
            return f"{row.name}\nTags: {', '.join(row.tags)}" if row.tags else row.name
        # The whole text, for a cell too narrow to show it.
        return InboxTableModel._display(row, column) or None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Ask for the query to be re-run in SQL in the new order."""
        if 0 <= column < len(COLUMNS):
            self.sort_requested.emit(str(COLUMNS[column][1]), order == Qt.SortOrder.DescendingOrder)
