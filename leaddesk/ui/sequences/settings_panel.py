"""A sequence's settings: send window, sender account, daily cap, exit rules, auto-enrolment."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QSpinBox,
    QTimeEdit,
    QWidget,
)

from leaddesk.sequences.documents import DEFAULT_SETTINGS, EXIT_RULES
from leaddesk.sequences.timing import DAY_NAMES

EXIT_LABELS = {
    "replied": "the lead replies",
    "unsubscribed": "the lead unsubscribes",
    "bounced": "the address bounces",
    "sales_ready": "the lead becomes sales-ready",
    "status_closed": "the lead becomes a customer or is disqualified",
}


HANDOFF_CHOICES = (
    ("exit", "Stop the sequence"),
    ("pause", "Pause it (resumes if sales hands the lead back)"),
    ("keep", "Keep sending"),
)


class SequenceSettingsPanel(QWidget):
    """The settings form; ``changed`` fires on every edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        days = QHBoxLayout()
        self.day_checks: dict[str, QCheckBox] = {}
        for name in DAY_NAMES:
            check = QCheckBox(name.capitalize())
            check.toggled.connect(self.changed)
            self.day_checks[name] = check
            days.addWidget(check)
        form.addRow("Send on:", days)
        hours = QHBoxLayout()
        self.start_edit, self.end_edit = QTimeEdit(), QTimeEdit()
        for edit in (self.start_edit, self.end_edit):
            edit.setDisplayFormat("HH:mm")
            edit.timeChanged.connect(self.changed)
            hours.addWidget(edit)
        form.addRow("Between (lead's local time):", hours)
        self.zone_edit = QLineEdit()
        self.zone_edit.setPlaceholderText("e.g. Europe/Berlin — used when a lead has no time zone")
        self.zone_edit.textEdited.connect(self.changed)
        form.addRow("Fallback time zone:", self.zone_edit)
        self.account_combo = QComboBox()
        self.account_combo.currentIndexChanged.connect(self.changed)
        form.addRow("Send from:", self.account_combo)
        self.cap_spin = QSpinBox()
        self.cap_spin.setRange(0, 100_000)
        self.cap_spin.setSpecialValueText("no limit")
        self.cap_spin.valueChanged.connect(self.changed)
        form.addRow("At most per day:", self.cap_spin)
        self.exit_checks: dict[str, QCheckBox] = {}
        for rule in EXIT_RULES:
            check = QCheckBox(f"Stop when {EXIT_LABELS[rule]}")
            check.toggled.connect(self.changed)
            self.exit_checks[rule] = check
            form.addRow("" if rule != EXIT_RULES[0] else "Exit rules:", check)
        self.handoff_combo = QComboBox()
        for value, text in HANDOFF_CHOICES:
            self.handoff_combo.addItem(text, value)
        self.handoff_combo.setToolTip(
            "What happens to a lead's place in this sequence when it is handed to a sales rep."
        )
        self.handoff_combo.currentIndexChanged.connect(self.changed)
        form.addRow("When handed to sales:", self.handoff_combo)
        self.sources_edit = QLineEdit()
        self.sources_edit.setPlaceholderText("e.g. Expo Berlin 2026, Webinar March")
        self.sources_edit.textEdited.connect(self.changed)
        form.addRow("Enrol new leads from:", self.sources_edit)
        self.warm_check = QCheckBox("Enrol leads when they become warm")
        self.warm_check.toggled.connect(self.changed)
        form.addRow("", self.warm_check)

    def load(self, document: dict[str, Any], accounts: list[str]) -> None:
        """Show the settings of ``document``; ``accounts`` are the sender account names."""
        settings = {**DEFAULT_SETTINGS, **document.get("settings", {})}
        auto = document.get("auto_enroll") or {}
        self.blockSignals(True)
        days = {d.strip()[:3] for d in settings["send_days"].split(",")}
        for name, check in self.day_checks.items():
            check.setChecked(name in days)
        self.start_edit.setTime(QTime.fromString(settings["window_start"], "HH:mm"))
        self.end_edit.setTime(QTime.fromString(settings["window_end"], "HH:mm"))
        self.zone_edit.setText(settings.get("fallback_timezone") or "")
        self.account_combo.clear()
        self.account_combo.addItem("The only account (when there is one)", "")
        for name in accounts:
            self.account_combo.addItem(name, name)
        self.account_combo.setCurrentIndex(
            max(self.account_combo.findData(settings.get("sender_account") or ""), 0)
        )
        self.cap_spin.setValue(int(settings.get("daily_cap") or 0))
        for rule, check in self.exit_checks.items():
            check.setChecked(rule in settings["exit_rules"])
        self.sources_edit.setText(", ".join(auto.get("new_from_sources", [])))
        self.warm_check.setChecked(bool(auto.get("became_warm")))
        index = self.handoff_combo.findData(document.get("on_handoff") or "exit")
        self.handoff_combo.setCurrentIndex(max(index, 0))
        self.blockSignals(False)

    def settings(self) -> dict[str, Any]:
        """The settings part of the document."""
        return {
            "send_days": ",".join(n for n, c in self.day_checks.items() if c.isChecked()),
            "window_start": self.start_edit.time().toString("HH:mm"),
            "window_end": self.end_edit.time().toString("HH:mm"),
            "fallback_timezone": self.zone_edit.text().strip(),
            "daily_cap": self.cap_spin.value() or None,
            "exit_rules": [r for r, c in self.exit_checks.items() if c.isChecked()],
            "sender_account": self.account_combo.currentData() or "",
        }

    def on_handoff(self) -> str:
        """Exit, pause or keep the enrollment when the lead is handed to sales."""
        return str(self.handoff_combo.currentData() or "exit")

    def auto_enroll(self) -> dict[str, Any]:
        """The automatic enrolment rules."""
        sources = [s.strip() for s in self.sources_edit.text().split(",") if s.strip()]
        rules: dict[str, Any] = {}
        if sources:
            rules["new_from_sources"] = sources
        if self.warm_check.isChecked():
            rules["became_warm"] = True
        return rules
