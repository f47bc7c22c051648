"""Charts of a report's series with QtCharts: bars for the funnel, steps, reps and buckets, a line
for the monthly trend.

This module is imported the first time the Reports page draws a chart, never at start-up
(QtCharts comes from PySide6-Addons; see the README for why it was chosen).
"""

from __future__ import annotations

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QPointF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QWidget

from leaddesk.reports.model import Series

#: The inbox's green and orange first, then calm blues and greys.
PALETTE = ("#2e7d32", "#ef6c00", "#1565c0", "#6d4c41", "#7b1fa2", "#546e7a")
LABEL_LIMIT = 18  # category labels longer than this are shortened on the axis


def _is_rate(series: Series) -> bool:
    return "rate" in series.title.lower()


def _short(labels: list[str]) -> list[str]:
    """Axis labels of at most LABEL_LIMIT characters, still all different (a category axis
    merges equal ones): the end of a label is kept when the starts are alike."""
    short = [x if len(x) <= LABEL_LIMIT else x[: LABEL_LIMIT - 1] + "…" for x in labels]
    if len(set(short)) < len(set(labels)):
        short = [x if len(x) <= LABEL_LIMIT else "…" + x[-(LABEL_LIMIT - 1) :] for x in labels]
    if len(set(short)) < len(set(labels)):
        short = list(labels)
    return short


def build_chart(series: Series) -> QChart:
    """A QChart of ``series`` (rates are drawn as percentages)."""
    chart = QChart()
    chart.setTitle(series.title)
    title_font = QFont(chart.titleFont())
    title_font.setBold(True)
    chart.setTitleFont(title_font)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.setBackgroundRoundness(4)
    chart.legend().setVisible(len(series.values) > 1)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    scale = 100.0 if _is_rate(series) else 1.0
    labels = _short(series.labels)
    axis_x = QBarCategoryAxis()
    axis_x.append(labels or [""])
    if len(labels) > 6:  # many categories: smaller labels, so each one fits under its bar
        small = QFont(axis_x.labelsFont())
        small.setPointSizeF(small.pointSizeF() * 0.85)
        axis_x.setLabelsFont(small)
    axis_y = QValueAxis()
    axis_y.setLabelFormat("%.0f %%" if scale == 100.0 else "%.0f")
    top = 0.0
    if series.kind == "line":
        for index, (name, values) in enumerate(series.values.items()):
            line = QLineSeries()
            line.setName(name)
            line.setPointsVisible(True)
            line.setPen(QPen(QColor(PALETTE[index % len(PALETTE)]), 2.5))
            for x, value in enumerate(values):
                line.append(QPointF(x, value * scale))
                top = max(top, value * scale)
            chart.addSeries(line)
            chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
            chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
            line.attachAxis(axis_x)
            line.attachAxis(axis_y)
    else:
        bars = QBarSeries()
        for index, (name, values) in enumerate(series.values.items()):
            bar_set = QBarSet(name)
            bar_set.setColor(QColor(PALETTE[index % len(PALETTE)]))
            bar_set.setBorderColor(QColor(PALETTE[index % len(PALETTE)]))
            for value in values:
                bar_set.append(value * scale)
                top = max(top, value * scale)
            bars.append(bar_set)
        chart.addSeries(bars)
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        bars.attachAxis(axis_x)
        bars.attachAxis(axis_y)
    axis_y.setRange(0, top * 1.1 if top > 0 else 1)
    axis_y.applyNiceNumbers()
    return chart


def chart_view(series: Series, parent: QWidget | None = None) -> QChartView:
    """A widget showing ``series`` as a chart."""
    view = QChartView(build_chart(series), parent)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(240)
    view.setObjectName("reportChart")
    return view
