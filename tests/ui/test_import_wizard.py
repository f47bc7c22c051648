"""The import wizard and the import history, driven end to end with qtbot."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from leaddesk.db.engine import Database
from leaddesk.db.models import ImportBatch, Lead, TeamMember
from leaddesk.ui.context import AppContext
from leaddesk.ui.importing.history import ImportHistory
from leaddesk.ui.importing.models import RowsModel
from leaddesk.ui.importing.wizard import MAPPING, OPTIONS, PREVIEW, RUN, ImportWizard
from leaddesk.ui.main_window import MainWindow

LIST = (
    "Badge scans — Expo 2026\n"
    "\n"
    "Vorname;Nachname;E-Mail-Adresse;Firma;Telefon\n"
    "Zoë;Müller;zoe@example.com;Grün GmbH;4930123456\n"
    "zoe;;ZOE@example.com;;\n"
    "Bob;Ohne;N/A;Nirgendwo;\n"
    "Jörg;Weiß;joerg@example.de;Straße AG;\n"
)


def _leads(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count(Lead.id))) or 0


def _idle(qtbot: QtBot, wizard: ImportWizard, context: AppContext) -> None:
    qtbot.waitUntil(lambda: not wizard.busy and not context.runner.busy, timeout=10_000)


def test_wizard_imports_a_messy_file_and_undoes_it(
    qtbot: QtBot, window: MainWindow, context: AppContext, db: Database, tmp_path: Path
) -> None:
    """File → preview (Windows-1252, ;) → mapping fixed by hand → dry run → import → undo."""
    with db.write() as session:
        session.add(TeamMember(name="Rita Rep", email="rita@team.example"))
    path = tmp_path / "expo.csv"
    path.write_bytes(LIST.encode("cp1252"))
    wizard = window.open_import()
    qtbot.addWidget(wizard)
    wizard.set_file(str(path))
    _idle(qtbot, wizard, context)
    assert wizard.currentId() == PREVIEW
    assert wizard.ui.encodingCombo.currentText() == "Windows-1252"
    assert wizard.ui.delimiterCombo.currentData() == ";"
    assert wizard.ui.headerRowSpin.value() == 3
    assert wizard.preview_model.rowCount() == 7

    wizard.next()
    assert wizard.currentId() == MAPPING
    # German headers are known; "E-Mail-Adresse" is not, but its values are addresses.
    assert wizard.mapping() == ["first_name", "last_name", "email", "company", "phone"]
    wizard.set_target(2, "custom")
    wizard.next()
    assert wizard.currentId() == MAPPING  # no email column: the wizard stays
    assert "email address" in wizard.ui.mappingStatusLabel.text()
    wizard.set_target(2, "email")

    wizard.next()
    assert wizard.currentId() == OPTIONS
    _idle(qtbot, wizard, context)
    assert "2 new leads" in wizard.ui.planLabel.text()
    assert "1 rejected" in wizard.ui.planLabel.text()
    assert wizard.planned_model.rowCount() == 2
    assert _leads(db) == 0  # the preview wrote nothing
    wizard.ui.sourceEdit.setText("Expo 2026")
    wizard.ui.tagsEdit.setText("expo, booth-b7")
    wizard.ui.ownerCombo.setCurrentIndex(1)
    wizard.check_plan()
    _idle(qtbot, wizard, context)

    wizard.next()
    assert wizard.currentId() == RUN
    qtbot.waitUntil(lambda: wizard.import_state == "done", timeout=10_000)
    assert "2 new leads" in wizard.ui.summaryLabel.text()
    assert wizard.rejected_model.rowCount() == 1
    assert wizard.rejected_model.index(0, 0).data() == "6"
    saved = wizard.save_rejects_to(str(tmp_path / "rejects.csv"))
    assert "N/A" in saved.read_text("utf-8-sig")
    with db.session() as session:
        zoe = session.scalar(select(Lead).where(Lead.email_key == "zoe@example.com"))
        assert zoe is not None
        assert (zoe.first_name, zoe.company, zoe.source) == ("Zoë", "Grün GmbH", "Expo 2026")
        assert zoe.owner_id is not None
        assert sorted(t.tag for t in zoe.tags) == ["booth-b7", "expo"]

    qtbot.mouseClick(wizard.ui.undoButton, qtbot_button())
    qtbot.waitUntil(lambda: wizard.import_state == "undone", timeout=10_000)
    assert _leads(db) == 0
    wizard.button(QWizard.WizardButton.FinishButton).click()


def test_cancel_during_import_writes_nothing(
    qtbot: QtBot, context: AppContext, db: Database, tmp_path: Path
) -> None:
    """Cancelling the running import rolls it back and says so; the window stays usable."""
    path = tmp_path / "big.csv"
    path.write_text("Email,Name\n" + "".join(f"p{i}@example.com,P {i}\n" for i in range(30_000)))
    wizard = ImportWizard(context, str(path))
    qtbot.addWidget(wizard)
    wizard.show()
    _idle(qtbot, wizard, context)
    wizard.next()
    wizard.next()
    _idle(qtbot, wizard, context)
    assert wizard.currentId() == OPTIONS
    wizard.next()
    assert wizard.currentId() == RUN
    wizard.cancel_import()
    qtbot.waitUntil(lambda: wizard.import_state in ("cancelled", "done"), timeout=20_000)
    if wizard.import_state == "cancelled":  # the job may finish before the cancel is seen
        assert "Nothing was written" in wizard.ui.summaryLabel.text()
        assert _leads(db) == 0
        with db.session() as session:
            assert session.scalar(select(func.count(ImportBatch.id))) == 0


def test_import_history_lists_and_undoes(
    qtbot: QtBot, window: MainWindow, context: AppContext, db: Database, tmp_path: Path
) -> None:
    """The Imports tab in Settings lists each batch; Undo removes its leads."""
    from leaddesk.clock import SystemClock
    from leaddesk.importing import ImportOptions, open_import, run_import

    path = tmp_path / "l.csv"
    path.write_text("Email\na@example.com\nb@example.com\n")
    table, mapping = open_import(db, path)
    run_import(db, table, mapping, ImportOptions(source="Webinar"), now=SystemClock().now())
    settings = window.show_page("settings")
    qtbot.waitUntil(lambda: settings.loaded and not context.runner.busy)
    history = settings.tab_widgets["Imports"]
    assert isinstance(history, ImportHistory)
    qtbot.waitUntil(lambda: history.model.rowCount() == 1)
    history.table.selectRow(0)
    assert history.undo_button.isEnabled()
    history.undo_button.click()
    qtbot.waitUntil(lambda: _leads(db) == 0 and not context.runner.busy)
    qtbot.waitUntil(lambda: history.model.index(0, 4).data() == "undone")


def test_rows_model_passes_the_model_tester(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    """The table model behind previews and history follows Qt's model rules."""
    model = RowsModel()
    model.set_rows(["a", "b"], [["1", "2"], ["3"], ["line\nbreak", None]])
    qtmodeltester.check(model)
    assert model.index(2, 0).data() == "line ⏎ break"


