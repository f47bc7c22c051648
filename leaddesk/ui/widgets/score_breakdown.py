"""The score breakdown of one lead: band, fit and engagement bars, items, chart.

Embed :class:`ScoreBreakdownWidget` in the lead detail and call :meth:`show_lead` with a lead
id: the breakdown (which also refreshes the stored score) and the history are computed on the
database-writer thread and shown when they arrive. :meth:`set_view` shows ready-made data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from leaddesk.scoring import Breakdown, BreakdownItem, HistoryPoint, explain_lead, score_history
from leaddesk.scoring.display import (
    display_item_points,
    display_parts,
    display_points_to_go,
    display_score,
)
from leaddesk.ui.context import AppContext
from leaddesk.ui.models.rows_model import (
    AnyIndex,
    RowsTableModel,
)
from leaddesk.ui.widgets.band_colours import BAND_COLOURS, BAND_NAMES, BAND_TEXT_COLOURS
from leaddesk.ui.widgets.score_chart import ScoreChart

PART_NAMES = {"fit": "Fit", "engagement": "Engagement", "cap": "Cap"}


@dataclass(frozen=True)
class ScoreView:
    """Everything the widget shows for one lead (plain data, safe across threads)."""

    breakdown: Breakdown
    history: list[HistoryPoint]


def load_score_view(context: AppContext, lead_id: int, now: datetime) -> ScoreView:
    """Compute a lead's breakdown (storing the fresh score) and its history; any thread."""
    with context.db.write() as session:
        breakdown = explain_lead(session, lead_id, now)
        history = score_history(session, lead_id, now)
    return ScoreView(breakdown, history)


