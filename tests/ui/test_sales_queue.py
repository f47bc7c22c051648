"""The Sales queue page: countdowns, whose queue, the brief, and the rep's steps done by hand."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import Handoff, Lead, Task
from leaddesk.handoff.followup import log_attempt
from leaddesk.handoff.identity import set_me
from leaddesk.handoff.service import hand_off
from leaddesk.handoff.team import add_member
from leaddesk.ui.context import AppContext
from leaddesk.ui.pages.sales_queue import SalesQueuePage
from leaddesk.ui.sales_queue.dialogs import QueueStepDialog
from leaddesk.ui.sales_queue.model import (
    COL_DUE,
    COL_LEAD,
    COL_OWNER,
    COL_STAGE,
    COL_TIME_LEFT,
    COL_TRIGGER,
    QueueTableModel,
)

TEAM = {
    "maya": ("Maya Lindgren", "maya@team.example", "sales_manager", "Europe/Stockholm"),
    "sofia": ("Sofia Reyes", "sofia@team.example", "sales_rep", "America/New_York"),
    "tom": ("Tom Okoro", "tom@team.example", "sales_rep", "Europe/Berlin"),
}
# lead first name -> (owner, hours since the hand-off, first attempt logged)
HANDOFFS = {
    "Umar": ("sofia", 30, False),  # overdue 6 h
    "Lena": ("sofia", 21, False),  # 3 h left: due soon
    "Grace": ("tom", 0, False),  # 24 h left
    "Vera": ("maya", 2, True),  # followed up
}


def add_team(db: Database) -> dict[str, int]:
    """Maya (manager), Sofia and Tom (reps)."""
    with db.write() as session:
        return {
            key: add_member(session, name, email, role=role, timezone=zone).id
            for key, (name, email, role, zone) in TEAM.items()
        }


def seed(db: Database, clock: FixedClock, team: dict[str, int]) -> dict[str, int]:
    """The four hand-offs of ``HANDOFFS``; returns lead ids by first name."""
    ids = {}
    with db.write() as session:
        from leaddesk.db.models import TeamMember

        for first, (owner, hours, attempted) in HANDOFFS.items():
            email = f"{first.lower()}@client.example"
            lead = Lead(
                email=email,
                email_key=email,
                first_name=first,
                last_name="Client",
                company=f"{first} Industries",
                timezone="Europe/Berlin",
                source="Expo Berlin 2026",
            )
            session.add(lead)
            session.flush()
            member = session.get_one(TeamMember, team[owner])
            when = clock.now() - timedelta(hours=hours)
            hand_off(session, lead, trigger="manual", now=when, reason="Asked at the booth",
                     to=member)  # fmt: skip
            if attempted:
                log_attempt(session, lead, channel="call", outcome="connected", by=member,
                            now=when + timedelta(hours=1))  # fmt: skip
            ids[first] = lead.id
    return ids


@pytest.fixture
def fixed_context(context: AppContext, clock: FixedClock) -> AppContext:
    """The app context with the test's fixed clock."""
    return dataclasses.replace(context, clock=clock)


def idle(qtbot: QtBot, page: SalesQueuePage) -> None:
    """Wait until the page has loaded and no background job is left."""
    qtbot.waitUntil(lambda: page.loaded and not page.context.runner.busy, timeout=10000)


@pytest.fixture
def open_page(qtbot: QtBot, fixed_context: AppContext) -> Iterator[object]:
    """Build, show and load the page (call it once the data is in place)."""
    pages: list[SalesQueuePage] = []

    def build(width: int = 1200) -> SalesQueuePage:
        page = SalesQueuePage(fixed_context)
        qtbot.addWidget(page)
        page.resize(width, 700)
        page.show()
        page.refresh()
        idle(qtbot, page)
        pages.append(page)
        return page

    yield build
    for page in pages:
        page.close()


def column(page: SalesQueuePage, number: int) -> list[str]:
    """One column as the table shows it."""
    model = page.model
    return [model.index(r, number).data() for r in range(model.rowCount())]


