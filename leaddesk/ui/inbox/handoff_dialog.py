"""Hand to sales by hand: the dialog (rules or a chosen rep, a reason) and the one write job.

The job hands every selected lead off in one database-writer job; a lead that cannot go
(customer, disqualified, suppressed) is reported by name and does not stop the others.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWidget
from sqlalchemy.orm import Session

from leaddesk.db.engine import Database
from leaddesk.handoff.batch import leads_text
from leaddesk.handoff.config import load_settings
from leaddesk.handoff.identity import current_member
from leaddesk.handoff.team import ROLE_LABELS, active_sales_members
from leaddesk.ui.forms.ui_hand_to_sales_dialog import Ui_HandToSalesDialog

DEFAULT_REASON = "Handed over by hand"


@dataclass(frozen=True)
class SalesMember:
    """An active sales member the dialog offers (plain data)."""

    id: int
    name: str
    role: str


@dataclass(frozen=True)
class HandoffChoices:
    """What the dialog needs before it opens: who can take leads, who "me" is."""

    members: list[SalesMember]
    me_id: int | None
    sla_hours: float = 24.0
    working_hours: bool = False

    def deadline_text(self) -> str:
        """``"within 24 hours"`` / ``"within 1 working day"``."""
        if self.working_hours:
            days = self.sla_hours / 24
            return f"within {days:g} working day{'' if days == 1 else 's'}"
        return f"within {self.sla_hours:g} hour{'' if self.sla_hours == 1 else 's'}"


def load_choices(session: Session, db: Database) -> HandoffChoices:
    """The active sales members and the current member's id (runs on a worker thread)."""
    me = current_member(session, db)
    members = [
        SalesMember(m.id, m.name, ROLE_LABELS.get(m.role, m.role))
        for m in sorted(active_sales_members(session), key=lambda m: m.name.lower())
    ]
    settings = load_settings(session)
    return HandoffChoices(
        members,
        me.id if me is not None else None,
        settings.sla_hours,
        settings.working_hours_only,
    )


class HandToSalesDialog(QDialog):
    """Asks who gets the leads (the assignment rules, or one active sales member) and why."""

    def __init__(self, choices: HandoffChoices, count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("handToSalesDialog")
        self.ui = Ui_HandToSalesDialog()
        self.ui.setupUi(self)
        ui = self.ui
        self.rules_radio, self.member_radio = ui.rulesRadio, ui.memberRadio
        self.member_combo, self.reason_edit = ui.memberCombo, ui.reasonEdit
        ui.ownerHint.setObjectName("pageSubtitle")
        ui.reasonHint.setObjectName("pageSubtitle")
        deadline = choices.deadline_text()
        ui.introLabel.setText(
            f"Hand this lead to sales: a rep gets it, to follow up {deadline}. A lead already "
            "with sales keeps its rep."
            if count == 1
            else f"Hand {leads_text(count)} to sales: each gets a rep, to follow up {deadline}. "
            "Leads already with sales keep theirs."
        )
        for member in choices.members:
            suffix = " (you)" if member.id == choices.me_id else ""
            self.member_combo.addItem(f"{member.name}{suffix} — {member.role}", member.id)
        if choices.members:
            ui.ownerHint.setText(
                "The rules choose a rep by territory, size or industry and spread the work "
                "(Settings → Team)."
            )
        else:
            self.member_radio.setEnabled(False)
            ui.ownerHint.setText(
                "Nobody on the team works in sales yet: add a sales rep in Settings → Team. "
                "Until then the leads wait as Qualified, with no rep."
            )
        self.member_radio.toggled.connect(self.member_combo.setEnabled)
        self.member_combo.activated.connect(lambda _index: self.member_radio.setChecked(True))
        ok = ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(f"Hand {leads_text(count)} to sales")
        ui.buttonBox.accepted.connect(self.accept)
        ui.buttonBox.rejected.connect(self.reject)
        self.reason_edit.selectAll()
        self.reason_edit.setFocus()

    def choose_member(self, member_id: int) -> None:
        """Pick a specific member (as if chosen in the combo)."""
        index = self.member_combo.findData(member_id)
        if index < 0:
            raise LookupError(f"member #{member_id} cannot take leads")
        self.member_radio.setChecked(True)
        self.member_combo.setCurrentIndex(index)

    def member_id(self) -> int | None:
        """The chosen member's id, or None for "by the rules"."""
        if self.member_radio.isChecked():
            value = self.member_combo.currentData()
            return int(value) if value is not None else None
        return None

    def reason(self) -> str:
        """The typed reason (the default when left empty)."""
        return self.reason_edit.text().strip() or DEFAULT_REASON
