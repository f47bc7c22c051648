"""A delegate that paints a lead's score as a bar coloured by its band."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from leaddesk.scoring.display import display_score
from leaddesk.ui.models.inbox_table import BAND_ROLE, SCORE_ROLE
from leaddesk.ui.widgets.band_colours import BAND_COLOURS

MAX_SCORE = 100.0


class ScoreBarDelegate(QStyledItemDelegate):
    """Paints ``SCORE_ROLE`` as a bar (0–100) in the colour of ``BAND_ROLE``, with the number."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        """Draw the selection background, the bar and the score."""
        style = option.widget.style() if option.widget else QApplication.style()  # type: ignore[attr-defined]
        style.drawPrimitive(
            QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, option.widget
        )  # type: ignore[attr-defined]
        score = index.data(SCORE_ROLE)
        if score is None:
            return
        band = str(index.data(BAND_ROLE) or "cold")
        rect = QRectF(option.rect).adjusted(6, 6, -34, -6)  # type: ignore[attr-defined]
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#e2e8f0"))
        painter.drawRoundedRect(rect, 3, 3)
        filled = QRectF(rect)
        filled.setWidth(rect.width() * max(0.0, min(float(score), MAX_SCORE)) / MAX_SCORE)
        painter.setBrush(QColor(BAND_COLOURS.get(band, BAND_COLOURS["cold"])))
        painter.drawRoundedRect(filled, 3, 3)
        painter.setPen(option.palette.text().color())  # type: ignore[attr-defined]
        text_rect = QRectF(option.rect).adjusted(0, 0, -4, 0)  # type: ignore[attr-defined]
        painter.drawText(
            text_rect,
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            display_score(float(score)),
        )
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Any) -> Any:
        """Wide enough for a readable bar."""
        hint = super().sizeHint(option, index)
        hint.setWidth(max(hint.width(), 120))
        return hint