def press_ok(qtbot: QtBot, page: SalesQueuePage, dialog: QueueStepDialog) -> bool:
    """Click OK in ``dialog``, wait for the step (and the reload); True when it closed."""
    closed: list[int] = []
    dialog.finished.connect(closed.append)
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: not dialog.busy and not page.context.runner.busy, timeout=10000)
    return bool(closed)


def handoff_of(db: Database, lead_id: int) -> Handoff:
    with db.session() as session:
        handoff = session.scalars(
            select(Handoff).where(Handoff.lead_id == lead_id).order_by(Handoff.id.desc())
        ).first()
        assert handoff is not None
        session.expunge(handoff)
        return handoff


def test_manager_sees_everyone_most_urgent_first(open_page, db, clock, qtmodeltester) -> None:
    """A manager opens on everyone's queue: overdue first, then due soon, then followed up."""
    team = add_team(db)
    seed(db, clock, team)
    set_me(db, "maya@team.example")
    page = open_page()
    assert page.whose_combo.currentText() == "Everyone (4)"
    assert column(page, COL_LEAD) == ["Umar Client", "Lena Client", "Grace Client", "Vera Client"]
    assert column(page, COL_TIME_LEFT) == [
        "overdue 6 h 0 min",
        "3 h 0 min left",
        "1 d 0 h left",
        "followed up",
    ]
    assert column(page, COL_OWNER) == ["Sofia Reyes", "Sofia Reyes", "Tom Okoro", "Maya Lindgren"]
    overdue = page.model.index(0, COL_TIME_LEFT).data(Qt.ItemDataRole.ForegroundRole)
    assert overdue.name() == "#b3261e"
    text = page.counts_label.text()
    assert text.startswith("3 waiting · ")
    assert "1 due within 4 h" in text and "1 overdue" in text
    assert not page.me_hint.isVisibleTo(page)
    qtmodeltester.check(page.model)
    qtmodeltester.check(QueueTableModel(clock.now()))


def test_rep_sees_own_queue_and_can_look_at_others(qtbot, open_page, db, clock) -> None:
    """A rep opens on "My queue" and can switch to another rep's or everyone's."""
    team = add_team(db)
    seed(db, clock, team)
    set_me(db, "sofia@team.example")
    page = open_page()
    assert page.whose_combo.currentText() == "My queue (2)"
    assert column(page, COL_LEAD) == ["Umar Client", "Lena Client"]
    texts = [page.whose_combo.itemText(i) for i in range(page.whose_combo.count())]
    assert texts == ["Everyone (4)", "My queue (2)", "Maya Lindgren (1)", "Tom Okoro (1)"]
    page.whose_combo.setCurrentIndex(3)
    page.whose_combo.activated.emit(3)
    idle(qtbot, page)
    assert column(page, COL_LEAD) == ["Grace Client"]
    assert page.counts_label.text() == "1 waiting"


def test_empty_own_queue_points_to_everyone(open_page, db, clock) -> None:
    """A rep with nothing to do is told the others' leads are under "Everyone"."""
    team = add_team(db)
    seed(db, clock, team)
    with db.write() as session:
        add_member(session, "Ravi Shah", "ravi@team.example", role="sales_rep")
    set_me(db, "ravi@team.example")
    page = open_page()
    assert not page.showing_empty_state
    assert page.list_stack.currentWidget() is page.no_rows_label
    assert page.no_rows_label.text() == (
        "Nothing in your queue right now. 4 open hand-offs are with others: "
        "choose “Everyone” to see them."
    )
    assert not page.buttons["attempt"].isEnabled()


def test_empty_states_say_what_to_do(qtbot, open_page, db, clock) -> None:
    """No sales team: add reps; a team without hand-offs: how leads get here."""
    page = open_page()
    assert page.showing_empty_state
    assert page.empty_state.title_label.text() == "Nobody in sales yet"
    assert "Add your sales reps in Settings → Team." in page.empty_state.body_label.text()
    shown = [t for t, b in page.empty_state.buttons.items() if b.isVisibleTo(page)]
    assert shown == ["Open Settings", "Load sample data"]
    add_team(db)
    page.refresh()
    idle(qtbot, page)
    assert page.showing_empty_state
    assert page.empty_state.title_label.text() == "No leads waiting for sales"
    assert "24 hours for a first attempt" in page.empty_state.body_label.text()
    shown = [t for t, b in page.empty_state.buttons.items() if b.isVisibleTo(page)]
    assert shown == ["Go to the Inbox"]


