"""The Sequences page: counts in the list, and the editor driven like a user would."""

from __future__ import annotations

from pytestqt.qtbot import QtBot
from sqlalchemy import select

from leaddesk.db.engine import Database
from leaddesk.db.models import Enrollment, Lead, Sequence, SequenceVersion
from leaddesk.sequences.enrollment import enroll_leads
from leaddesk.sequences.presets import load_preset, sequence_from_document
from leaddesk.sequences.versions import InFlight
from leaddesk.settings import POSTAL_ADDRESS, set_setting
from leaddesk.ui.context import AppContext
from leaddesk.ui.main_window import MainWindow
from leaddesk.ui.pages.sequences import SequencesPage
from leaddesk.ui.sequences.editor import SequenceEditor
from leaddesk.ui.sequences.list_model import COL_ENROLLED, COL_NAME, COL_REPLIED, SequenceListModel


def seed(db: Database, clock) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """A tradeshow sequence with two enrolled leads (one replied) and a postal address."""
    with db.write() as session:
        set_setting(session, POSTAL_ADDRESS, "Acme Ltd, 1 Harbour Street, Bristol")
        sequence = sequence_from_document(session, load_preset("tradeshow"))
        ada = Lead(email="ada@example.com", email_key="ada@example.com", first_name="Ada")
        bob = Lead(email="bob@example.com", email_key="bob@example.com", first_name="Bob")
        session.add_all([ada, bob])
        session.flush()
        enroll_leads(session, sequence, [ada.id, bob.id], now=clock.now())
        replied = session.scalars(select(Enrollment).where(Enrollment.lead_id == bob.id)).one()
        replied.state, replied.exit_reason = "exited", "replied"
        return {"sequence": sequence.id, "ada": ada.id, "bob": bob.id}


def open_page(qtbot: QtBot, context: AppContext) -> SequencesPage:
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    page = window.show_page("sequences")
    assert isinstance(page, SequencesPage)
    qtbot.waitUntil(
        lambda: page.loaded and page.editor.data is not None and not context.runner.busy
    )
    return page


def settle(qtbot: QtBot, editor: SequenceEditor, context: AppContext) -> None:
    """Wait for the debounced preview/lint job to run and finish."""
    qtbot.waitUntil(lambda: not editor._timer.isActive() and not context.runner.busy)


def test_list_shows_counts(
    qtbot: QtBot, db: Database, context: AppContext, clock, qtmodeltester
) -> None:
    """The list shows the sequence with 2 enrolled and 1 replied."""
    seed(db, clock)
    page = open_page(qtbot, context)
    model = page.model
    assert model.data(model.index(0, COL_NAME)).startswith("Tradeshow follow-up")
    assert model.data(model.index(0, COL_ENROLLED)) == "2"
    assert model.data(model.index(0, COL_REPLIED)) == "1"
    qtmodeltester.check(model)
    qtmodeltester.check(SequenceListModel())


def test_timeline_add_reorder_edit(qtbot: QtBot, db: Database, context: AppContext, clock) -> None:
    """Adding, dragging and editing steps updates the "Day N · …" timeline."""
    seed(db, clock)
    editor = open_page(qtbot, context).editor
    timeline = editor.timeline
    assert timeline.labels()[0].startswith("Day 1 · Email: Thanks for stopping by our booth")
    assert timeline.labels()[2].startswith("Day 7 · Email: How a team like yours")
    count = timeline.count()
    timeline.setCurrentRow(count - 1)
    editor.add_buttons["wait"].click()
    editor.add_buttons["email"].click()
    assert timeline.count() == count + 2
    assert timeline.labels()[-1] == "Day 33 · Email: New email"  # day 30 + a new 3-day wait
    editor.step_editor.subject_edit.clear()
    qtbot.keyClicks(editor.step_editor.subject_edit, "Last chance to book a review")
    assert timeline.labels()[-1] == "Day 33 · Email: Last chance to book a review"
    # Drag the new email to the top: it becomes day 0 and the old first email moves down.
    timeline.model().moveRow(timeline.rootIndex(), count + 1, timeline.rootIndex(), 0)
    assert timeline.labels()[0] == "Day 1 · Email: Last chance to book a review"
    assert timeline.labels()[1].startswith("Day 1 · Email: Thanks for stopping by")
    timeline.setCurrentRow(0)
    editor.down_button.click()
    assert timeline.labels()[1] == "Day 1 · Email: Last chance to book a review"
    assert editor.dirty
    settle(qtbot, editor, context)


