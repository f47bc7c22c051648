"""Outcomes in the Inbox: the Brief tab's Outcome menu, bulk "Mark lost…", and the reason
shown in the Status column and offered as a filter."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import Lead
from leaddesk.handoff.service import hand_off
from leaddesk.handoff.team import add_member
from leaddesk.ui.pages.inbox import InboxPage
from leaddesk.ui.sales_queue.dialogs import QueueStepDialog
from tests.inbox.sample_inbox import Inbox
from tests.ui.inbox_page.helpers import idle, names, select_leads
from tests.ui.inbox_page.test_handoff_in_inbox import open_brief, status_text


def press_ok(qtbot: QtBot, page: InboxPage, dialog: QueueStepDialog) -> None:
    """Click OK and wait until the step and the reload are done."""
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: not dialog.busy and not page.context.runner.busy, timeout=10000)
    idle(qtbot, page)


def _status(db: Database, lead_id: int) -> tuple[str, str]:
    with db.session() as session:
        lead = session.get_one(Lead, lead_id)
        return lead.status, lead.status_reason


def test_the_brief_tab_marks_a_lead_won(
    qtbot: QtBot, page: InboxPage, inbox: Inbox, db: Database, clock: FixedClock
) -> None:
    """With the lead in sales' hands, Outcome → Won… on the Brief tab makes it a customer."""
    open_brief(qtbot, page, inbox.ben)
    brief = page.detail.brief
    assert not brief.outcome_button.isVisibleTo(page)  # not with sales yet
    with db.write() as session:
        add_member(session, "Rita Rep", "rita@team.example")
        hand_off(session, session.get_one(Lead, inbox.ben), trigger="manual", now=clock.now())
    page.detail.reload()
    idle(qtbot, page)
    qtbot.waitUntil(lambda: brief.outcome_button.isVisibleTo(page), timeout=5000)
    assert [a.text() for a in brief.outcome_menu.actions()] == [
        "Opportunity…", "Won…", "Lost…", "Hand back…"
    ]  # fmt: skip
    brief.mark_won()
    dialog = brief.outcome_dialog
    assert dialog is not None
    dialog.ui.amountEdit.setText("8000")
    press_ok(qtbot, page, dialog)
    assert dialog.message == "Won EUR 8,000 with Ben Bauer — now a customer."
    assert _status(db, inbox.ben)[0] == "customer"


def test_bulk_mark_lost_then_filter_by_the_reason(
    qtbot: QtBot, page: InboxPage, inbox: Inbox, db: Database
) -> None:
    """Three leads marked lost for "no budget" show the reason and are found by its filter."""
    select_leads(page, inbox.ben, inbox.clara, inbox.david)
    page.bulk_actions.ask_mark_lost()
    qtbot.waitUntil(lambda: page.bulk_actions.lost_dialog is not None, timeout=5000)
    dialog = page.bulk_actions.lost_dialog
    assert dialog.ui.leadLabel.text() == "<b>3 leads</b>"
    dialog.ui.reasonCombo.setCurrentIndex(dialog.ui.reasonCombo.findData("no budget"))
    press_ok(qtbot, page, dialog)
    assert page.last_message == "Marked 3 leads lost (no budget)."
    for lead_id in (inbox.ben, inbox.clara, inbox.david):
        assert _status(db, lead_id)[1] == "no budget"
        assert status_text(page, lead_id).endswith(": no budget")
    open_brief(qtbot, page, inbox.ben)
    assert page.detail.brief.status_label.text().endswith(" — no budget")  # the panel says why
    combo = page.filter_bar.reason_combo
    qtbot.waitUntil(lambda: combo.findData("no budget") > 0, timeout=5000)
    assert combo.isVisibleTo(page)
    combo.setCurrentIndex(combo.findData("no budget"))
    idle(qtbot, page)
    assert sorted(names(page)) == ["Ben Bauer", "Clara Costa", "David Dubois"]
    assert page.model.rowCount() == 3