def test_not_knowing_who_you_are_is_explained(open_page, db, clock) -> None:
    """Without "me" chosen the page shows everyone's queue and says how to choose yourself."""
    team = add_team(db)
    seed(db, clock, team)
    page = open_page()
    assert page.me_hint.isVisibleTo(page)
    assert "Settings → Team" in page.me_hint.text()
    assert page.whose_combo.currentText() == "Everyone (4)"


def test_selecting_a_lead_shows_its_brief(qtbot, open_page, db, clock) -> None:
    """Clicking a row shows that lead's brief with the suggested opener."""
    team = add_team(db)
    ids = seed(db, clock, team)
    set_me(db, "maya@team.example")
    page = open_page()
    assert page.brief_lead_id == ids["Umar"]  # the most urgent is selected on opening
    page.table.selectRow(1)
    qtbot.waitUntil(lambda: "Lena Client" in page.brief_view.toPlainText(), timeout=5000)
    text = page.brief_view.toPlainText()
    assert "Suggested opener" in text
    assert "Open with where you met: Expo Berlin 2026." in text


def test_logging_the_first_attempt_stops_the_clock(qtbot, open_page, db, clock) -> None:
    """Log attempt → the row says "followed up", the SLA is met and a next-step task exists."""
    team = add_team(db)
    ids = seed(db, clock, team)
    set_me(db, "sofia@team.example")
    page = open_page()
    page.table.selectRow(1)  # Lena, 3 h left
    page.log_attempt()
    dialog = page.dialog
    assert "stops the follow-up clock (3 h 0 min left)" in dialog.ui.clockLabel.text()
    dialog.ui.outcomeCombo.setCurrentIndex(dialog.ui.outcomeCombo.findData("meeting_booked"))
    dialog.ui.noteEdit.setPlainText("Demo on Thursday with their CFO")
    dialog.ui.nextStepCheck.setChecked(True)
    next_step = clock.now() + timedelta(days=3)
    dialog.ui.nextStepEdit.setDateTime(QDateTime.fromSecsSinceEpoch(int(next_step.timestamp())))
    assert press_ok(qtbot, page, dialog)
    assert page.last_message == (
        "First attempt for Lena Client logged 21 h 0 min after the hand-off — in time. "
        "A next-step task is planned."
    )
    assert column(page, COL_LEAD) == ["Umar Client", "Lena Client"]
    assert column(page, COL_TIME_LEFT)[1] == "followed up"
    handoff = handoff_of(db, ids["Lena"])
    assert handoff.sla_state == "met" and handoff.first_attempt_at == clock.now()
    with db.session() as session:
        task = session.scalars(select(Task).where(Task.kind == "follow_up")).one()
        assert task.lead_id == ids["Lena"] and task.notes == "Demo on Thursday with their CFO"
        assert task.owner_id == team["sofia"] and task.due_at == next_step


def test_a_late_first_attempt_is_marked_late(qtbot, open_page, db, clock) -> None:
    """An attempt after the deadline says so, and the row reads "followed up late"."""
    team = add_team(db)
    seed(db, clock, team)
    set_me(db, "sofia@team.example")
    page = open_page()
    page.log_attempt()  # Umar, overdue
    assert press_ok(qtbot, page, page.dialog)
    assert page.last_message.endswith("after the deadline.")
    assert column(page, COL_TIME_LEFT) == ["3 h 0 min left", "followed up late"]


