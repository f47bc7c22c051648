"""Hand-off features of the Inbox: Hand to sales (Ctrl+H), the Brief tab, new statuses, My leads."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select, update

from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import Handoff, Lead, TeamMember
from leaddesk.handoff.identity import set_me
from leaddesk.handoff.routing import RoutingConfig, save_routing
from leaddesk.handoff.service import hand_off
from leaddesk.handoff.team import add_member
from leaddesk.ui.inbox.brief_tab import PRINTING
from leaddesk.ui.inbox.handoff_dialog import HandToSalesDialog
from leaddesk.ui.models.inbox_table import COL_STATUS
from leaddesk.ui.pages.inbox import InboxPage
from tests.inbox.sample_inbox import Inbox
from tests.ui.inbox_page.helpers import idle, lead_values, select_leads, wait_names


def make_customer(page: InboxPage, lead_id: int) -> None:
    """Turn a sample lead into a customer and reload the page."""
    with page.context.db.write() as session:
        session.execute(update(Lead).where(Lead.id == lead_id).values(status="customer"))
    page.refresh()


def answer_hand_to_sales(member_id: int | None, seen: dict[str, object]) -> None:
    """When the Hand to sales dialog opens, note what it offers, pick ``member_id``, confirm."""

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, HandToSalesDialog):
            QTimer.singleShot(10, answer)
            return
        combo = dialog.member_combo
        seen["members"] = [combo.itemText(i) for i in range(combo.count())]
        seen["reason"] = dialog.reason_edit.text()
        seen["rules_default"] = dialog.rules_radio.isChecked()
        seen["member_enabled"] = dialog.member_radio.isEnabled()
        seen["hint"] = dialog.ui.ownerHint.text()
        if member_id is not None:
            dialog.choose_member(member_id)
        ok = dialog.ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok)
        seen["ok"] = ok.text()
        ok.click()

    QTimer.singleShot(0, answer)


def status_text(page: InboxPage, lead_id: int) -> str:
    """The Status column of ``lead_id``'s row."""
    row = page.model.row_of(lead_id)
    assert row is not None
    return str(page.model.index(row, COL_STATUS).data())


def test_ctrl_h_hands_the_selection_to_a_chosen_rep(
    qtbot: QtBot, page: InboxPage, inbox: Inbox
) -> None:
    """Ctrl+H on three leads, Tom chosen: two go to Tom, the customer is reported and unchanged."""
    set_me(page.context.db, "maya@team.example")
    make_customer(page, inbox.clara)
    idle(qtbot, page)
    select_leads(page, inbox.ben, inbox.clara, inbox.david)
    seen: dict[str, object] = {}
    answer_hand_to_sales(inbox.tom, seen)
    qtbot.keyClick(page.table, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "ok" in seen, timeout=5000)
    idle(qtbot, page)
    assert seen["rules_default"] is True
    assert seen["reason"] == "Handed over by hand"
    assert seen["ok"] == "Hand 3 leads to sales"
    assert "Tom Okoro — Sales rep" in seen["members"]  # type: ignore[operator]
    assert "Maya Lindgren (you) — Sales rep" in seen["members"]  # type: ignore[operator]
    statuses, owners = lead_values(page, "status"), lead_values(page, "owner_id")
    assert (statuses[inbox.ben], statuses[inbox.david]) == ("handed_off", "handed_off")
    assert (owners[inbox.ben], owners[inbox.david]) == (inbox.tom, inbox.tom)
    assert (statuses[inbox.clara], owners[inbox.clara]) == ("customer", None)
    with page.context.db.session() as session:
        handoffs = session.execute(select(Handoff.lead_id, Handoff.reason, Handoff.trigger)).all()
    assert sorted(handoffs) == sorted(
        [
            (inbox.ben, "Handed over by hand", "manual"),
            (inbox.david, "Handed over by hand", "manual"),
        ]
    )
    qtbot.waitUntil(lambda: status_text(page, inbox.ben) == "Handed off")
    assert status_text(page, inbox.clara) == "Customer"
    assert page.last_message == (
        "Handed 2 leads to sales (Tom Okoro); 1 not handed: Clara Costa is already a customer."
    )
    box = page.bulk_actions.report_box
    assert box is not None and box.isVisible()
    assert box.text() == "Handed 2 of 3 leads to sales."
    assert box.informativeText() == "• Clara Costa is already a customer"
    box.close()


