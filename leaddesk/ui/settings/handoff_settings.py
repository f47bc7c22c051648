"""Settings → Team → "Hand-offs to sales": the follow-up deadline, working hours, escalation,
what hands a lead to sales, and which account sends the alerts.

The group edits one :class:`HandoffSettings`; Save stores it through :func:`save_settings` on
the background writer, and a refusal is shown in the group with nothing saved.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from leaddesk.activities.kinds import ActivityKind, label
from leaddesk.handoff.config import (
    MAX_SLA_HOURS,
    SETTINGS_KEY,
    HandoffSettings,
    HandoffSettingsError,
    save_settings,
)
from leaddesk.ui.context import AppContext
from leaddesk.ui.settings.save_guard import SaveGuard
from leaddesk.ui.settings.team_dialogs import sentence
from leaddesk.ui.widgets.settings_form import add_save_row, hint_label

#: Activities a lead does that may count as raising a hand (first: the defaults).
HAND_RAISE_CHOICES = (
    ActivityKind.CONSULTATION_REQUESTED,
    ActivityKind.DEMO_REQUESTED,
    ActivityKind.WEBINAR_ATTENDED,
    ActivityKind.WEBINAR_REGISTERED,
    ActivityKind.CASE_STUDY_DOWNLOAD,
    ActivityKind.WHITEPAPER_DOWNLOAD,
    ActivityKind.WEBSITE_VISIT,
    ActivityKind.MEETING,
    ActivityKind.CALL,
)
WORKING_HOURS_HINT = (
    "The clock runs only in the rep's working hours, in their time zone; 24 h of deadline are "
    "one working day (12 h half a day). A lead handed over Friday 16:00 to a rep working 9–17 "
    "Mon–Fri is due Monday 16:00."
)
NO_ACCOUNT_HINT = "Alerts are not emailed until you add a sender account (Settings → Accounts)."


def _comparable(settings: HandoffSettings) -> HandoffSettings:
    return replace(settings, hand_raise_kinds=tuple(sorted(settings.hand_raise_kinds)))


class HandoffSettingsBox(QGroupBox):
    """The team's hand-off settings: deadline, escalation, triggers and the alert sender.

    ``show_settings`` fills it (keeping unsaved edits); Save stores them through
    :func:`save_settings`, whose refusal is shown here and saves nothing.
    """

    saved = Signal()
    reload_requested = Signal()  # after a lost race, the user chose to see the stored version

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Hand-offs to sales", parent)
        self.context = context
        self.stored: HandoffSettings | None = None
        self.guard = SaveGuard(context.db, "hand-off settings", (SETTINGS_KEY,))
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        grid.setHorizontalSpacing(16)
        self.sla_spin = QDoubleSpinBox()
        self.sla_spin.setRange(0, MAX_SLA_HOURS)
        self.sla_spin.setDecimals(1)
        self.sla_spin.setSuffix(" hours")
        self.working_check = QCheckBox("Count only the rep's &working hours")
        self.escalate_spin = QDoubleSpinBox()
        self.escalate_spin.setRange(0, MAX_SLA_HOURS)
        self.escalate_spin.setDecimals(1)
        self.escalate_spin.setSpecialValueText("Off")
        self.escalate_spin.setSuffix(" hours after a missed deadline")
        self.escalate_spin.setToolTip("The lead goes to the next rep; 0 turns escalation off")
        for spin in (self.sla_spin, self.escalate_spin):
            spin.setMaximumWidth(spin.fontMetrics().horizontalAdvance(spin.suffix()) + 120)
        self.account_combo = QComboBox()
        self.account_combo.setMinimumContentsLength(24)
        self.account_hint = hint_label(NO_ACCOUNT_HINT)
        rows: list[tuple[str, QWidget]] = [
            ("Follow-up &deadline:", self.sla_spin),
            ("", self.working_check),
            ("", hint_label(WORKING_HOURS_HINT)),
            ("&Escalate:", self.escalate_spin),
            ("Send alerts &from:", self.account_combo),
            ("", self.account_hint),
        ]
        for row, (text, widget) in enumerate(rows):
            if text:
                caption = QLabel(text)
                caption.setBuddy(widget)
                grid.addWidget(caption, row, 0)
            # Fields keep their own width at the left; unaligned, a spin box's maximum width
            # would cap the whole column and squeeze the hints under them.
            if isinstance(widget, (QDoubleSpinBox, QComboBox)):
                grid.addWidget(widget, row, 1, Qt.AlignmentFlag.AlignLeft)
            else:
                grid.addWidget(widget, row, 1)
        self.threshold_check = QCheckBox(
            "Hand off when the score crosses the &sales-ready threshold"
        )
        self.reply_check = QCheckBox("Hand off a warm lead that &replies (a human reply)")
        caption = QLabel("…and, whatever the score, when a lead &has:")
        self.kinds_list = QListWidget()
        caption.setBuddy(self.kinds_list)
        for kind in HAND_RAISE_CHOICES:
            self._add_kind(kind)
        rows_high = self.kinds_list.sizeHintForRow(0) * len(HAND_RAISE_CHOICES)
        self.kinds_list.setFixedHeight(rows_high + 2 * self.kinds_list.frameWidth() + 4)
        side = QVBoxLayout()
        for widget in (self.threshold_check, self.reply_check, caption, self.kinds_list):
            side.addWidget(widget)
        side.addStretch(1)
        grid.addLayout(side, 0, 2, len(rows), 1)
        outer = QVBoxLayout(self)
        outer.addLayout(grid)
        self.error_label = QLabel("")
        self.error_label.setStyleSheet("color: #b91c1c;")
        self.error_label.setWordWrap(True)
        outer.addWidget(self.error_label)
        self.save_button = add_save_row(outer, self.save)

    def _add_kind(self, kind: str) -> QListWidgetItem:
        item = QListWidgetItem(label(kind))
        item.setData(Qt.ItemDataRole.UserRole, str(kind))
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Unchecked)
        self.kinds_list.addItem(item)
        return item

    def _kind_items(self) -> list[QListWidgetItem]:
        return [self.kinds_list.item(row) for row in range(self.kinds_list.count())]

    def show_settings(self, settings: HandoffSettings, accounts: list[tuple[int, str]]) -> None:
        """Show ``settings`` and the sender accounts (unsaved edits are kept)."""
        keep = self.dirty
        current = self.settings() if keep else settings
        self.account_combo.clear()
        self.account_combo.addItem("First account" if accounts else "No sender account", None)
        for account_id, text in accounts:
            self.account_combo.addItem(text, account_id)
        self.account_hint.setVisible(not accounts)
        self.stored = settings
        self.sla_spin.setValue(current.sla_hours)
        self.working_check.setChecked(current.working_hours_only)
        self.escalate_spin.setValue(current.escalate_after_hours or 0)
        self.threshold_check.setChecked(current.on_threshold)
        self.reply_check.setChecked(current.reply_from_warm)
        known = {item.data(Qt.ItemDataRole.UserRole) for item in self._kind_items()}
        for kind in current.hand_raise_kinds:
            if kind not in known:
                self._add_kind(kind)
        for item in self._kind_items():
            chosen = item.data(Qt.ItemDataRole.UserRole) in current.hand_raise_kinds
            item.setCheckState(Qt.CheckState.Checked if chosen else Qt.CheckState.Unchecked)
        self.account_combo.setCurrentIndex(
            max(0, self.account_combo.findData(current.alert_account_id))
        )
        if not keep:
            self.error_label.clear()

    def settings(self) -> HandoffSettings:
        """The settings as the form shows them (not validated)."""
        account = self.account_combo.currentData()
        return HandoffSettings(
            sla_hours=self.sla_spin.value(),
            working_hours_only=self.working_check.isChecked(),
            escalate_after_hours=self.escalate_spin.value() or None,
            on_threshold=self.threshold_check.isChecked(),
            hand_raise_kinds=tuple(
                str(item.data(Qt.ItemDataRole.UserRole))
                for item in self._kind_items()
                if item.checkState() == Qt.CheckState.Checked
            ),
            reply_from_warm=self.reply_check.isChecked(),
            alert_account_id=int(account) if account is not None else None,
        )

    @property
    def dirty(self) -> bool:
        """True when the form differs from the stored settings."""
        return self.stored is not None and _comparable(self.settings()) != _comparable(self.stored)

    def save(self, *, overwrite: bool = False) -> None:
        """Store the settings; a refused value is explained here and nothing is saved.

        A save that lost the race with someone else's asks to reload or overwrite theirs.
        """
        settings = self.settings()
        loaded = None if overwrite else self.guard.loaded

        def write(_progress: Any) -> HandoffSettings:
            with self.context.db.write() as session:
                self.guard.check(session, loaded)
                stored = save_settings(session, settings)
                self.guard.saved(session)
                return stored

        self.save_button.setEnabled(False)
        self.context.runner.run(write, on_done=self._saved, on_error=self._failed, label="Saving")

    def _saved(self, settings: HandoffSettings) -> None:
        self.save_button.setEnabled(True)
        self.stored = settings
        self.error_label.clear()
        self.saved.emit()

    def reload(self) -> None:
        """Throw away unsaved edits and show the settings as stored now."""
        self.stored = None  # not dirty: the next show replaces the form's content
        self.error_label.clear()
        self.reload_requested.emit()

    def _failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        overwrite = lambda: self.save(overwrite=True)  # noqa: E731
        if self.guard.resolve(self, error, reload=self.reload, overwrite=overwrite):
            return
        if isinstance(error, HandoffSettingsError):
            self.error_label.setText(f"Not saved: {sentence(str(error))}")
        else:
            self.error_label.setText(f"The settings were not saved: {error}")
