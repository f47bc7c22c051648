"""Settings → Team and the first-run "Who are you?" dialog, driven with qtbot."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from leaddesk.db.engine import Database
from leaddesk.db.models import Handoff, Lead, TeamMember
from leaddesk.handoff.config import HandoffSettings, load_settings
from leaddesk.handoff.identity import my_email, set_me
from leaddesk.handoff.service import hand_off
from leaddesk.handoff.team import add_member
from leaddesk.ui.context import AppContext
from leaddesk.ui.dialogs.identity import IdentityDialog, ask_identity_if_needed
from leaddesk.ui.settings.team import TeamSettings
from leaddesk.ui.settings.team_dialogs import HandoverDialog, MemberDialog
from leaddesk.ui.settings.team_models import MembersTableModel


def _tab(qtbot: QtBot, context: AppContext) -> TeamSettings:
    tab = TeamSettings(context)
    qtbot.addWidget(tab)
    tab.resize(1000, 700)
    tab.show()
    tab.load()
    qtbot.waitUntil(lambda: tab.loaded and not context.runner.busy)
    return tab


def _idle(qtbot: QtBot, context: AppContext) -> None:
    qtbot.waitUntil(lambda: not context.runner.busy)


def _two_reps(db: Database) -> dict[str, int]:
    with db.write() as session:
        tom = add_member(session, "Tom Okoro", "tom@team.example", timezone="Europe/Berlin")
        sofia = add_member(session, "Sofia Reyes", "sofia@team.example", timezone="UTC")
        return {"tom": tom.id, "sofia": sofia.id}


def _cell(tab: TeamSettings, row: int, column: int) -> str:
    return str(tab.model.data(tab.model.index(row, column)))


def _row_of(tab: TeamSettings, name: str) -> int:
    return next(r for r, m in enumerate(tab.model.rows) if m.name == name)


def _fill_member(qtbot: QtBot, dialog: MemberDialog, name: str, email: str) -> None:
    qtbot.keyClicks(dialog.ui.nameEdit, name)
    qtbot.keyClicks(dialog.ui.emailEdit, email)
    dialog.ui.roleCombo.setCurrentIndex(dialog.ui.roleCombo.findData("sales_rep"))
    dialog.ui.capacitySpin.setValue(5)


def test_adding_the_first_member_shows_the_row_stores_it_and_makes_them_me(
    qtbot: QtBot, qtmodeltester: object, db: Database, context: AppContext
) -> None:
    """Add… → the dialog saves Sofia; her row appears, she is in the DB and is "you"."""
    tab = _tab(qtbot, context)
    assert tab.model.rowCount() == 0
    assert tab.me_combo.currentText().startswith("Nobody")
    tab.add_button.click()
    dialog = tab.dialog
    assert isinstance(dialog, MemberDialog) and dialog.isVisible()
    assert dialog.ui.zoneCombo.currentText()  # this computer's zone by default
    _fill_member(qtbot, dialog, "Sofia Reyes", "Sofia@Team.example")
    qtbot.keyClick(dialog.ui.emailEdit, Qt.Key.Key_Return)  # Enter = OK
    qtbot.waitUntil(lambda: not dialog.isVisible() and not context.runner.busy)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    assert _cell(tab, 0, MembersTableModel.COL_NAME) == "Sofia Reyes (you)"
    assert _cell(tab, 0, MembersTableModel.COL_EMAIL) == "sofia@team.example"
    assert _cell(tab, 0, MembersTableModel.COL_ROLE) == "Sales rep"
    assert _cell(tab, 0, MembersTableModel.COL_CAPACITY) == "5"
    assert "09:00–17:00" in _cell(tab, 0, MembersTableModel.COL_HOURS)
    assert "is you on this computer" in tab.notice_label.text()
    assert my_email(db) == "sofia@team.example"
    assert tab.me_combo.currentData() == "sofia@team.example"
    with db.session() as session:
        member = session.scalars(select(TeamMember)).one()
        assert (member.name, member.role, member.capacity) == ("Sofia Reyes", "sales_rep", 5)
    qtmodeltester.check(tab.model)  # type: ignore[attr-defined]


def test_an_invalid_email_is_explained_in_the_dialog_and_nothing_is_saved(
    qtbot: QtBot, db: Database, context: AppContext
) -> None:
    """A bad email keeps the dialog open with the core's message; the team stays empty."""
    tab = _tab(qtbot, context)
    tab.add_button.click()
    dialog = tab.dialog
    assert isinstance(dialog, MemberDialog)
    _fill_member(qtbot, dialog, "Tom Okoro", "tom.at.example")
    dialog.ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok).click()
    _idle(qtbot, context)
    assert dialog.isVisible()
    assert "is not a valid email address" in dialog.ui.errorLabel.text()
    with db.session() as session:
        assert session.scalar(select(func.count(TeamMember.id))) == 0
    assert my_email(db) is None
    dialog.reject()


