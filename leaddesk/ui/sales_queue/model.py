"""The sales queue table: plain :class:`~leaddesk.handoff.queue.QueueRow` data, no ORM.

The rows come most urgent first from the core; the countdown is worked out again at the time
the model is given (:meth:`QueueTableModel.set_now`), so it can tick without a reload.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QFont

from leaddesk.handoff.brief_render import format_when
from leaddesk.handoff.queue import URGENT_OVERDUE, URGENT_SOON, QueueRow
from leaddesk.scoring.display import display_score
from leaddesk.ui.models.inbox_table import BAND_LABELS, STATUS_LABELS
from leaddesk.ui.models.rows_model import AnyIndex, RowsTableModel

COL_TIME_LEFT, COL_LEAD, COL_COMPANY, COL_SCORE, COL_STAGE, COL_OWNER, COL_DUE, COL_TRIGGER = range(
    8
)
TRIGGER_LABELS = {
    "threshold": "Score",
    "hand_raise": "Asked",
    "reply": "Replied",
    "manual": "By hand",
}
TRIGGER_TIPS = {
    "threshold": "The score crossed the sales-ready threshold",
    "hand_raise": "They asked for a demo or a consultation",
    "reply": "They replied to a nurture email",
    "manual": "Someone handed the lead over by hand",
}
STAGE_LABELS = {
    **STATUS_LABELS,
    "handed_off": "Handed off",
    "accepted": "Accepted",
    "opportunity": "Opportunity",
    "lost": "Lost",
    "recycled": "Recycled",
}
URGENCY_COLORS = {URGENT_OVERDUE: "#b3261e", URGENT_SOON: "#b45309", "done": "#64748b"}
WHEN_FORMAT = "%a %d %b %H:%M"


def when_text(value: datetime | None, zone: ZoneInfo | None) -> str:
    """A time in the viewer's zone (the computer's own when the viewer has none)."""
    if value is None:
        return "—"
    if zone is None:
        return value.astimezone().strftime(WHEN_FORMAT)
    return format_when(value, zone, WHEN_FORMAT)


class QueueTableModel(RowsTableModel):
    """Open hand-offs, most urgent first, with a live countdown and urgency colours."""

    HEADERS = ("Time left", "Lead", "Company", "Score", "Stage", "Owner", "Due", "Came in by")

    def __init__(self, now: datetime, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.now = now
        self.zone: ZoneInfo | None = None
        self._bold = QFont()
        self._bold.setBold(True)

    def set_now(self, now: datetime) -> None:
        """Work the countdowns out again at ``now`` (repaints the Time left column)."""
        self.now = now
        if self.rows:
            top, bottom = self.index(0, COL_TIME_LEFT), self.index(len(self.rows) - 1, COL_DUE)
            self.dataChanged.emit(top, bottom)

    def row_of(self, handoff_id: int | None) -> int:
        """The table row of hand-off ``handoff_id`` (-1 when it is not listed)."""
        for number, row in enumerate(self.rows):
            if row.handoff_id == handoff_id:
                return number
        return -1

    def countdown(self, row: QueueRow) -> tuple[str, str]:
        """The countdown text and urgency shown for ``row``."""
        text, urgency = row.countdown(self.now)
        if row.attempted and row.sla_state == "breached":
            text = "followed up late"
        return text, urgency

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row: QueueRow | None = self.row_at(index)
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if column == COL_TIME_LEFT and role == Qt.ItemDataRole.ForegroundRole:
            color = URGENCY_COLORS.get(self.countdown(row)[1])
            return QColor(color) if color else None
        if column == COL_TIME_LEFT and role == Qt.ItemDataRole.FontRole:
            return self._bold if self.countdown(row)[1] in (URGENT_OVERDUE, URGENT_SOON) else None
        if column == COL_OWNER and role == Qt.ItemDataRole.ForegroundRole and not row.owner_id:
            return QColor("#b3261e")
        if column == COL_SCORE and role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, row: QueueRow, column: int) -> str:
        if column == COL_TIME_LEFT:
            return self.countdown(row)[0]
        if column == COL_LEAD:
            return row.name
        if column == COL_COMPANY:
            return row.company or "—"
        if column == COL_SCORE:
            return display_score(row.score)
        if column == COL_STAGE:
            return STAGE_LABELS.get(row.status, row.status.replace("_", " ").capitalize())
        if column == COL_OWNER:
            return row.owner if row.owner_id else "Unassigned"
        if column == COL_DUE:
            return when_text(row.due_at, self.zone)
        if column == COL_TRIGGER:
            return TRIGGER_LABELS.get(row.trigger, row.trigger)
        return ""

    def _tooltip(self, row: QueueRow, column: int) -> str | None:
        if column == COL_TIME_LEFT:
            escalated = f" Escalated {row.escalations}×." if row.escalations else ""
            return (
                f"Handed off {when_text(row.handed_off_at, self.zone)}; the first follow-up is "
                f"due {when_text(row.due_at, self.zone)}.{escalated}"
            )
        if column == COL_LEAD:
            phone = f" · {row.phone}" if row.phone else ""
            stage = self._display(row, COL_STAGE)
            came = TRIGGER_TIPS.get(row.trigger, row.trigger)
            return f"{row.name} <{row.email}>{phone}\n{stage} · {came}"
        if column == COL_COMPANY:
            return row.company or None
        if column == COL_SCORE:
            return BAND_LABELS.get(row.band, row.band)
        if column == COL_OWNER and not row.owner_id:
            return "Nobody could take this lead: reassign it to a rep."
        if column == COL_TRIGGER:
            tip = TRIGGER_TIPS.get(row.trigger, "")
            return f"{tip}: {row.reason}" if row.reason else tip or None
        return None


__all__ = ["COL_TIME_LEFT", "QueueTableModel", "when_text"]
