"""Outcomes from the Sales queue: opportunity, won and lost dialogs, the reasons from Settings,
and one key per step."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import select

from leaddesk.db.models import Deal, Lead
from leaddesk.handoff.identity import set_me
from leaddesk.outcomes.config import load_outcome_settings, save_outcome_settings
from leaddesk.ui.sales_queue.outcomes import LostDialog, WonDialog
from tests.ui import test_sales_queue as queue_tests
from tests.ui.test_sales_queue import COL_LEAD, add_team, column, idle, press_ok, seed

fixed_context = queue_tests.fixed_context  # the Sales queue tests' fixtures
open_page = queue_tests.open_page


def _deals(db, lead_id):
    with db.session() as session:
        rows = session.scalars(select(Deal).where(Deal.lead_id == lead_id).order_by(Deal.id))
        return [(d.state, d.amount_cents, d.currency) for d in rows]


def _lead(db, lead_id):
    with db.session() as session:
        lead = session.get_one(Lead, lead_id)
        return lead.status, lead.status_reason


def test_opportunity_then_won_makes_a_customer(qtbot, open_page, db, clock) -> None:
    """An opportunity of 12,500 is opened, then won with the amount filled in: a customer."""
    team = add_team(db)
    ids = seed(db, clock, team)
    set_me(db, "sofia@team.example")
    page = open_page()
    assert page.selected_row().lead_id == ids["Umar"]
    page.open_opportunity()
    dialog = page.dialog
    assert dialog.ui.currencyLabel.text() == "EUR"
    dialog.ui.amountEdit.setText("12,500")
    assert press_ok(qtbot, page, dialog)
    idle(qtbot, page)
    assert "Umar Client is an opportunity of EUR 12,500" in page.last_message
    assert _deals(db, ids["Umar"]) == [("open", 1_250_000, "EUR")]
    assert _lead(db, ids["Umar"])[0] == "opportunity"
    page.select_lead(ids["Umar"])
    assert not page.buttons["opportunity"].isEnabled()  # one open deal per lead
    page.mark_won()
    dialog = page.dialog
    assert isinstance(dialog, WonDialog)
    assert dialog.ui.amountEdit.text() == "12500"  # the open deal's amount
    assert press_ok(qtbot, page, dialog)
    idle(qtbot, page)
    assert page.last_message == "Won EUR 12,500 with Umar Client — now a customer."
    assert _deals(db, ids["Umar"]) == [("won", 1_250_000, "EUR")]
    assert _lead(db, ids["Umar"])[0] == "customer"
    assert "Umar Client" not in column(page, COL_LEAD)


def test_opportunity_without_an_amount_is_refused(qtbot, open_page, db, clock) -> None:
    """No amount: the dialog says what to type and stays open; nothing is saved."""
    team = add_team(db)
    ids = seed(db, clock, team)
    set_me(db, "sofia@team.example")
    page = open_page()
    page.open_opportunity()
    dialog = page.dialog
    dialog.ui.amountEdit.setText("lots")
    assert not press_ok(qtbot, page, dialog)
    assert dialog.isVisible() and dialog.ui.errorLabel.text()
    assert _deals(db, ids["Umar"]) == []


def test_lost_needs_a_note_for_other_and_names_the_policy(qtbot, open_page, db, clock) -> None:
    """Lost shows what the reason's policy does; "other" needs a note; the reason is kept."""
    team = add_team(db)
    ids = seed(db, clock, team)
    set_me(db, "sofia@team.example")
    page = open_page()
    page.mark_lost()
    dialog = page.dialog
    assert isinstance(dialog, LostDialog)
    combo = dialog.ui.reasonCombo
    combo.setCurrentIndex(combo.findData("not a fit"))
    assert dialog.ui.policyLabel.text() == "Then: disqualified: no nurture"
    combo.setCurrentIndex(combo.findData("other"))
    assert not press_ok(qtbot, page, dialog)
    assert dialog.ui.errorLabel.text() == 'With the reason "other", add a note that says why'
    combo.setCurrentIndex(combo.findData("bad timing"))
    assert "after 60 days" in dialog.ui.policyLabel.text()
    assert press_ok(qtbot, page, dialog)
    idle(qtbot, page)
    status, reason = _lead(db, ids["Umar"])
    assert status in ("lost", "recycled") and reason == "bad timing"
    assert "Umar Client" not in column(page, COL_LEAD)


def test_hand_back_lists_the_reasons_from_settings(qtbot, open_page, db, clock) -> None:
    """A reason added in Settings → Recycling is offered when handing a lead back."""
    team = add_team(db)
    seed(db, clock, team)
    with db.write() as session:
        settings = load_outcome_settings(session)
        reasons = (*settings.reasons, "merger freeze")
        save_outcome_settings(session, settings.__class__(settings.currency, reasons,
                                                          settings.policies))  # fmt: skip
    set_me(db, "sofia@team.example")
    page = open_page()
    page.hand_back()
    combo = page.dialog.ui.reasonCombo
    labels = [combo.itemText(i) for i in range(combo.count())]
    assert "Merger freeze" in labels and "Bad timing" in labels
    combo.setCurrentIndex(combo.findData("bad timing"))
    assert page.dialog.policy_label.text().startswith("Then: after 60 days")
    page.dialog.reject()


def test_each_step_has_a_key(qtbot, open_page, db, clock) -> None:
    """W opens Won, X opens Lost, with the table focused; the tooltips name the keys."""
    team = add_team(db)
    seed(db, clock, team)
    set_me(db, "sofia@team.example")
    page = open_page()
    page.activateWindow()
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_W)
    qtbot.waitUntil(lambda: isinstance(getattr(page, "dialog", None), WonDialog))
    page.dialog.reject()
    qtbot.keyClick(page.table, Qt.Key.Key_X)
    qtbot.waitUntil(lambda: isinstance(page.dialog, LostDialog))
    page.dialog.reject()
    assert page.buttons["accept"].toolTip().endswith("— key A")
