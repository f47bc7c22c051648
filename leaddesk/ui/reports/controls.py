"""The Reports page's controls: the period (presets or custom days) and the filters.

Emits ``changed`` when the user picks another period or filter; ``report_filter()`` turns the
choices into the core's :class:`~leaddesk.reports.model.ReportFilter`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from leaddesk.reports.model import (
    PRESET_LABELS,
    PRESETS,
    Period,
    ReportError,
    ReportFilter,
    days_period,
    preset_period,
)
from leaddesk.ui.reports.jobs import ReportChoices

CUSTOM = "custom"


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def _combo(name: str, any_label: str) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    combo.addItem(any_label, None)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    return combo


class ReportControls(QWidget):
    """Period combo (with custom dates), the comparison label, and three filter combos."""

    changed = Signal()

    def __init__(self, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.period_combo = QComboBox()
        self.period_combo.setObjectName("reportPeriod")
        for preset in PRESETS:
            self.period_combo.addItem(PRESET_LABELS[preset], preset)
        self.period_combo.addItem("Custom dates…", CUSTOM)
        self.period_combo.setCurrentIndex(self.period_combo.findData("30d"))
        self.first_edit = QDateEdit(_qdate(today - timedelta(days=29)))
        self.last_edit = QDateEdit(_qdate(today))
        for edit in (self.first_edit, self.last_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            edit.setVisible(False)
            edit.dateChanged.connect(lambda _d: self.changed.emit())
        self.compare_label = QLabel()
        self.compare_label.setObjectName("pageSubtitle")
        self.source_combo = _combo("reportSource", "Every source")
        self.sequence_combo = _combo("reportSequence", "Every sequence")
        self.owner_combo = _combo("reportOwner", "Every rep")
        self.source_combo.setToolTip("Only the leads of this source or event")
        self.sequence_combo.setToolTip("Only the leads ever enrolled in this sequence")
        self.owner_combo.setToolTip("Only this rep's leads (the follow-up report: their hand-offs)")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        self.dash = QLabel("–")
        self.dash.setVisible(False)
        for widget in (self.period_combo, self.first_edit, self.dash, self.last_edit):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(QLabel("Only:"))
        for combo in (self.source_combo, self.sequence_combo, self.owner_combo):
            row.addWidget(combo)
            combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.compare_label)
        self.period_combo.currentIndexChanged.connect(self._period_chosen)

    def _period_chosen(self) -> None:
        custom = self.period_combo.currentData() == CUSTOM
        for widget in (self.first_edit, self.dash, self.last_edit):
            widget.setVisible(custom)
        self.changed.emit()

    def set_choices(self, choices: ReportChoices) -> None:
        """Refill the filter combos, keeping what is chosen."""
        for combo, items in (
            (self.source_combo, [(s, s) for s in choices.sources]),
            (self.sequence_combo, choices.sequences),
            (self.owner_combo, choices.owners),
        ):
            current = combo.currentData()
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for value, text in items:
                combo.addItem(text, value)
            combo.setCurrentIndex(max(0, combo.findData(current)))
            combo.blockSignals(False)
            combo.setVisible(bool(items))

    def period(self, now: datetime) -> Period:
        """The chosen period (raises :class:`ReportError` for custom dates in the wrong order)."""
        preset = self.period_combo.currentData()
        if preset == CUSTOM:
            return days_period(_day(self.first_edit.date()), _day(self.last_edit.date()))
        return preset_period(str(preset), now)

    def report_filter(self, now: datetime) -> ReportFilter:
        """The period and filters as the reports core takes them; shows the comparison."""
        period = self.period(now)
        self.compare_label.setText(
            f"{period.label()}  ·  compared with {period.previous().label()}"
        )
        return ReportFilter(
            period,
            source=self.source_combo.currentData(),
            sequence_id=self.sequence_combo.currentData(),
            owner_id=self.owner_combo.currentData(),
        )


__all__ = ["CUSTOM", "ReportControls", "ReportError"]
