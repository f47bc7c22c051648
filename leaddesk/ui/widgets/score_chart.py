"""A small score-over-time chart drawn with QPainter (QtCharts is not in PySide6-Essentials)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from leaddesk.scoring import HistoryPoint
from leaddesk.scoring.display import display_score
from leaddesk.ui.widgets.band_colours import BAND_COLOURS, BAND_NAMES, BAND_TEXT_COLOURS, band_of


class ScoreChart(QWidget):
    """The score (0–100) over time as a line, with dashed warm and sales-ready thresholds."""

    MARGIN = 6
    AXIS_HEIGHT = 14  # the dates under the plot

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points: list[HistoryPoint] = []
        self.warm = 40.0
        self.sales_ready = 70.0
        self.setMinimumHeight(90)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Score over time")

    def sizeHint(self) -> QSize:
        return QSize(320, 110)

    def set_history(self, points: Sequence[HistoryPoint], warm: float, sales_ready: float) -> None:
        """Show ``points`` (oldest first) against the two thresholds."""
        self.points = list(points)
        self.warm, self.sales_ready = warm, sales_ready
        if self.points:
            first, last = self.points[0], self.points[-1]
            self.setToolTip(
                f"{first.at:%Y-%m-%d}: {display_score(first.score)} → "
                f"{last.at:%Y-%m-%d}: {display_score(last.score)}"
            )
        self.update()

    def label_width(self) -> int:
        """Room on the right for the threshold labels, so they never sit on the line."""
        metrics = self.fontMetrics()
        return (
            max(
                metrics.horizontalAdvance(f"{BAND_NAMES[b]} {v:g}")
                for b, v in (("warm", self.warm), ("sales_ready", self.sales_ready))
            )
            * 4
            // 5
            + 8
        )

    def plot_area(self) -> QRectF:
        """Where the line is drawn: inside the margins, left of the labels, above the dates."""
        m = self.MARGIN
        width = self.width() - 2 * m - self.label_width()
        height = self.height() - 2 * m - self.AXIS_HEIGHT
        return QRectF(m, m, max(1, width), max(1, height))

    def map_point(self, index: int) -> QPointF:
        """Widget coordinates of history point ``index`` (time on x, 0–100 on y)."""
        area = self.plot_area()
        first, last = self.points[0].at, self.points[-1].at
        span = (last - first).total_seconds() or 1.0
        x = area.left() + area.width() * (self.points[index].at - first).total_seconds() / span
        y = area.bottom() - area.height() * max(0.0, min(100.0, self.points[index].score)) / 100
        return QPointF(x, y)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = self.plot_area()
        painter.fillRect(self.rect(), QColor("#ffffff"))
        painter.setPen(QPen(QColor("#e2e8f0"), 1))
        painter.drawRect(area)
        small = painter.font()
        small.setPointSizeF(max(6.0, small.pointSizeF() * 0.8))
        painter.setFont(small)
        for value, band in ((self.warm, "warm"), (self.sales_ready, "sales_ready")):
            y = area.bottom() - area.height() * value / 100
            painter.setPen(QPen(QColor(BAND_COLOURS[band]), 1, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
            painter.setPen(QColor(BAND_TEXT_COLOURS[band]))
            label = QRectF(area.right() + 4, y - 8, self.label_width(), 16)
            painter.drawText(
                label,
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                f"{BAND_NAMES[band]} {value:g}",
            )
        if self.points:
            painter.setPen(QColor("#64748b"))
            axis = QRectF(area.left(), area.bottom() + 1, area.width(), self.AXIS_HEIGHT)
            align = Qt.AlignmentFlag.AlignVCenter
            painter.drawText(
                axis, align | Qt.AlignmentFlag.AlignLeft, f"{self.points[0].at:%d %b %Y}"
            )
            painter.drawText(axis, align | Qt.AlignmentFlag.AlignRight, "now")
        if len(self.points) < 2:
            painter.setPen(QColor("#64748b"))
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, "No score history yet")
            painter.end()
            return
        for index in range(1, len(self.points)):
            band = band_of(self.points[index - 1].score, self.warm, self.sales_ready)
            painter.setPen(QPen(QColor(BAND_COLOURS[band]), 2))
            painter.drawLine(self.map_point(index - 1), self.map_point(index))
        last = self.map_point(len(self.points) - 1)
        painter.setBrush(QColor(BAND_COLOURS.get(self.points[-1].band, BAND_COLOURS["cold"])))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawEllipse(last, 4, 4)
        painter.end()