def test_preview_shows_the_chosen_leads_name(
    qtbot: QtBot, db: Database, context: AppContext, clock
) -> None:
    """Choosing a lead renders the selected email with that lead's first name."""
    ids = seed(db, clock)
    page = open_page(qtbot, context)
    editor = page.editor
    editor.timeline.setCurrentRow(0)
    editor.choose_lead(ids["ada"])
    settle(qtbot, page.editor, context)
    assert "Ada" in editor.subject_label.text()
    assert "Hi Ada," in editor.preview_browser.toPlainText()
    assert "Acme Ltd, 1 Harbour Street" in editor.preview_browser.toPlainText()
    editor.choose_lead(ids["bob"])
    settle(qtbot, page.editor, context)
    assert "Hi Bob," in editor.preview_browser.toPlainText()


def test_inline_lint_and_save_as_new_version(
    qtbot: QtBot, db: Database, context: AppContext, clock
) -> None:
    """A typo shows up in the checks; saving with leads in flight makes version 2 (stay)."""
    ids = seed(db, clock)
    page = open_page(qtbot, context)
    editor = page.editor
    editor.timeline.setCurrentRow(0)
    editor.step_editor.body_edit.setPlainText("Hi {{ frist_name }}")
    settle(qtbot, page.editor, context)
    checks = [editor.lint_list.item(i).text() for i in range(editor.lint_list.count())]
    assert any("Step 1" in c and "frist_name" in c and "first_name" in c for c in checks)
    editor.step_editor.body_edit.setPlainText("Hi {{ first_name }}, thanks again.")
    editor.save(InFlight.stay())
    qtbot.waitUntil(lambda: not context.runner.busy and editor.data.version == 2)
    with db.session() as session:
        versions = session.scalars(select(SequenceVersion).order_by(SequenceVersion.number)).all()
        ada = session.scalars(select(Enrollment).where(Enrollment.lead_id == ids["ada"])).one()
        assert [v.number for v in versions] == [1, 2]
        assert ada.version_id == versions[0].id  # stayed on the version it started
        assert versions[1].steps[0].body == "Hi {{ first_name }}, thanks again."


def test_create_from_preset_on_empty_page(qtbot: QtBot, db: Database, context: AppContext) -> None:
    """The empty state's button creates the tradeshow sequence and opens it in the editor."""
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    page = window.show_page("sequences")
    qtbot.waitUntil(lambda: page.loaded and not context.runner.busy)
    assert page.showing_empty_state
    page.empty_state.buttons["Create the tradeshow follow-up"].click()
    qtbot.waitUntil(
        lambda: (
            not page.showing_empty_state
            and page.editor.data is not None
            and not context.runner.busy
        )
    )
    with db.session() as session:
        assert session.scalars(select(Sequence.name)).one() == page.editor.name_edit.text()


def test_enroll_dialog_adds_inbox_selection(
    qtbot: QtBot, db: Database, context: AppContext, clock
) -> None:
    """The inbox bulk action's dialog enrols new leads and refuses a suppressed one."""
    from leaddesk.leads.suppression import suppress
    from leaddesk.ui.sequences.enroll_dialog import EnrollDialog

    ids = seed(db, clock)
    with db.write() as session:
        new = Lead(email="cy@example.com", email_key="cy@example.com", first_name="Cy")
        gone = Lead(email="gone@example.com", email_key="gone@example.com")
        session.add_all([new, gone])
        session.flush()
        suppress(session, "gone@example.com", "unsubscribed")
        lead_ids = [ids["ada"], new.id, gone.id]
    dialog = EnrollDialog(context, lead_ids)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.sequence_combo.count() == 1 and not context.runner.busy)
    dialog.choose(ids["sequence"])
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: bool(dialog.result_text) and not context.runner.busy)
    assert dialog.result_text == "Added 1; 1 already in it; 1 refused."


def test_default_time_zone_setting_is_stored(
    qtbot: QtBot, window: MainWindow, context: AppContext, db: Database
) -> None:
    """Settings → Sequences stores the team's default time zone used for zone-less leads."""
    from leaddesk.sequences.planner import DEFAULT_TIMEZONE_SETTING
    from leaddesk.settings import get_setting

    page = window.show_page("settings")
    tab = page.tab_widgets["Sequences"]
    qtbot.waitUntil(lambda: not context.runner.busy)
    tab.zone_combo.setCurrentText("America/Chicago")
    tab.save_button.click()
    qtbot.waitUntil(lambda: not context.runner.busy)
    with db.session() as session:
        assert get_setting(session, DEFAULT_TIMEZONE_SETTING) == "America/Chicago"
