"""The outcome dialogs: convert to opportunity, mark won, mark lost (one lead or many).

Used by the Sales queue, the lead panel's Brief tab and the Inbox's bulk actions. Each uses its
Designer form by composition and runs through :class:`QueueStepDialog`: OK saves in the
background, and a refusal from the core is shown in the dialog with nothing typed lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QWidget

from leaddesk.handoff.queue import QueueRow
from leaddesk.outcomes.money import format_amount
from leaddesk.ui.context import AppContext
from leaddesk.ui.forms.ui_lost_dialog import Ui_LostDialog
from leaddesk.ui.forms.ui_opportunity_dialog import Ui_OpportunityDialog
from leaddesk.ui.forms.ui_won_dialog import Ui_WonDialog
from leaddesk.ui.sales_queue import outcome_jobs
from leaddesk.ui.sales_queue.dialogs import QueueStepDialog, lead_heading
from leaddesk.ui.sales_queue.outcome_jobs import OutcomeChoices, reason_label


@dataclass(frozen=True)
class LeadRef:
    """Who an outcome dialog is about (from a queue row, a lead panel, or a selection)."""

    lead_id: int
    name: str
    company: str = ""
    owner: str = ""
    owner_id: int | None = None

    @classmethod
    def of(cls, row: QueueRow) -> LeadRef:
        """The lead of a queue row."""
        return cls(row.lead_id, row.name, row.company, row.owner, row.owner_id)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def _amount_text(cents: int | None) -> str:
    """Cents as the amount field shows them: "12500" or "12500.50"."""
    if cents is None:
        return ""
    whole, rest = divmod(int(cents), 100)
    return f"{whole}.{rest:02d}" if rest else str(whole)


def _set_up_deal_form(
    dialog: QueueStepDialog, ui: Any, lead: LeadRef, choices: OutcomeChoices
) -> Any:
    """Build a deal form (opportunity or won) on ``dialog``: heading, hint, currency."""
    ui.setupUi(dialog)
    lead_heading(ui.leadLabel, lead)
    ui.explainLabel.setObjectName("pageSubtitle")
    ui.currencyLabel.setText(choices.currency)
    return ui


class OpportunityDialog(QueueStepDialog):
    """Open a deal with an amount and an expected close date."""

    def __init__(
        self,
        context: AppContext,
        lead: LeadRef,
        choices: OutcomeChoices,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, lead, parent)
        self.ui = Ui_OpportunityDialog()
        ui = _set_up_deal_form(self, self.ui, lead, choices)
        today = context.clock.now().date()
        ui.closeEdit.setMinimumDate(_qdate(today))
        ui.closeEdit.setDate(_qdate(today + timedelta(days=30)))
        ui.closeCheck.toggled.connect(ui.closeEdit.setEnabled)
        self.connect_buttons(ui.buttonBox, ui.errorLabel)

    def step(self) -> Callable[[], str]:
        """Open the opportunity as typed."""
        ui, db, now = self.ui, self.context.db, self.context.clock.now()
        amount, note = ui.amountEdit.text().strip(), ui.noteEdit.toPlainText().strip()
        close = _date(ui.closeEdit.date()) if ui.closeCheck.isChecked() else None
        lead_id = self.row.lead_id
        return lambda: outcome_jobs.open_opportunity(db, lead_id, amount, close, note, now)


class WonDialog(QueueStepDialog):
    """Mark the deal won: the amount (the open deal's, unless changed) and the day."""

    def __init__(
        self,
        context: AppContext,
        lead: LeadRef,
        choices: OutcomeChoices,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, lead, parent)
        self.ui = Ui_WonDialog()
        ui = _set_up_deal_form(self, self.ui, lead, choices)
        if lead.lead_id in choices.open_deals:
            opened = choices.open_deals[lead.lead_id]
            ui.amountEdit.setText(_amount_text(opened))
            ui.amountEdit.setToolTip(
                f"The open opportunity's amount: {format_amount(opened, choices.currency)}"
            )
        today = context.clock.now().date()
        ui.wonEdit.setMaximumDate(_qdate(today))
        ui.wonEdit.setDate(_qdate(today))
        self.connect_buttons(ui.buttonBox, ui.errorLabel)

    def step(self) -> Callable[[], str]:
        """Mark the deal won as typed."""
        ui, db, now = self.ui, self.context.db, self.context.clock.now()
        amount, won_on, lead_id = (
            ui.amountEdit.text().strip(),
            _date(ui.wonEdit.date()),
            self.row.lead_id,
        )
        return lambda: outcome_jobs.win(db, lead_id, amount, won_on, now)


class LostDialog(QueueStepDialog):
    """Mark one lead or several lost with a reason; the hint says what the reason's policy does."""

    def __init__(
        self,
        context: AppContext,
        leads: list[LeadRef],
        choices: OutcomeChoices,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, leads[0], parent)
        self.lead_ids = [lead.lead_id for lead in leads]
        self.ui = Ui_LostDialog()
        self.ui.setupUi(self)
        ui = self.ui
        if len(leads) == 1:
            lead_heading(ui.leadLabel, leads[0])
        else:
            ui.leadLabel.setText(f"<b>{len(leads)} leads</b>")
        ui.explainLabel.setObjectName("pageSubtitle")
        ui.explainLabel.setText(
            "The hand-off closes and the lead goes back to marketing by the reason's recycle "
            "policy (Settings → Recycling), so it is never lost for good."
        )
        ui.policyLabel.setObjectName("pageSubtitle")
        self.policies = choices.policies
        for reason in choices.reasons:
            ui.reasonCombo.addItem(reason_label(reason), reason)
        ui.reasonCombo.currentIndexChanged.connect(self._show_policy)
        self._show_policy()
        self.connect_buttons(ui.buttonBox, ui.errorLabel)

    def _show_policy(self) -> None:
        reason = self.ui.reasonCombo.currentData()
        policy = self.policies.get(str(reason), "")
        self.ui.policyLabel.setText(f"Then: {policy}" if policy else "")

    def step(self) -> Callable[[], str]:
        """Mark the lead(s) lost with the chosen reason and note."""
        db, now, ids = self.context.db, self.context.clock.now(), list(self.lead_ids)
        reason = str(self.ui.reasonCombo.currentData() or "")
        note = self.ui.noteEdit.toPlainText().strip()
        return lambda: outcome_jobs.lose(db, ids, reason, note, now)


__all__ = ["LeadRef", "LostDialog", "OpportunityDialog", "WonDialog"]