class BreakdownTableModel(RowsTableModel):
    """The itemised breakdown: one row per contribution or cap."""

    COL_PART, COL_RULE, COL_WHY, COL_POINTS, COL_DECAY, COL_NOW = range(6)
    HEADERS = ("Part", "Rule", "Why it counts", "Points", "Decay", "Now")
    HEADER_TIPS = (
        "Fit (who the lead is) or engagement (what they did)",
        "The scoring rule (Settings → Scoring)",
        "What about this lead made the rule count",
        "The rule's points when it first counted",
        "How much of the points is left after time (half-life decay)",
        "The points it adds today; the score is their sum, shown in whole points rounded down",
    )

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles, with what each column means as their tooltip."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return self.HEADER_TIPS[section] if 0 <= section < len(self.HEADER_TIPS) else None
        return super().headerData(section, orientation, role)

    @property
    def items(self) -> list[BreakdownItem]:
        """The breakdown items shown."""
        return self.rows

    def set_items(self, items: list[BreakdownItem]) -> None:
        """Replace the rows."""
        self.set_rows(items)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item = self.row_at(index)
        if item is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(item, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= self.COL_POINTS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            if not item.counted or item.part == "cap":
                return QColor("#64748b")
            if column == self.COL_NOW and item.points_now < 0:
                return QColor("#b91c1c")
        if role == Qt.ItemDataRole.ToolTipRole and column == self.COL_RULE:
            return f"{PART_NAMES.get(item.part, item.part)} rule: {item.rule}"
        if role == Qt.ItemDataRole.ToolTipRole and column == self.COL_WHY:
            return item.reason
        if role == Qt.ItemDataRole.ToolTipRole and column == self.COL_DECAY:
            if item.half_life_days:
                return f"Half-life {item.half_life_days:g} days"
            return "No decay"
        if role == Qt.ItemDataRole.UserRole:
            return item
        return None

    def _text(self, item: BreakdownItem, column: int) -> str:
        if column == self.COL_PART:
            return PART_NAMES.get(item.part, item.part)
        if column == self.COL_RULE:
            return item.rule
        if column == self.COL_WHY:
            return item.reason
        if column == self.COL_POINTS:
            return "" if item.part == "cap" else f"{item.points:+g}"
        if column == self.COL_DECAY:
            if item.part == "fit" or item.part == "cap" or item.half_life_days is None:
                return "—"
            return f"×{item.decay_factor:.2f}"
        return display_item_points(item.points_now)


class ScoreBreakdownWidget(QWidget):
    """The lead's score with its band colour, part bars, itemised table and a history chart."""

    loaded = Signal()

    def __init__(self, context: AppContext | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.view: ScoreView | None = None
        self._pending_lead: int | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        self.score_label = QLabel("—")
        self.score_label.setStyleSheet("font-size: 28px; font-weight: 700;")
        self.score_label.setMinimumWidth(72)
        self.band_label = QLabel("")
        self.band_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.band_label.setMinimumWidth(96)
        self.to_go_label = QLabel("")
        self.to_go_label.setObjectName("pageSubtitle")
        header.addWidget(self.score_label)
        header.addWidget(self.band_label)
        header.addSpacing(12)
        header.addWidget(self.to_go_label, 1)
        layout.addLayout(header)
        bars = QGridLayout()
        self.fit_bar = self._bar()
        self.engagement_bar = self._bar()
        self.fit_caption = QLabel("Fit")
        self.engagement_caption = QLabel("Engagement")
        bars.addWidget(self.fit_caption, 0, 0)
        bars.addWidget(self.fit_bar, 0, 1)
        bars.addWidget(self.engagement_caption, 1, 0)
        bars.addWidget(self.engagement_bar, 1, 1)
        bars.setColumnStretch(1, 1)
        layout.addLayout(bars)
        self.model = BreakdownTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setObjectName("scoreBreakdownTable")
        self.table.setWordWrap(True)  # the explanation is the point: it wraps, never elides
        self.table.setStyleSheet("QTableView::item { padding: 2px 6px; }")
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header_view = self.table.horizontalHeader()
        header_view.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # The fit and engagement bars above say which part a rule belongs to; the rule's
        # tooltip says it too, so the explanation gets the room.
        self.table.setColumnHidden(BreakdownTableModel.COL_PART, True)
        header_view.setSectionResizeMode(
            BreakdownTableModel.COL_WHY, QHeaderView.ResizeMode.Stretch
        )
        header_view.setMinimumSectionSize(40)
        # Wrapped cells need their rows measured again whenever a column's width changes.
        header_view.sectionResized.connect(lambda *_: self.table.resizeRowsToContents())
        layout.addWidget(self.table, 1)
        self.chart = ScoreChart()
        layout.addWidget(self.chart)

    @staticmethod
    def _bar() -> QProgressBar:
        bar = QProgressBar()
        bar.setTextVisible(True)
        bar.setMaximumHeight(16)
        return bar

    def show_lead(self, lead_id: int) -> None:
        """Compute and show ``lead_id``'s breakdown in the background (needs a context)."""
        if self.context is None:
            raise RuntimeError("show_lead needs an AppContext; use set_view for plain data")
        context = self.context
        now = context.clock.now()
        self._pending_lead = lead_id

        def work(_progress: Any) -> ScoreView:
            return load_score_view(context, lead_id, now)

        def done(view: ScoreView) -> None:
            if self._pending_lead == view.breakdown.lead_id:
                self.set_view(view)

        context.runner.run(work, on_done=done, label="Scoring", write=True)

    def set_view(self, view: ScoreView) -> None:
        """Show a computed breakdown and history."""
        self.view = view
        b = view.breakdown
        colour = BAND_COLOURS.get(b.band, BAND_COLOURS["cold"])
        text_colour = BAND_TEXT_COLOURS.get(b.band, BAND_TEXT_COLOURS["cold"])
        self.score_label.setText(display_score(b.total))
        self.score_label.setStyleSheet(f"font-size: 28px; font-weight: 700; color: {text_colour};")
        self.band_label.setText(BAND_NAMES.get(b.band, b.band))
        self.band_label.setStyleSheet(
            f"background: {colour}; color: white; border-radius: 8px; padding: 2px 10px;"
        )
        if b.points_to_sales_ready > 0:
            to_go = display_points_to_go(b.points_to_sales_ready)
            self.to_go_label.setText(f"{to_go} points to sales-ready")
        else:
            self.to_go_label.setText("Ready for a rep: hand it to sales")
        fit, engagement = display_parts(b.fit, b.engagement)
        self._set_bar(self.fit_bar, b.fit, fit, b.fit_cap, "fit", colour)
        self._set_bar(
            self.engagement_bar, b.engagement, engagement, b.engagement_cap, "engagement", colour
        )
        self.model.set_items(list(b.items))
        self.chart.set_history(view.history, b.warm_threshold, b.sales_ready_threshold)
        self.setToolTip(
            f"Score {display_score(b.total)}: the sum of the table's last column "
            f"({b.total:.1f}), in whole points rounded down"
        )
        self.loaded.emit()

    @staticmethod
    def _set_bar(
        bar: QProgressBar, value: float, shown: str, cap: float, name: str, colour: str
    ) -> None:
        bar.setRange(0, max(1, round(cap * 10)))
        bar.setValue(max(0, min(round(value * 10), round(cap * 10))))
        bar.setFormat(f"{shown} / {cap:g}")
        bar.setStyleSheet(
            "QProgressBar { border: 1px solid #cbd5e1; border-radius: 4px; background: #f1f5f9;"
            " text-align: center; color: #0f172a; }"
            f"QProgressBar::chunk {{ background: {colour}; border-radius: 3px; }}"
        )
        bar.setToolTip(f"{name.capitalize()} points after the cap of {cap:g}")