def test_editing_a_member_changes_their_hours(
    qtbot: QtBot, db: Database, context: AppContext
) -> None:
    """Double-click → edit Tom's hours and days; the table and the database follow."""
    ids = _two_reps(db)
    tab = _tab(qtbot, context)
    row = _row_of(tab, "Tom Okoro")
    tab.view.selectRow(row)
    tab.edit_button.click()
    dialog = tab.dialog
    assert isinstance(dialog, MemberDialog)
    assert dialog.ui.nameEdit.text() == "Tom Okoro"
    dialog.day_checks["fri"].setChecked(False)
    dialog.ui.endTime.setTime(dialog.ui.endTime.time().addSecs(3600))
    dialog.accept()
    qtbot.waitUntil(lambda: not dialog.isVisible() and not context.runner.busy)
    qtbot.waitUntil(lambda: "18:00" in _cell(tab, _row_of(tab, "Tom Okoro"), 3))
    with db.session() as session:
        tom = session.get_one(TeamMember, ids["tom"])
        assert (tom.work_days, tom.work_end) == ("mon,tue,wed,thu", "18:00")


def test_deactivating_a_member_with_an_open_handoff_asks_and_moves_it(
    qtbot: QtBot, db: Database, context: AppContext
) -> None:
    """Tom's open hand-off goes to Sofia when he is deactivated; the tab says what moved."""
    ids = _two_reps(db)
    with db.write() as session:
        lead = Lead(email="anna@acme.example", email_key="anna@acme.example", country="Germany")
        session.add(lead)
        session.flush()
        tom = session.get_one(TeamMember, ids["tom"])
        hand_off(session, lead, trigger="manual", now=context.clock.now(), to=tom)
    tab = _tab(qtbot, context)
    row = _row_of(tab, "Tom Okoro")
    assert _cell(tab, row, MembersTableModel.COL_OPEN) == "1"
    tab.view.selectRow(row)
    assert tab.active_button.text().replace("&", "") == "Deactivate…"
    tab.active_button.click()
    dialog = tab.dialog
    assert isinstance(dialog, HandoverDialog) and dialog.isVisible()
    assert "Tom Okoro has 1 open hand-off" in dialog.message_label.text()
    dialog.choose_member(ids["sofia"])
    dialog.button_box.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: "moved to Sofia Reyes" in tab.notice_label.text())
    assert "1 open hand-off moved to Sofia Reyes" in tab.notice_label.text()
    _idle(qtbot, context)
    with db.session() as session:
        handoff = session.scalars(select(Handoff)).one()
        assert handoff.owner_id == ids["sofia"]
        assert session.get_one(TeamMember, ids["tom"]).active is False
    qtbot.waitUntil(lambda: _cell(tab, _row_of(tab, "Tom Okoro"), 6) == "Inactive")
    tab.view.selectRow(_row_of(tab, "Tom Okoro"))
    assert tab.active_button.text().replace("&", "") == "Reactivate"


def test_removing_a_member_with_the_delete_key_asks_first(
    qtbot: QtBot, db: Database, context: AppContext
) -> None:
    """Delete on the table opens the confirmation; confirming removes Tom from the team."""
    ids = _two_reps(db)
    tab = _tab(qtbot, context)
    tab.view.selectRow(_row_of(tab, "Tom Okoro"))
    tab.view.setFocus()
    qtbot.keyClick(tab.view, Qt.Key.Key_Delete)
    dialog = tab.dialog
    assert isinstance(dialog, HandoverDialog) and dialog.isVisible()
    assert "Remove Tom Okoro from the team?" in dialog.message_label.text()
    assert not dialog.rules_radio.isVisible()  # nothing of his to hand over
    dialog.accept()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1 and not context.runner.busy)
    assert "Removed Tom Okoro" in tab.notice_label.text()
    with db.session() as session:
        assert session.get(TeamMember, ids["tom"]) is None


def test_choosing_who_this_computer_acts_as(
    qtbot: QtBot, db: Database, context: AppContext
) -> None:
    """Picking Tom in "This computer acts as" stores him in the local preferences."""
    _two_reps(db)
    tab = _tab(qtbot, context)
    index = tab.me_combo.findData("tom@team.example")
    tab.me_combo.setCurrentIndex(index)
    tab.me_combo.activated.emit(index)
    assert my_email(db) == "tom@team.example"
    assert _cell(tab, _row_of(tab, "Tom Okoro"), 0) == "Tom Okoro (you)"
    tab.me_combo.activated.emit(0)
    assert my_email(db) is None