def test_leads_already_with_sales_are_reported_as_such(
    qtbot: QtBot, page: InboxPage, inbox: Inbox
) -> None:
    """Handing a lead twice keeps the first hand-off and says it is already with sales."""
    select_leads(page, inbox.ben)
    page.bulk_actions.hand_to_sales([inbox.ben], inbox.tom, "Asked for pricing")
    idle(qtbot, page)
    page.bulk_actions.hand_to_sales([inbox.ben], inbox.maya, "Again")
    idle(qtbot, page)
    assert page.last_message == "1 already with sales: Ben Bauer (Tom Okoro)."
    assert lead_values(page, "owner_id")[inbox.ben] == inbox.tom
    with page.context.db.session() as session:
        assert session.scalar(select(func.count(Handoff.id))) == 1


def test_the_button_hands_the_open_lead_by_the_rules(
    qtbot: QtBot, page: InboxPage, inbox: Inbox
) -> None:
    """With nothing selected, Hand to sales… takes the lead open in the panel; rules pick Tom."""
    with page.context.db.write() as session:
        save_routing(session, RoutingConfig(default_members=(inbox.tom,)))
    page.table.clearSelection()
    page.open_lead(inbox.clara)
    idle(qtbot, page)
    seen: dict[str, object] = {}
    answer_hand_to_sales(None, seen)
    page.handoff_button.click()
    qtbot.waitUntil(lambda: "ok" in seen, timeout=5000)
    idle(qtbot, page)
    assert seen["ok"] == "Hand 1 lead to sales"
    assert lead_values(page, "owner_id")[inbox.clara] == inbox.tom
    assert page.last_message == "Handed 1 lead to sales (Tom Okoro)."
    qtbot.waitUntil(lambda: page.detail.status_combo.currentText() == "Handed off")
    assert page.detail.owner_combo.currentText() == "Tom Okoro"


def test_without_sales_reps_the_lead_waits_for_one(
    qtbot: QtBot, page: InboxPage, inbox: Inbox
) -> None:
    """With nobody in sales the dialog says so, and the lead waits as Qualified with no rep."""
    with page.context.db.write() as session:
        session.execute(update(TeamMember).values(role="marketing"))
    select_leads(page, inbox.clara)
    seen: dict[str, object] = {}
    answer_hand_to_sales(None, seen)
    page.bulk_actions.handoff_action.trigger()
    qtbot.waitUntil(lambda: "ok" in seen, timeout=5000)
    idle(qtbot, page)
    assert seen["member_enabled"] is False
    assert str(seen["hint"]).startswith("Nobody on the team works in sales yet")
    assert lead_values(page, "status")[inbox.clara] == "sales_ready"
    assert status_text(page, inbox.clara) == "Qualified"
    assert page.last_message == "1 lead waiting for a rep: Clara Costa."
    box = page.bulk_actions.report_box
    assert box is not None
    assert box.text() == "The lead was not handed to a rep."
    assert box.informativeText() == "• Clara Costa waits for a rep: no active sales rep"
    box.close()


def test_status_filter_lists_the_lifecycle_statuses(page: InboxPage) -> None:
    """The status filter offers the new statuses by name, none named like a score band."""
    combo = page.filter_bar.status_combo
    statuses = [combo.itemText(i) for i in range(combo.count())]
    for text in ("Handed off", "Accepted", "Opportunity", "Lost", "Recycled"):
        assert text in statuses
    bands = page.filter_bar.band_combo
    band_names = {bands.itemText(i) for i in range(1, bands.count())}
    assert not band_names & set(statuses)


def test_status_filter_finds_handed_off_leads(qtbot: QtBot, page: InboxPage, inbox: Inbox) -> None:
    """Choosing "Handed off" lists only the leads handed to a rep."""
    page.bulk_actions.hand_to_sales([inbox.david], inbox.tom, "By hand")
    idle(qtbot, page)
    combo = page.filter_bar.status_combo
    combo.setCurrentIndex(combo.findText("Handed off"))
    wait_names(qtbot, page, ["David Dubois"])


