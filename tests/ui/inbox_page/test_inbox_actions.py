"""Inbox bulk actions and the lead detail panel, checked in the database afterwards."""

from __future__ import annotations

import csv
from pathlib import Path

from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from leaddesk.db.models import Activity, LeadTag, Suppression
from leaddesk.ui.models.timeline import TimelineModel
from leaddesk.ui.pages.inbox import InboxPage
from tests.inbox.sample_inbox import Inbox
from tests.ui.inbox_page.helpers import (
    answer_next_dialog,
    idle,
    lead_values,
    names,
    select_leads,
    wait_names,
)


def test_assign_owner_and_status(qtbot: QtBot, page: InboxPage, inbox: Inbox) -> None:
    """Bulk owner and status changes reach the database and the table."""
    select_leads(page, inbox.clara, inbox.david)
    page.bulk_actions.assign_owner(inbox.maya)
    idle(qtbot, page)
    assert lead_values(page, "owner_id")[inbox.clara] == inbox.maya
    assert lead_values(page, "owner_id")[inbox.david] == inbox.maya
    assert set(page.selected_ids()) == {inbox.clara, inbox.david}
    page.bulk_actions.set_status("disqualified")
    idle(qtbot, page)
    statuses = lead_values(page, "status")
    assert (statuses[inbox.clara], statuses[inbox.david], statuses[inbox.anna]) == (
        "disqualified",
        "disqualified",
        "sales_ready",
    )
    assert page.last_message == "Moved 2 leads to Disqualified."


def test_add_and_remove_tag(qtbot: QtBot, page: InboxPage, inbox: Inbox) -> None:
    """Tags are added to and removed from the selected leads."""
    select_leads(page, inbox.clara, inbox.ben)
    page.bulk_actions.add_tag("webinar")
    idle(qtbot, page)
    page.bulk_actions.remove_tag("expo")
    idle(qtbot, page)
    with page.context.db.session() as session:
        tags = set(session.execute(select(LeadTag.lead_id, LeadTag.tag)).all())
    assert (inbox.clara, "webinar") in tags and (inbox.ben, "webinar") in tags
    assert (inbox.ben, "expo") not in tags and (inbox.anna, "expo") in tags


def test_delete_asks_with_the_count(qtbot: QtBot, page: InboxPage, inbox: Inbox) -> None:
    """Delete names how many leads it touches; confirmed, they are gone."""
    select_leads(page, inbox.clara, inbox.david)
    answer_next_dialog("Delete 2 leads")
    page.bulk_actions.delete_selected()
    wait_names(qtbot, page, ["Anna Andersen", "Ben Bauer"])
    assert set(lead_values(page, "id")) == {inbox.anna, inbox.ben}


def test_forget_leaves_only_a_hash(qtbot: QtBot, page: InboxPage, inbox: Inbox) -> None:
    """Forget, confirmed, erases the person and keeps only the hash on the suppression list."""
    select_leads(page, inbox.ben)
    answer_next_dialog("Forget 1 lead")
    page.bulk_actions.forget_selected()
    wait_names(qtbot, page, ["Anna Andersen", "David Dubois", "Clara Costa"])
    with page.context.db.session() as session:
        entry = session.scalar(select(Suppression))
        assert entry is not None and entry.email_key is None
        assert session.scalar(select(func.count()).where(Activity.lead_id == inbox.ben)) == 0


def test_export_selection(qtbot: QtBot, page: InboxPage, inbox: Inbox, tmp_path: Path) -> None:
    """Export writes the selected leads to the chosen file."""
    select_leads(page, inbox.ben, inbox.anna)
    target = tmp_path / "picked.csv"
    page.bulk_actions.export_selected(target)
    idle(qtbot, page)
    with target.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["Email"] for r in rows] == [
        "ben.bauer@kestrel.example",
        "anna.andersen@northwind.example",
    ]


def test_merge_two_selected(qtbot: QtBot, page: InboxPage, inbox: Inbox) -> None:
    """Merging keeps the first selected lead and removes the second."""
    select_leads(page, inbox.david, inbox.clara)
    answer_next_dialog("Merge")
    page.bulk_actions.merge_selected()
    wait_names(qtbot, page, ["Anna Andersen", "Ben Bauer", "David Dubois"])
    with page.context.db.session() as session:
        kinds = set(session.scalars(select(Activity.kind).where(Activity.lead_id == inbox.david)))
    assert {"replied", "merged"} <= kinds


def test_add_lead_by_hand(qtbot: QtBot, page: InboxPage) -> None:
    """A lead typed in appears in the table and opens in the detail panel."""
    page.add_lead_from({"email": "nova@acme.example", "first_name": "Nova"}, ["manual"])
    idle(qtbot, page)
    qtbot.waitUntil(lambda: "Nova" in names(page) and page.detail.loaded)
    assert page.detail.edits["email"].text() == "nova@acme.example"


def test_detail_edit_persists(qtbot: QtBot, page: InboxPage, inbox: Inbox) -> None:
    """Profile edits are saved, re-listed in the table, and shown on the timeline."""
    page.open_lead(inbox.clara)
    qtbot.waitUntil(lambda: page.detail.loaded)
    page.detail.edits["title"].setText("Head of Data")
    page.detail.status_combo.setCurrentIndex(page.detail.status_combo.findData("nurturing"))
    page.detail.save_button.click()
    idle(qtbot, page)
    qtbot.waitUntil(lambda: page.detail.loaded)
    assert lead_values(page, "title")[inbox.clara] == "Head of Data"
    assert lead_values(page, "status")[inbox.clara] == "nurturing"
    labels = [e.label for e in page.detail.timeline_model.entries]
    assert labels[:2] == ["Status changed", "Profile updated"] or labels[:2] == [
        "Profile updated",
        "Status changed",
    ]


