"""The inbox table model: a count and windows of rows, fetched on demand.

The model knows how many leads the query lists and, block by block of ``BLOCK_SIZE`` rows,
which lead ids and rows it has fetched. A block is fetched when the view first asks for one
of its rows, on a background reader (the GUI thread never touches the database); until it
arrives the row shows blank and the view repaints it when ``dataChanged`` fires. At 1,000,000
leads this paints the first screen without reading a million ids; the complete id list is
only fetched for a selection that reaches rows never shown (``fill_ids``), or through
``resolver`` when code asks for :attr:`ids` before then.
Sorting asks the page to re-run the query in SQL (``sort_requested``) — nothing is sorted
in Python.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
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

RowsCallback = Callable[[list[int], dict[int, LeadRow]], None]
# fetcher(first row, row after the last, ids when known (else None), callback(ids, rows))
BlockFetcher = Callable[[int, int, list[int] | None, RowsCallback], None]


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
    """Rows of the inbox by position, fetched in blocks through ``fetcher``.

    ``fetcher(start, stop, ids, callback)`` must load the ids (when ``ids`` is None) and the
    rows of positions ``start`` to ``stop`` off the GUI thread and call ``callback(ids, rows)``
    on the GUI thread.
    """

    sort_requested = Signal(str, bool)

    def __init__(self, fetcher: BlockFetcher, parent: Any = None) -> None:
        super().__init__(parent)
        self._fetcher = fetcher
        self._count = 0
        self._all_ids: list[int] | None = []  # every id in order, when known
        self._blocks: dict[int, list[int]] = {}  # block -> its ids (without the full list)
        self._cache: OrderedDict[int, LeadRow] = OrderedDict()
        self._pending: set[int] = set()
        self._generation = 0
        # Called (on the GUI thread) for the complete id list when it is asked for and unknown.
        self.resolver: Callable[[], list[int]] | None = None

    # --- contents -------------------------------------------------------------------------
    def set_ids(self, ids: Sequence[int], rows: dict[int, LeadRow] | None = None) -> None:
        """Show a result whose every id is known; ``rows`` are already-fetched rows."""
        self.set_window(len(ids), list(ids), rows, complete=True)

    def set_window(
        self,
        count: int,
        first_ids: list[int],
        rows: dict[int, LeadRow] | None = None,
        *,
        complete: bool = False,
    ) -> None:
        """Show a result of ``count`` rows whose first ids are ``first_ids``.

        With ``complete``, ``first_ids`` is every id (``count`` of them).
        """
        self.beginResetModel()
        self._generation += 1
        self._count = count
        self._all_ids = list(first_ids) if complete else None
        self._blocks = {}
        if not complete:
            for start in range(0, len(first_ids), BLOCK_SIZE):
                self._blocks[start // BLOCK_SIZE] = first_ids[start : start + BLOCK_SIZE]
        self._cache = OrderedDict(rows or {})
        self._pending = set()
        self.endResetModel()

    def fill_ids(self, ids: list[int]) -> bool:
        """Take the complete id list of the result shown (False when it does not fit it)."""
        if len(ids) != self._count:
            return False
        self._all_ids = ids
        self._blocks = {}
        return True

    def invalidate_rows(self) -> None:
        """Forget every fetched row (after an edit); visible rows are fetched again."""
        self._generation += 1
        self._cache.clear()
        self._pending.clear()
        if self._count:
            self.dataChanged.emit(self.index(0, 0), self.index(self._count - 1, len(COLUMNS) - 1))

    @property
    def complete(self) -> bool:
        """True when every id of the result is known."""
        return self._all_ids is not None

    @property
    def ids(self) -> list[int]:
        """Every lead id in display order (asked of ``resolver`` when not known yet)."""
        if self._all_ids is None and self.resolver is not None:
            self.fill_ids(self.resolver())
        if self._all_ids is not None:
            return self._all_ids
        return [i for block in sorted(self._blocks) for i in self._blocks[block]]

    def lead_id(self, row: int) -> int | None:
        """The id of the lead shown in ``row``, or None while its block has not arrived."""
        if self._all_ids is not None:
            return self._all_ids[row] if 0 <= row < len(self._all_ids) else None
        block = self._blocks.get(row // BLOCK_SIZE)
        offset = row % BLOCK_SIZE
        return block[offset] if block is not None and offset < len(block) else None

    def ids_in(self, first: int, last: int) -> list[int] | None:
        """The ids of rows ``first``..``last``, or None when some are not known yet."""
        if self._all_ids is not None:
            return self._all_ids[first : last + 1]
        found: list[int] = []
        for block in range(first // BLOCK_SIZE, last // BLOCK_SIZE + 1):
            ids = self._blocks.get(block)
            if ids is None:
                return None
            start = block * BLOCK_SIZE
            found.extend(ids[max(first - start, 0) : last + 1 - start])
        return found

    def ids_known(self, first: int, last: int) -> bool:
        """True when the ids of rows ``first``..``last`` have all been read (nothing copied)."""
        if self._all_ids is not None:
            return True
        return all(b in self._blocks for b in range(first // BLOCK_SIZE, last // BLOCK_SIZE + 1))

    def row_of(self, lead_id: int) -> int | None:
        """Where ``lead_id`` is shown (among the rows known), or None."""
        return self.rows_of({lead_id}).get(lead_id)

    def rows_of(self, lead_ids: set[int]) -> dict[int, int]:
        """Where each of ``lead_ids`` is shown, among the rows known (one pass)."""
        if not lead_ids:
            return {}
        if self._all_ids is not None:
            return {lead: row for row, lead in enumerate(self._all_ids) if lead in lead_ids}
        return {
            lead: block * BLOCK_SIZE + offset
            for block, ids in self._blocks.items()
            for offset, lead in enumerate(ids)
            if lead in lead_ids
        }

    def cached_row(self, row: int) -> LeadRow | None:
        """The fetched row, or None (and a fetch is started) when it has not arrived yet."""
        lead_id = self.lead_id(row)
        found = self._cache.get(lead_id) if lead_id is not None else None
        if found is None:
            self._request(row)
        return found

    def fully_fetched(self, first: int, last: int) -> bool:
        """True when rows ``first``..``last`` have all arrived (for tests and benchmarks)."""
        for row in range(max(first, 0), min(last + 1, self._count)):
            lead_id = self.lead_id(row)
            if lead_id is None or lead_id not in self._cache:
                return False
        return True

    # --- fetching -------------------------------------------------------------------------
    def _request(self, row: int) -> None:
        block = row // BLOCK_SIZE
        if block in self._pending:
            return
        self._pending.add(block)
        start, stop = block * BLOCK_SIZE, min((block + 1) * BLOCK_SIZE, self._count)
        known = self.ids_in(start, stop - 1)
        generation = self._generation
        self._fetcher(
            start, stop, known, lambda ids, rows: self._arrived(generation, block, ids, rows)
        )

    def _arrived(
        self, generation: int, block: int, ids: list[int], rows: dict[int, LeadRow]
    ) -> None:
        if generation != self._generation:
            return
        self._pending.discard(block)
        if self._all_ids is None:
            self._blocks[block] = ids
        self._cache.update(rows)
        while len(self._cache) > MAX_CACHED_ROWS:
            self._cache.popitem(last=False)
        first = block * BLOCK_SIZE
        last = min(first + BLOCK_SIZE, self._count) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))

    # --- Qt model API ---------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        """How many leads the query returned."""
        return 0 if parent.isValid() else self._count

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
        if not index.isValid() or not 0 <= row_number < self._count:
            return None
        if role == LEAD_ID_ROLE:
            return self.lead_id(row_number)
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


def rows_in_spans(spans: Iterable[tuple[int, int]]) -> int:
    """How many rows the inclusive ``(top, bottom)`` spans cover together (overlaps once),
    without listing them: a select-all over a million rows is one span."""
    count, reach = 0, -1
    for top, bottom in sorted(spans):
        if bottom > reach:
            count += bottom - max(top, reach + 1) + 1
            reach = bottom
    return count