def test_handoff_settings_save_round_trip_and_a_zero_deadline_is_refused(
    qtbot: QtBot, db: Database, context: AppContext
) -> None:
    """The settings saved are the settings stored; an SLA of 0 is explained and not saved."""
    tab = _tab(qtbot, context)
    box = tab.settings_box
    assert box.settings() == HandoffSettings()
    assert box.account_hint.isVisibleTo(tab)  # no sender account yet
    assert "until you add a sender account" in box.account_hint.text()
    box.sla_spin.setValue(8)
    box.working_check.setChecked(True)
    box.escalate_spin.setValue(0)
    assert box.escalate_spin.text() == "Off"
    box.reply_check.setChecked(True)
    items = {box.kinds_list.item(r).text(): box.kinds_list.item(r) for r in range(9)}
    items["Requested a demo"].setCheckState(Qt.CheckState.Unchecked)
    items["Attended a webinar"].setCheckState(Qt.CheckState.Checked)
    assert box.dirty
    box.save_button.click()
    qtbot.waitUntil(lambda: tab.notice_label.text() == "Hand-off settings saved.")
    expected = HandoffSettings(
        sla_hours=8,
        working_hours_only=True,
        escalate_after_hours=None,
        hand_raise_kinds=("consultation_requested", "webinar_attended"),
        reply_from_warm=True,
    )
    with db.session() as session:
        assert load_settings(session) == expected
    assert not box.dirty
    box.sla_spin.setValue(0)
    box.save_button.click()
    qtbot.waitUntil(lambda: bool(box.error_label.text()))
    assert "The follow-up deadline must be more than 0" in box.error_label.text()
    with db.session() as session:
        assert load_settings(session).sla_hours == 8


def test_identity_dialog_asks_who_you_are_and_sets_me(
    qtbot: QtBot, db: Database, context: AppContext, window: object
) -> None:
    """With a team and nobody chosen, the window asks; "This is me" stores the choice."""
    _two_reps(db)
    ask_identity_if_needed(window)  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: window.findChild(IdentityDialog) is not None)  # type: ignore[attr-defined]
    dialog = window.findChild(IdentityDialog)  # type: ignore[attr-defined]
    assert dialog.isVisible() and not dialog.isModal()
    assert dialog.ok_button.text() == "This is me"
    assert dialog.later_button.text() == "Choose later"
    dialog.member_combo.setCurrentIndex(dialog.member_combo.findText("Tom Okoro (Sales rep)"))
    dialog.ok_button.click()
    assert not dialog.isVisible()
    assert my_email(db) == "tom@team.example"
    message = window.statusBar().currentMessage()  # type: ignore[attr-defined]
    assert message == "LeadDesk acts as Tom Okoro on this computer."


def test_identity_dialog_on_an_empty_team_adds_you(
    qtbot: QtBot, db: Database, context: AppContext, window: object
) -> None:
    """On an empty team the dialog adds you (a bad email is explained first) and sets "me"."""
    ask_identity_if_needed(window)  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: window.findChild(IdentityDialog) is not None)  # type: ignore[attr-defined]
    dialog = window.findChild(IdentityDialog)  # type: ignore[attr-defined]
    assert dialog.adding and dialog.ok_button.text() == "Add me"
    qtbot.keyClicks(dialog.name_edit, "Maya Lindgren")
    qtbot.keyClicks(dialog.email_edit, "maya@")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: bool(dialog.error_label.text()))
    assert "is not a valid email address" in dialog.error_label.text()
    assert dialog.isVisible() and my_email(db) is None
    qtbot.keyClicks(dialog.email_edit, "team.example")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert my_email(db) == "maya@team.example"
    with db.session() as session:
        maya = session.scalars(select(TeamMember)).one()
        assert (maya.name, maya.role) == ("Maya Lindgren", "sales_manager")


def test_identity_dialog_is_not_shown_once_you_are_chosen(
    qtbot: QtBot, db: Database, context: AppContext, window: object
) -> None:
    """When this computer already acts as a member, nothing is asked."""
    _two_reps(db)
    set_me(db, "sofia@team.example")
    ask_identity_if_needed(window)  # type: ignore[arg-type]
    _idle(qtbot, context)
    assert window.findChild(IdentityDialog) is None  # type: ignore[attr-defined]