def test_hand_back_needs_a_note_for_other(qtbot, open_page, db, clock) -> None:
    """ "Other" without a note is refused in the dialog; with one, the lead leaves the queue."""
    team = add_team(db)
    ids = seed(db, clock, team)
    set_me(db, "sofia@team.example")
    page = open_page()
    page.hand_back()
    dialog = page.dialog
    dialog.ui.reasonCombo.setCurrentIndex(dialog.ui.reasonCombo.findData("other"))
    assert not press_ok(qtbot, page, dialog)
    assert dialog.isVisible()
    assert dialog.ui.errorLabel.text() == 'With the reason "other", add a note that says why'
    dialog.ui.noteEdit.setPlainText("Moving to a competitor's platform this year")
    assert press_ok(qtbot, page, dialog)
    assert column(page, COL_LEAD) == ["Lena Client"]
    assert page.brief_lead_id == ids["Lena"]  # the next lead is selected
    with db.session() as session:
        assert session.get_one(Lead, ids["Umar"]).status == "recycled"
    handoff = handoff_of(db, ids["Umar"])
    assert handoff.outcome_reason == "other: Moving to a competitor's platform this year"


def test_reassign_gives_the_lead_a_fresh_deadline(qtbot, open_page, db, clock) -> None:
    """Reassigning the overdue lead to Tom moves it to his queue with 24 hours again."""
    team = add_team(db)
    ids = seed(db, clock, team)
    set_me(db, "maya@team.example")
    page = open_page()
    page.reassign()
    dialog = page.dialog
    names = [dialog.ui.memberCombo.itemText(i) for i in range(dialog.ui.memberCombo.count())]
    assert names == ["Maya Lindgren — 1 open hand-off", "Tom Okoro — 1 open hand-off"]
    dialog.ui.memberCombo.setCurrentIndex(1)
    dialog.ui.reasonEdit.setText("Sofia is at a conference")
    assert press_ok(qtbot, page, dialog)
    assert page.last_message == "Gave Umar Client to Tom Okoro with a fresh deadline."
    assert column(page, COL_LEAD)[:2] == ["Lena Client", "Umar Client"]
    assert column(page, COL_OWNER)[1] == "Tom Okoro"
    assert column(page, COL_TIME_LEFT)[1] == "1 d 0 h left"
    assert handoff_of(db, ids["Umar"]).owner_id == team["tom"]


def test_accept_marks_the_lead_accepted(qtbot, open_page, db, clock) -> None:
    """Accept changes the stage to "Accepted" and greys the Accept button for that lead."""
    team = add_team(db)
    seed(db, clock, team)
    set_me(db, "sofia@team.example")
    page = open_page(width=1700)
    assert page.buttons["accept"].isEnabled()
    page.buttons["accept"].click()
    idle(qtbot, page)
    assert column(page, COL_STAGE)[0] == "Accepted"
    assert not page.buttons["accept"].isEnabled()
    assert page.buttons["attempt"].isEnabled()
    assert page.last_message.startswith("Accepted Umar Client (Sofia Reyes owns it).")


def test_countdowns_tick_without_a_click(qtbot, open_page, db, clock) -> None:
    """An hour later the countdowns have moved on and the due-soon lead counts as soon."""
    team = add_team(db)
    seed(db, clock, team)
    set_me(db, "sofia@team.example")
    page = open_page()
    clock.advance(timedelta(hours=3, minutes=5))
    page.timer.timeout.emit()
    idle(qtbot, page)
    assert column(page, COL_TIME_LEFT) == ["overdue 9 h 5 min", "overdue 5 min"]
    assert "2 overdue" in page.counts_label.text()


def test_narrow_window_hides_the_least_needed_columns(open_page, db, clock) -> None:
    """On a small window "Came in by", "Stage" and "Due" make room for the names."""
    team = add_team(db)
    seed(db, clock, team)
    wide = open_page(width=1900)
    assert not any(wide.table.isColumnHidden(c) for c in (COL_TRIGGER, COL_STAGE, COL_DUE))
    narrow = open_page(width=900)
    assert narrow.table.isColumnHidden(COL_TRIGGER) and narrow.table.isColumnHidden(COL_STAGE)
    tip = narrow.model.index(0, COL_LEAD).data(Qt.ItemDataRole.ToolTipRole)
    assert "Handed off · Someone handed the lead over by hand" in tip