def qtbot_button():  # type: ignore[no-untyped-def]
    """The left mouse button."""
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_dropping_a_file_on_the_window_opens_the_wizard(
    qtbot: QtBot, window: MainWindow, context: AppContext, tmp_path: Path
) -> None:
    """A file dropped on the main window opens the wizard on that file."""
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    path = tmp_path / "dropped.csv"
    path.write_text("Email\na@example.com\n")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    window.dropEvent(event)
    qtbot.waitUntil(lambda: window.import_wizard is not None, timeout=5000)  # sniffed off-thread
    wizard = window.import_wizard
    assert wizard is not None
    qtbot.addWidget(wizard)
    _idle(qtbot, wizard, context)
    assert wizard.ui.pathEdit.text() == str(path)
    assert wizard.currentId() == PREVIEW
    wizard.reject()


def test_next_waits_for_a_file(
    qtbot: QtBot, window: MainWindow, context: AppContext, tmp_path: Path
) -> None:
    """With no file chosen Next is disabled and the step says what to do; a file enables it."""
    wizard = window.open_import()
    qtbot.addWidget(wizard)
    qtbot.waitUntil(lambda: not context.runner.busy, timeout=5000)
    qtbot.wait(50)
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    assert not next_button.isEnabled()
    assert wizard.ui.fileStatusLabel.text().startswith("Choose a list with Browse…")
    path = tmp_path / "expo.csv"
    path.write_bytes(LIST.encode("cp1252"))
    wizard.set_file(str(path))
    _idle(qtbot, wizard, context)
    qtbot.wait(50)
    assert wizard.currentId() == PREVIEW and next_button.isEnabled()
