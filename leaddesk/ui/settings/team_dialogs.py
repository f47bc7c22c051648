"""Dialogs of Settings → Team: add or edit a member, and where a leaving member's work goes.

The member form (``ui/team_member_dialog.ui``) saves through :mod:`leaddesk.handoff.team` itself,
so the core's checks (a valid, unique email, working hours that make sense) are the only ones;
when they refuse, the message stays in the dialog and nothing is saved.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from PySide6.QtCore import Qt, QTime, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from leaddesk.db.models import TeamMember, TeamRole
from leaddesk.handoff.schedule import DAY_NAMES, WEEKDAYS, local_zone_name
from leaddesk.handoff.team import (
    ROLE_LABELS,
    SALES_ROLES,
    MemberInfo,
    MemberValues,
    TeamError,
    add_member,
    edit_member,
    member_info,
)
from leaddesk.ui.context import AppContext
from leaddesk.ui.forms.ui_team_member_dialog import Ui_TeamMemberDialog

#: Offered first in the time-zone box; any IANA name can be typed (with completion).
COMMON_ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Amsterdam",
    "Europe/Berlin",
    "Europe/Zurich",
    "Europe/Vienna",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Stockholm",
    "Europe/Warsaw",
    "Europe/Helsinki",
    "Europe/Athens",
    "Europe/Istanbul",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/Sao_Paulo",
    "America/New_York",
    "America/Toronto",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
)


def sentence(text: str) -> str:
    """A core message as a sentence: capital first letter, full stop at the end."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def plural(count: int, word: str) -> str:
    """``"1 open hand-off"`` / ``"3 open hand-offs"``."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def _clock(text: str) -> QTime:
    hours, _, minutes = text.partition(":")
    return QTime(int(hours or 0), int(minutes or 0))


class MemberDialog(QDialog):
    """Adds a member (``member`` None) or edits one; ``saved`` carries the stored MemberInfo.

    OK writes in the background and closes only when the core accepted the values.
    """

    saved = Signal(object)  # MemberInfo

    def __init__(
        self, context: AppContext, member: MemberInfo | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.member_id = member.id if member is not None else None
        self.saved_member: MemberInfo | None = None
        self.saving = False
        self.ui = Ui_TeamMemberDialog()
        self.ui.setupUi(self)
        ui = self.ui
        self.setWindowTitle("Edit team member" if member is not None else "Add team member")
        ui.hintLabel.setObjectName("pageSubtitle")
        for key, text in ROLE_LABELS.items():
            ui.roleCombo.addItem(text, key)
        local = local_zone_name()
        ui.zoneCombo.addItems([local, *(z for z in COMMON_ZONES if z != local)])
        completer = QCompleter(sorted(available_timezones()), ui.zoneCombo)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        ui.zoneCombo.setCompleter(completer)
        weekdays = [ui.monCheck, ui.tueCheck, ui.wedCheck, ui.thuCheck, ui.friCheck]
        self.day_checks = dict(zip(DAY_NAMES, [*weekdays, ui.satCheck, ui.sunCheck], strict=True))
        ui.buttonBox.accepted.connect(self.accept)
        self.load(member if member is not None else self._blank(local))
        ui.nameEdit.setFocus()

    @staticmethod
    def _blank(zone: str) -> MemberInfo:
        return MemberInfo(
            0, "", "", TeamRole.SALES_REP, True, zone, WEEKDAYS, "09:00", "17:00", None
        )

    def load(self, member: MemberInfo) -> None:
        """Show ``member`` in the form."""
        ui = self.ui
        ui.nameEdit.setText(member.name)
        ui.emailEdit.setText(member.email)
        ui.roleCombo.setCurrentIndex(max(0, ui.roleCombo.findData(member.role)))
        ui.zoneCombo.setCurrentText(member.timezone or "UTC")
        days = set(member.work_days.split(","))
        for name, check in self.day_checks.items():
            check.setChecked(name in days)
        ui.startTime.setTime(_clock(member.work_start))
        ui.endTime.setTime(_clock(member.work_end))
        ui.capacitySpin.setValue(member.capacity or 0)
        ui.errorLabel.clear()

    def values(self) -> MemberValues:
        """The form's values (every field given; no capacity clears the limit)."""
        ui = self.ui
        capacity = ui.capacitySpin.value() or None
        return MemberValues(
            name=ui.nameEdit.text(),
            email=ui.emailEdit.text().strip(),
            role=str(ui.roleCombo.currentData()),
            timezone=ui.zoneCombo.currentText().strip(),
            work_days=",".join(
                name for name, check in self.day_checks.items() if check.isChecked()
            ),
            work_start=ui.startTime.time().toString("HH:mm"),
            work_end=ui.endTime.time().toString("HH:mm"),
            capacity=capacity,
            clear_capacity=capacity is None,
        )

    def accept(self) -> None:
        """Save in the background; close when stored, or show the core's message and stay."""
        if self.saving:
            return
        values, member_id = self.values(), self.member_id
        if not values.work_days:
            self.ui.errorLabel.setText("Choose at least one working day.")
            return

        def job(_progress: Any) -> MemberInfo:
            with self.context.db.write() as session:
                if member_id is None:
                    member = add_member(
                        session,
                        values.name or "",
                        values.email or "",
                        role=values.role or TeamRole.SALES_REP,
                        timezone=values.timezone or "",
                        work_days=values.work_days or WEEKDAYS,
                        work_start=values.work_start or "09:00",
                        work_end=values.work_end or "17:00",
                        capacity=values.capacity,
                    )
                else:
                    member = edit_member(session, session.get_one(TeamMember, member_id), values)
                return member_info(member)

        self._set_saving(True)
        self.ui.errorLabel.setText("Saving…")
        self.context.runner.run(job, on_done=self._stored, on_error=self._refused, label="Saving")

    def reject(self) -> None:
        """Cancel (not while a save is under way: its outcome is on the way)."""
        if not self.saving:
            super().reject()

    def _set_saving(self, saving: bool) -> None:
        self.saving = saving
        self.ui.buttonBox.setEnabled(not saving)

    def _stored(self, info: MemberInfo) -> None:
        self._set_saving(False)
        self.saved_member = info
        self.ui.errorLabel.clear()
        self.saved.emit(info)
        super().accept()

    def _refused(self, error: BaseException) -> None:
        self._set_saving(False)
        if isinstance(error, TeamError):
            self.ui.errorLabel.setText(sentence(str(error)))
        else:
            self.ui.errorLabel.setText(f"The member was not saved: {error}")


