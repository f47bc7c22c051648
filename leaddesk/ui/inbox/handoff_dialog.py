"""Hand to sales by hand: the dialog (rules or a chosen rep, a reason) and the one write job.

The job hands every selected lead off in one database-writer job; a lead that cannot go
(customer, disqualified, suppressed) is reported by name and does not stop the others.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWidget
from sqlalchemy.orm import Session

from leaddesk.db.engine import Database
from leaddesk.db.models import HandoffTrigger, Lead, TeamMember
from leaddesk.handoff.config import load_settings
from leaddesk.handoff.identity import current_member
from leaddesk.handoff.service import HandoffError, hand_off
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
        """``"within 24 hours"`` / ``"within 8 working hours"``."""
        unit = "working hours" if self.working_hours else "hours"
        return f"within {self.sla_hours:g} {unit[:-1] if self.sla_hours == 1 else unit}"


@dataclass
class HandoffReport:
    """What one "Hand to sales" run did, lead by lead (names and owners, no ORM objects)."""

    handed: list[tuple[str, str]] = field(default_factory=list)
    waiting: list[tuple[str, str]] = field(default_factory=list)
    already: list[tuple[str, str]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    lead_ids: list[int] = field(default_factory=list)

    def summary(self) -> str:
        """One sentence for the status bar, e.g. "Handed 3 leads to sales; 1 not handed: …"."""
        parts: list[str] = []
        if self.handed:
            owners = Counter(owner for _name, owner in self.handed)
            who = ", ".join(
                name if len(owners) == 1 else f"{name} {count}" for name, count in owners.items()
            )
            parts.append(f"Handed {_leads(len(self.handed))} to sales ({who})")
        if self.waiting:
            names = ", ".join(name for name, _why in self.waiting)
            parts.append(f"{_leads(len(self.waiting))} waiting for a rep: {names}")
        if self.already:
            names = ", ".join(f"{name} ({owner})" for name, owner in self.already)
            parts.append(f"{len(self.already):,} already with sales: {names}")
        if self.refused:
            parts.append(f"{len(self.refused):,} not handed: {'; '.join(self.refused)}")
        if not parts:
            return "No lead was handed to sales."
        first, *rest = parts
        return "; ".join([first[0].upper() + first[1:], *rest]) + "."

    def headline(self) -> str:
        """How many of the selected leads went to a rep, e.g. "Handed 2 of 3 leads to sales."."""
        asked = len(self.handed) + len(self.waiting) + len(self.already) + len(self.refused)
        if not self.handed and asked == 1:
            return "The lead was not handed to a rep."
        if not self.handed:
            return f"None of the {asked:,} leads was handed to a rep."
        return f"Handed {len(self.handed):,} of {_leads(asked)} to sales."

    def problems(self) -> list[str]:
        """One line per lead that did not go to a rep, saying why."""
        lines = list(self.refused)
        lines += [f"{name} waits for a rep: {why}" for name, why in self.waiting]
        return lines


def _leads(count: int) -> str:
    return f"{count:,} lead" + ("" if count == 1 else "s")


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


def hand_leads_to_sales(
    session: Session,
    db: Database,
    lead_ids: Sequence[int],
    *,
    member_id: int | None,
    reason: str,
    now: datetime,
) -> HandoffReport:
    """Hand each lead to ``member_id`` (None: by the rules); report every lead's outcome."""
    report = HandoffReport(lead_ids=list(lead_ids))
    by = current_member(session, db)
    to = session.get(TeamMember, member_id) if member_id is not None else None
    if member_id is not None and to is None:
        raise HandoffError("that team member no longer exists: choose another one")
    for lead_id in lead_ids:
        lead = session.get(Lead, lead_id)
        if lead is None:  # deleted meanwhile
            continue
        name = lead.full_name
        try:
            with session.begin_nested():  # a refused lead leaves nothing behind
                result = hand_off(
                    session,
                    lead,
                    trigger=HandoffTrigger.MANUAL,
                    now=now,
                    reason=reason,
                    by=by,
                    to=to,
                )
        except HandoffError as error:
            report.refused.append(str(error))
            continue
        if result is None:
            continue
        if not result.created:
            report.already.append((name, result.owner_name))
        elif result.owner_id is None:
            report.waiting.append((name, result.note or "no assignment rule matched"))
        else:
            report.handed.append((name, result.owner_name))
    return report


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
            else f"Hand {_leads(count)} to sales: each gets a rep, to follow up {deadline}. "
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
        ok.setText(f"Hand {_leads(count)} to sales")
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