def test_my_leads_lists_only_the_current_members_leads(
    qtbot: QtBot, page: InboxPage, inbox: Inbox
) -> None:
    """ "My leads" appears once someone is "me" and lists only the leads they own."""
    owners = page.filter_bar.owner_combo
    assert owners.findText("My leads") < 0  # nobody chosen as "me" yet
    set_me(page.context.db, "tom@team.example")
    page.refresh()
    idle(qtbot, page)
    index = owners.findText("My leads")
    assert index == 1
    owners.setCurrentIndex(index)
    wait_names(qtbot, page, ["Ben Bauer", "David Dubois"])
    set_me(page.context.db, "maya@team.example")
    page.refresh()
    wait_names(qtbot, page, ["Anna Andersen"])
    assert owners.currentText() == "My leads"


def open_brief(qtbot: QtBot, page: InboxPage, lead_id: int) -> str:
    """Open a lead, switch to its Brief tab and return the brief's text once it is shown."""
    page.open_lead(lead_id)
    idle(qtbot, page)
    detail = page.detail
    with qtbot.waitSignal(detail.brief.loaded, timeout=5000):
        detail.tabs.setCurrentIndex(detail.brief_tab)
    return detail.brief.browser.toPlainText()


def test_brief_tab_shows_the_call_sheet(qtbot: QtBot, page: InboxPage, inbox: Inbox) -> None:
    """The Brief tab shows the lead's name, score and a suggested opener."""
    text = open_brief(qtbot, page, inbox.anna)
    assert page.detail.tabs.tabText(page.detail.brief_tab) == "Brief"
    assert "Anna Andersen" in text
    assert "Score 82" in text
    assert "Suggested opener" in text
    assert "Open with where you met: CloudOps Expo." in text
    brief = page.detail.brief
    assert brief.export_button.isEnabled()
    assert brief.print_button.isVisible() == PRINTING
    assert brief.status_label.text() == "Status: <b>Qualified</b>"
    assert brief.zone_label.text().startswith("Times are in UTC")


def test_brief_follows_the_open_lead(qtbot: QtBot, page: InboxPage, inbox: Inbox) -> None:
    """With the Brief tab showing, opening another lead shows that lead's brief."""
    open_brief(qtbot, page, inbox.anna)
    brief = page.detail.brief
    with qtbot.waitSignal(brief.loaded, timeout=5000):
        page.open_lead(inbox.ben)
    assert "Ben Bauer" in brief.browser.toPlainText()
    assert "Anna Andersen" not in brief.browser.toPlainText()


def test_brief_export_html_and_pdf(
    qtbot: QtBot, page: InboxPage, inbox: Inbox, tmp_path: Path
) -> None:
    """Export writes an HTML page and a PDF, both naming the lead."""
    open_brief(qtbot, page, inbox.anna)
    brief = page.detail.brief
    html_path, pdf_path = tmp_path / "anna.html", tmp_path / "anna.pdf"
    with qtbot.waitSignal(brief.exported, timeout=5000):
        brief.export_to(html_path)
    html = html_path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<title>Lead brief: Anna Andersen</title>" in html
    assert "Suggested opener" in html
    with qtbot.waitSignal(brief.exported, timeout=5000):
        brief.export_to(pdf_path)
    pdf = pdf_path.read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert "Lead brief: Anna Andersen".encode("utf-16-be") in pdf  # the document title
    assert b"/Type /Page" in pdf


def test_a_follow_up_attempt_can_be_logged_from_the_lead_panel(
    qtbot: QtBot, page: InboxPage, inbox: Inbox, db: Database, clock: FixedClock
) -> None:
    """With the lead in sales' hands, the Brief tab's Log attempt… stops the clock (SLA met)."""
    text = open_brief(qtbot, page, inbox.ben)
    assert not page.detail.brief.attempt_button.isVisibleTo(page)  # not with sales yet
    assert "Ben Bauer" in text
    with db.write() as session:
        add_member(session, "Rita Rep", "rita@team.example")
        hand_off(session, session.get_one(Lead, inbox.ben), trigger="manual", now=clock.now())
    page.detail.reload()
    idle(qtbot, page)
    brief = page.detail.brief
    qtbot.waitUntil(lambda: brief.attempt_button.isVisibleTo(page), timeout=5000)
    brief.attempt_button.click()
    dialog = brief.attempt_dialog
    assert dialog is not None
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: not dialog.busy and not page.context.runner.busy, timeout=10000)
    with db.session() as session:
        handoff = session.scalars(select(Handoff).where(Handoff.lead_id == inbox.ben)).one()
    assert handoff.sla_state == "met" and handoff.first_attempt_at == clock.now()
    assert "First attempt for Ben Bauer logged" in dialog.message