class HandoverDialog(QDialog):
    """Confirms deactivating or removing a member and asks where their work goes.

    With open hand-offs (or, on removal, leads they own) it offers "By the assignment rules" or
    a specific active sales member; :meth:`choice` returns ``(member id | None, automatic)``.
    """

    def __init__(
        self,
        member: MemberInfo,
        others: list[MemberInfo],
        *,
        removing: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.member = member
        verb = "Remove" if removing else "Deactivate"
        self.setWindowTitle(f"{verb} {member.name}")
        layout = QVBoxLayout(self)
        self.message_label = QLabel(self._message(member, removing))
        self.message_label.setWordWrap(True)
        layout.addWidget(self.message_label)
        self.asks = bool(member.open_handoffs or (removing and member.owned_leads))
        targets = [o for o in others if o.active and o.role in SALES_ROLES and o.id != member.id]
        self.rules_radio = QRadioButton("By the &assignment rules (each lead to the rep they pick)")
        self.member_radio = QRadioButton("&To:")
        self.member_combo = QComboBox()
        for other in targets:
            self.member_combo.addItem(f"{other.name} ({other.role_label})", other.id)
        group = QButtonGroup(self)
        group.addButton(self.rules_radio)
        group.addButton(self.member_radio)
        self.rules_radio.setChecked(True)
        self.member_radio.setEnabled(bool(targets))
        self.member_combo.setEnabled(False)
        self.member_radio.toggled.connect(self.member_combo.setEnabled)
        self.member_combo.activated.connect(lambda _i: self.member_radio.setChecked(True))
        row = QHBoxLayout()
        row.addWidget(self.member_radio)
        row.addWidget(self.member_combo, 1)
        layout.addWidget(self.rules_radio)
        layout.addLayout(row)
        for widget in (self.rules_radio, self.member_radio, self.member_combo):
            widget.setVisible(self.asks)
        self.button_box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.button_box.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(verb)
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)
        layout.addWidget(self.button_box)
        self.setMinimumWidth(460)

    @staticmethod
    def _message(member: MemberInfo, removing: bool) -> str:
        work = []
        if member.open_handoffs:
            work.append(plural(member.open_handoffs, "open hand-off"))
        if removing and member.owned_leads:
            work.append(plural(member.owned_leads, "lead"))
        if removing:
            text = f"Remove {member.name} from the team? Their history stays on each lead."
        else:
            text = f"{member.name} will stop receiving leads; you can reactivate them later."
        if work:
            text += f"\n\n{member.name} has {' and '.join(work)}. Who takes them over?"
            if removing and member.owned_leads:
                text += (
                    " (With the assignment rules, leads that are not open hand-offs keep no owner.)"
                )
        return text

    def choose_member(self, member_id: int) -> None:
        """Pick ``member_id`` as the one who takes the work over."""
        self.member_combo.setCurrentIndex(self.member_combo.findData(member_id))
        self.member_radio.setChecked(True)

    def choice(self) -> tuple[int | None, bool]:
        """``(member id, False)`` for a chosen member, ``(None, True)`` for the rules."""
        if self.asks and self.member_radio.isChecked() and self.member_combo.currentIndex() >= 0:
            return int(self.member_combo.currentData()), False
        return None, True
