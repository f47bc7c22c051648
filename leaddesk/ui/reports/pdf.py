"""A report as a one-page PDF summary a founder can forward: one A4 page per report.

Each page has the title and period, every figure with its change against the previous period,
the report's first chart (vector, drawn by QtCharts) and as many rows of its first table as fit.
GUI thread (Qt lays the text out).
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QFont, QPageLayout, QPageSize, QPainter, QPdfWriter
from PySide6.QtWidgets import QGraphicsScene

from leaddesk.reports.model import Report, Table
from leaddesk.ui.reports.formatting import cell_text, delta_text, format_value

MARGINS = QMarginsF(15, 15, 15, 15)  # mm
GREY = QColor("#5f6b7a")


def _font(painter: QPainter, size: float, *, bold: bool = False) -> None:
    font = QFont(painter.font())
    font.setPointSizeF(size)
    font.setBold(bold)
    painter.setFont(font)


def _page(painter: QPainter, report: Report, area: QRectF, currency: str) -> None:
    top = area.top()
    line = painter.fontMetrics().height()
    _font(painter, 16, bold=True)
    painter.drawText(QRectF(area.left(), top, area.width(), 40), report.title)
    top += painter.fontMetrics().height() + 4
    _font(painter, 9)
    painter.setPen(GREY)
    previous = report.period.previous().label()
    painter.drawText(
        QRectF(area.left(), top, area.width(), 30),
        f"{report.period.label()}  ·  compared with {previous}  ·  made by LeadDesk",
    )
    painter.setPen(QColor("black"))
    top += painter.fontMetrics().height() + 12
    column_width = area.width() / 3
    _font(painter, 9)
    line = painter.fontMetrics().height()
    for index, figure in enumerate(report.figures):
        x = area.left() + (index % 3) * column_width
        y = top + (index // 3) * (line * 3.6 + 8)
        painter.setPen(GREY)
        painter.drawText(QRectF(x, y, column_width - 8, line), figure.label)
        painter.setPen(QColor("black"))
        _font(painter, 13, bold=True)
        value = format_value(figure.value, figure.kind, currency)
        painter.drawText(QRectF(x, y + line, column_width - 8, line * 1.6), value)
        _font(painter, 8)
        painter.setPen(GREY)
        painter.drawText(QRectF(x, y + line * 2.4, column_width - 8, line), delta_text(figure)[0])
        painter.setPen(QColor("black"))
        _font(painter, 9)
    rows = (len(report.figures) + 2) // 3
    top += rows * (line * 3.6 + 8) + 8
    if report.charts:
        height = min(area.height() * 0.33, area.bottom() - top - 100)
        if height > 80:
            _chart(painter, report, QRectF(area.left(), top, area.width(), height))
            top += height + 10
    for table in report.tables:  # as many tables as fit, each with at least a few rows
        if area.bottom() - top < 90:
            break
        top = _table(painter, table, QRectF(area.left(), top, area.width(), area.bottom() - top))
        top += 14
    if report.empty:
        _font(painter, 10)
        painter.setPen(GREY)
        painter.drawText(
            QRectF(area.left(), area.bottom() - 40, area.width(), 40),
            Qt.TextFlag.TextWordWrap,
            "Nothing to report in this period yet.",
        )


def _chart(painter: QPainter, report: Report, target: QRectF) -> None:
    from leaddesk.ui.reports.charts import build_chart  # QtCharts only when a PDF is made

    scene = QGraphicsScene()
    chart = build_chart(report.charts[0])
    chart.setAnimationOptions(chart.AnimationOption.NoAnimation)
    scene.addItem(chart)
    chart.resize(QSizeF(900, 900 * target.height() / target.width()))
    scene.render(painter, target, chart.geometry())


def _table(painter: QPainter, table: Table, target: QRectF) -> float:
    """Draw ``table`` (as many rows as fit) in ``target``; returns where it ended."""
    _font(painter, 10, bold=True)
    painter.drawText(QRectF(target.left(), target.top(), target.width(), 30), table.title)
    _font(painter, 7.5)
    line = painter.fontMetrics().height() + 3
    y = target.top() + line + 6
    width = target.width() / max(1, len(table.columns))
    _font(painter, 7.5, bold=True)
    for number, column in enumerate(table.columns):
        painter.drawText(
            QRectF(target.left() + number * width, y, width - 4, line * 3),
            Qt.TextFlag.TextWordWrap,
            column,
        )
    y += line * 3 + 2
    _font(painter, 7.5)
    shown = 0
    for row in table.rows:
        if y + line > target.bottom():
            break
        for number, value in enumerate(row):
            text = cell_text(value, table.columns[number])
            metrics = painter.fontMetrics()
            painter.drawText(
                QRectF(target.left() + number * width, y, width - 4, line),
                metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(width - 4)),
            )
        y += line
        shown += 1
    if shown < len(table.rows):
        painter.setPen(GREY)
        painter.drawText(
            QRectF(target.left(), y, target.width(), line),
            f"… {len(table.rows) - shown} more rows in the CSV or XLSX export",
        )
        painter.setPen(QColor("black"))
        y += line
    return y


def reports_pdf(reports: list[Report], currency: str) -> bytes:
    """``reports`` as a PDF, one A4 page each."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(reports[0].title if len(reports) == 1 else "LeadDesk reports")
    writer.setCreator("LeadDesk")
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(MARGINS, QPageLayout.Unit.Millimeter)
    writer.setResolution(96)
    painter = QPainter(writer)
    area = QRectF(painter.viewport())
    for number, report in enumerate(reports):
        if number:
            writer.newPage()
        _page(painter, report, area, currency)
    painter.end()
    del writer
    buffer.close()
    return bytes(data.data())
