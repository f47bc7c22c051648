"""The Sales queue's dialogs: log an attempt, hand a lead back, give it to another rep.

Each uses its Designer form by composition. OK runs the step in the background and the dialog
stays open until it is done: when the core refuses (a :class:`HandoffError` says why), the
message appears in the dialog and nothing typed is lost.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QWidget

from leaddesk.handoff.followup import CHANNELS, HAND_BACK_REASONS, OUTCOMES
from leaddesk.handoff.queue import QueueRow
from leaddesk.handoff.service import HandoffError
from leaddesk.ui.context import AppContext
from leaddesk.ui.forms.ui_hand_back_dialog import Ui_HandBackDialog
from leaddesk.ui.forms.ui_log_attempt_dialog import Ui_LogAttemptDialog
from leaddesk.ui.forms.ui_reassign_dialog import Ui_ReassignDialog
from leaddesk.ui.sales_queue import jobs
from leaddesk.ui.sales_queue.jobs import AttemptValues, SalesPerson
from leaddesk.ui.sales_queue.outcome_jobs import OutcomeChoices, reason_label

CHANNEL_LABELS = {
    "call": "Phone call",
    "email": "Email",
    "meeting": "Meeting",
    "linkedin": "LinkedIn message",
    "other": "Something else",
}
OUTCOME_LABELS = {
    "connected": "Spoke to them",
    "voicemail": "Left a voicemail",
    "no_answer": "No answer",
    "wrong_number": "Wrong number or address",
    "meeting_booked": "Meeting booked",
    "not_interested_now": "Not interested right now",
    "not_a_fit": "Not a fit",
}


def lead_heading(label: QLabel, row: Any) -> None:
    """Show who the dialog is about: the lead's name in bold, then company and owner."""
    company = f" · {html.escape(row.company)}" if row.company else ""
    owner = html.escape(row.owner if row.owner_id else "nobody yet")
    label.setText(f"<b>{html.escape(row.name)}</b>{company}<br>owner: {owner}")


class QueueStepDialog(QDialog):
    """A dialog whose OK button runs one hand-off step through the task runner.

    ``message`` holds what the step reported once the dialog was accepted. ``row`` is a
    :class:`QueueRow` or anything with its ``lead_id``, ``name``, ``company`` and ``owner``.
    """

    def __init__(self, context: AppContext, row: Any, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.context = context
        self.row = row
        self.message = ""
        self.busy = False

    def connect_buttons(self, box: QDialogButtonBox, error: QLabel) -> None:
        """Wire the form's button box; errors appear in ``error``."""
        self._box, self._error = box, error
        error.setTextFormat(Qt.TextFormat.PlainText)  # messages name leads: never markup
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)

    def step(self) -> Callable[[], str]:
        """The step to run for the values in the form (on the writer thread); override."""
        raise NotImplementedError

    def accept(self) -> None:
        """Run the step; close when it succeeded, or say why it did not."""
        if self.busy:
            return
        try:
            step = self.step()
        except HandoffError as problem:
            self._error.setText(str(problem))
            return
        self.busy = True
        self._error.setText("")
        self._box.setEnabled(False)
        self.context.runner.run(
            lambda _progress: step(), on_done=self._done, on_error=self._failed, label="Saving"
        )

    def _done(self, message: str) -> None:
        self.busy = False
        self._box.setEnabled(True)
        self.message = message
        super().accept()

    def _failed(self, error: BaseException) -> None:
        self.busy = False
        self._box.setEnabled(True)
        text = str(error) if isinstance(error, ValueError) else f"Not saved: {error}"
        self._error.setText(text[:1].upper() + text[1:])


