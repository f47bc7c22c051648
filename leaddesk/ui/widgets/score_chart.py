"""A small score-over-time chart drawn with QPainter (QtCharts is not in PySide6-Essentials)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from leaddesk.scoring import HistoryPoint

BAND_COLOURS = {"cold": "#64748b", "warm": "#d97706", "sales_ready": "#16a34a"}
BAND_NAMES = {"cold": "Cold", "warm": "Warm", "sales_ready": "Sales-ready"}


class ScoreChart(QWidget):
    """The score (0–100) over time as a line, with dashed warm and sales-ready thresholds."""

    MARGIN = 6

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
                f"{first.at:%Y-%m-%d}: {first.score:.0f} → {last.at:%Y-%m-%d}: {last.score:.0f}"
            )
        self.update()

    def plot_area(self) -> QRectF:
        """Where the line is drawn (inside the margins)."""
        m = self.MARGIN
        return QRectF(m, m, max(1, self.width() - 2 * m), max(1, self.height() - 2 * m))

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
            pen = QPen(QColor(BAND_COLOURS[band]), 1, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
            painter.drawText(QPointF(area.left() + 3, y - 2), f"{BAND_NAMES[band]} {value:g}")
        if self.points:
            painter.setPen(QColor("#94a3b8"))
            bottom = area.adjusted(3, 0, -3, -2)
            align = Qt.AlignmentFlag.AlignBottom
            painter.drawText(
                bottom, align | Qt.AlignmentFlag.AlignLeft, f"{self.points[0].at:%Y-%m-%d}"
            )
            painter.drawText(bottom, align | Qt.AlignmentFlag.AlignRight, "now")
        if len(self.points) < 2:
            painter.setPen(QColor("#94a3b8"))
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, "No score history yet")
            painter.end()
            return
        path = QPainterPath(self.map_point(0))
        for index in range(1, len(self.points)):
            path.lineTo(self.map_point(index))
        painter.setPen(QPen(QColor("#2563eb"), 2))
        painter.drawPath(path)
        last = self.map_point(len(self.points) - 1)
        painter.setBrush(QColor(BAND_COLOURS.get(self.points[-1].band, "#2563eb")))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawEllipse(last, 4, 4)
        painter.end()