def test_duplicate_email_links_to_the_other_lead(
    qtbot: QtBot, page: InboxPage, inbox: Inbox
) -> None:
    """Typing another lead's address is refused with a link that opens that lead."""
    page.open_lead(inbox.clara)
    qtbot.waitUntil(lambda: page.detail.loaded)
    page.detail.edits["email"].setText("ben.bauer@kestrel.example")
    page.detail.save_button.click()
    idle(qtbot, page)
    qtbot.waitUntil(lambda: "open that lead" in page.detail.error_label.text())
    assert lead_values(page, "email")[inbox.clara] == "clara.costa@alpine.example"
    page.detail.error_label.linkActivated.emit(f"lead:{inbox.ben}")
    qtbot.waitUntil(lambda: page.detail.loaded and page.detail.lead_id == inbox.ben)
    assert page.detail.edits["first_name"].text() == "Ben"


def test_timeline_and_quick_log(
    qtbot: QtBot, qtmodeltester: ModelTester, page: InboxPage, inbox: Inbox
) -> None:
    """A quick-logged call appears first on the timeline; the timeline model is consistent."""
    page.open_lead(inbox.clara)
    qtbot.waitUntil(lambda: page.detail.loaded)
    detail = page.detail
    detail.log_kind.setCurrentIndex(detail.log_kind.findData("call"))
    detail.log_note.setText("Wants pricing")
    detail.log_outcome.setText("Reached")
    detail.log_button.click()
    idle(qtbot, page)
    qtbot.waitUntil(lambda: detail.loaded and len(detail.timeline_model.entries) == 2)
    first = detail.timeline_model.index(0, 0).data()
    assert "Call — Reached — Wants pricing" in first
    assert [e.kind for e in detail.timeline_model.entries] == ["call", "replied"]
    qtmodeltester.check(detail.timeline_model, force_py=True)
    empty = TimelineModel()
    qtmodeltester.check(empty, force_py=True)


def test_tasks_in_the_detail_panel(qtbot: QtBot, page: InboxPage, inbox: Inbox) -> None:
    """No tasks reads as such, Mark done waits for a selected open task; an added task is
    listed and can be marked done."""
    page.open_lead(inbox.ben)
    qtbot.waitUntil(lambda: page.detail.loaded)
    detail = page.detail
    assert detail.enrollment_list.count() == 1
    assert detail.task_list.item(0).text().startswith("No tasks yet: add one below")
    assert not detail.done_button.isEnabled()
    detail.task_title.setText("Send case study")
    detail.add_task_now()
    idle(qtbot, page)
    qtbot.waitUntil(lambda: detail.loaded and "Send case study" in detail.task_list.item(0).text())
    assert detail.task_list.count() == 1 and not detail.done_button.isEnabled()
    detail.task_list.setCurrentRow(0)
    assert detail.done_button.isEnabled()
    detail.complete_selected_task()
    idle(qtbot, page)
    qtbot.waitUntil(lambda: detail.loaded and detail.task_list.item(0).text().startswith("✔"))


def test_selection_survives_a_bulk_action(qtbot: QtBot, page: InboxPage, inbox: Inbox) -> None:
    """After a bulk action the same leads are still selected (kept as row ranges)."""
    page.table.selectAll()
    page.bulk_actions.add_tag("all")
    idle(qtbot, page)
    assert sorted(page.selected_ids()) == sorted([inbox.anna, inbox.ben, inbox.clara, inbox.david])
    select_leads(page, inbox.anna, inbox.david)
    page.bulk_actions.add_tag("two")
    idle(qtbot, page)
    assert sorted(page.selected_ids()) == sorted([inbox.anna, inbox.david])
    assert page.selection_label.text() == "2 selected of 4"


def test_score_tab_explains_the_score(qtbot: QtBot, page: InboxPage, inbox: Inbox) -> None:
    """The detail panel's Score tab shows the scoring breakdown for the open lead."""
    page.open_lead(inbox.anna)
    qtbot.waitUntil(lambda: page.detail.loaded)
    with qtbot.waitSignal(page.detail.breakdown.loaded, timeout=10000):
        page.detail.tabs.setCurrentIndex(page.detail.score_tab)
    assert page.detail.breakdown.view is not None
    assert page.detail.breakdown.view.breakdown.lead_id == inbox.anna
    idle(qtbot, page)


def test_enroll_in_a_sequence(qtbot: QtBot, page: InboxPage, inbox: Inbox) -> None:
    """Enrolling asks with the count; new leads join, the one already in it is skipped."""
    from leaddesk.db.models import Enrollment

    select_leads(page, inbox.ben, inbox.clara)
    answer_next_dialog("Enroll 2 leads")
    page.bulk_actions.enroll(inbox.sequence, "Tradeshow follow-up")
    idle(qtbot, page)
    with page.context.db.session() as session:
        enrolled = set(session.scalars(select(Enrollment.lead_id)))
    assert enrolled == {inbox.ben, inbox.clara}
    assert page.last_message.startswith("Enrolled 1 lead in “Tradeshow follow-up” (1 skipped")
    assert page.bulk_actions.sequences == [(inbox.sequence, "Tradeshow follow-up")]