class LogAttemptDialog(QueueStepDialog):
    """Log a call, email or meeting; the first attempt stops the follow-up clock."""

    def __init__(self, context: AppContext, row: QueueRow, parent: QWidget | None = None) -> None:
        super().__init__(context, row, parent)
        self.ui = Ui_LogAttemptDialog()
        self.ui.setupUi(self)
        ui = self.ui
        lead_heading(ui.leadLabel, row)
        ui.nextStepHint.setObjectName("pageSubtitle")
        ui.clockLabel.setObjectName("pageSubtitle")
        now = context.clock.now()
        if row.attempted:
            ui.clockLabel.setText("The first attempt is logged already; this adds another one.")
        else:
            countdown, _ = row.countdown(now)
            ui.clockLabel.setText(
                f"This is the first attempt: logging it stops the follow-up clock ({countdown})."
            )
        for key in CHANNELS:
            ui.channelCombo.addItem(CHANNEL_LABELS.get(key, key), key)
        for key in OUTCOMES:
            ui.outcomeCombo.addItem(OUTCOME_LABELS.get(key, key), key)
        start = (now + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
        ui.nextStepEdit.setDateTime(QDateTime.fromSecsSinceEpoch(int(start.timestamp())))
        ui.nextStepEdit.setMinimumDateTime(QDateTime.fromSecsSinceEpoch(int(now.timestamp())))
        self.connect_buttons(ui.buttonBox, ui.errorLabel)

    def values(self) -> AttemptValues:
        """The attempt as typed (the next step in UTC, or None)."""
        ui = self.ui
        next_step = None
        if ui.nextStepCheck.isChecked():
            seconds = ui.nextStepEdit.dateTime().toSecsSinceEpoch()
            next_step = datetime.fromtimestamp(seconds, UTC)
        return AttemptValues(
            ui.channelCombo.currentData(),
            ui.outcomeCombo.currentData(),
            ui.noteEdit.toPlainText().strip(),
            next_step,
        )

    def step(self) -> Callable[[], str]:
        """Log the attempt as typed."""
        db, now, lead_id, values = (
            self.context.db,
            self.context.clock.now(),
            self.row.lead_id,
            self.values(),
        )
        return lambda: jobs.log_attempt(db, lead_id, values, now)


class HandBackDialog(QueueStepDialog):
    """Return a lead to marketing with a reason (a note is needed for "other").

    The reasons are the ones edited in Settings → Recycling (``choices``); under the list the
    dialog says what the chosen reason's recycle policy will do with the lead."""

    def __init__(
        self,
        context: AppContext,
        row: Any,
        parent: QWidget | None = None,
        choices: OutcomeChoices | None = None,
    ) -> None:
        super().__init__(context, row, parent)
        self.ui = Ui_HandBackDialog()
        self.ui.setupUi(self)
        lead_heading(self.ui.leadLabel, row)
        self.ui.explainLabel.setObjectName("pageSubtitle")
        self.policy_label = QLabel()  # under the list, as in the Lost dialog
        self.policy_label.setObjectName("pageSubtitle")
        self.policy_label.setWordWrap(True)
        self.ui.form.insertRow(1, "", self.policy_label)
        self.policies = choices.policies if choices is not None else {}
        for reason in choices.reasons if choices is not None else HAND_BACK_REASONS:
            self.ui.reasonCombo.addItem(reason_label(reason), reason)
        self.ui.reasonCombo.currentIndexChanged.connect(self._show_policy)
        self._show_policy()
        self.connect_buttons(self.ui.buttonBox, self.ui.errorLabel)

    def _show_policy(self) -> None:
        policy = self.policies.get(str(self.ui.reasonCombo.currentData()), "")
        self.policy_label.setText(f"Then: {policy}" if policy else "")
        self.policy_label.setVisible(bool(policy))

    def step(self) -> Callable[[], str]:
        """Hand the lead back with the chosen reason and note."""
        db, now, lead_id = self.context.db, self.context.clock.now(), self.row.lead_id
        reason = str(self.ui.reasonCombo.currentData())
        note = self.ui.noteEdit.toPlainText().strip()
        return lambda: jobs.hand_back(db, lead_id, reason, note, now)


class ReassignDialog(QueueStepDialog):
    """Give the hand-off to another active rep or manager."""

    def __init__(
        self,
        context: AppContext,
        row: QueueRow,
        people: list[SalesPerson],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, row, parent)
        self.ui = Ui_ReassignDialog()
        self.ui.setupUi(self)
        ui = self.ui
        lead_heading(ui.leadLabel, row)
        ui.explainLabel.setObjectName("pageSubtitle")
        ui.explainLabel.setText(
            "They get an alert with the lead brief"
            + (
                " and a fresh follow-up deadline in their working hours."
                if not row.attempted
                else ". The first attempt is logged already, so the deadline stays as it was."
            )
        )
        for person in people:
            if person.id != row.owner_id:
                plural = "" if person.open_handoffs == 1 else "s"
                ui.memberCombo.addItem(
                    f"{person.name} — {person.open_handoffs} open hand-off{plural}", person.id
                )
        self.connect_buttons(ui.buttonBox, ui.errorLabel)
        if ui.memberCombo.count() == 0:
            ui.errorLabel.setText(
                "Nobody else in sales can take it: add or reactivate a rep in Settings → Team."
            )
            ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)

    def step(self) -> Callable[[], str]:
        """Reassign to the chosen member."""
        to_id: Any = self.ui.memberCombo.currentData()
        if to_id is None:
            raise HandoffError("Choose who takes the lead over.")
        db, now, lead_id = self.context.db, self.context.clock.now(), self.row.lead_id
        reason = self.ui.reasonEdit.text().strip()
        return lambda: jobs.reassign(db, lead_id, int(to_id), reason, now)


__all__ = ["HandBackDialog", "LogAttemptDialog", "ReassignDialog"]
