"""The import wizard: file → preview → mapping → options and dry run → import → summary.

Every step that reads the file or the database runs on the task runner; the wizard only shows
plain results. The import itself is one cancellable write job; cancelling rolls it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QMessageBox,
    QTableWidgetItem,
    QWidget,
    QWizard,
)
from sqlalchemy import select

from leaddesk.db.models import TeamMember
from leaddesk.importing import (
    ActivityMode,
    ImportOptions,
    ImportResult,
    ReadOptions,
    SheetTable,
    open_import,
    run_import,
    save_rejected,
    undo_batch,
)
from leaddesk.importing.encoding import ENCODING_CHOICES, damaged_notice, display_name
from leaddesk.importing.mapping import TARGET_LABELS, TARGETS
from leaddesk.ui.context import AppContext
from leaddesk.ui.forms.ui_import_wizard import Ui_ImportWizard
from leaddesk.ui.importing.enroll_choice import (
    describe_enrollment,
    describe_undo,
    load_sequence_choices,
)
from leaddesk.ui.importing.models import RowsModel

FILE, PREVIEW, MAPPING, OPTIONS, RUN = range(5)
DELIMITERS = [(",", "Comma ,"), (";", "Semicolon ;"), ("\t", "Tab"), ("|", "Pipe |")]
ON_EXISTING = [("fill", "Fill empty fields only"), ("overwrite", "Overwrite"), ("skip", "Skip")]
KINDS = [
    (None, "A list of leads"),
    (ActivityMode.WEBINAR, "A webinar attendee report (attendance becomes activities)"),
    (ActivityMode.REGISTRATIONS, "A webinar registration report (registrations)"),
    (ActivityMode.DOWNLOADS, "A download list (downloads become activities)"),
]
PHASES = {"reading": "Reading", "writing": "Writing", "enrolling": "Enrolling"}
NO_FILE = "Choose a list with Browse…, or drop a CSV or Excel file here, to go on."
FILE_FILTER = "Lead lists (*.csv *.tsv *.txt *.xlsx *.xlsm);;All files (*)"
PREVIEW_COLUMNS = ["action", "row", "email", "first_name", "last_name", "company", "title",
                   "phone", "country", "tags", "custom_fields"]  # fmt: skip


@dataclass
class _Opened:
    table: SheetTable
    mapping: list[str]


class ImportWizard(QWizard):
    """Guides one import from a file to a committed (and undoable) batch."""

    imported = Signal(int)  # batch id, after the write committed
    undone = Signal(int)
    web_log_chosen = Signal(str)  # a web server log or analytics export: visits, not leads

    def __init__(
        self, context: AppContext, path: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.ui = Ui_ImportWizard()
        self.ui.setupUi(self)
        self.setAcceptDrops(True)
        self.opened: _Opened | None = None
        self.plan: ImportResult | None = None
        self.import_result: ImportResult | None = None
        self.batch_id: int | None = None
        self.busy = False  # a background step of this wizard is running
        self.import_job: Any = None
        self.import_state = "idle"  # idle, running, done, failed, cancelled, undone
        self._close_when_idle = False
        self.preview_model = RowsModel()
        self.planned_model = RowsModel()
        self.rejected_model = RowsModel()
        self.ui.previewTable.setModel(self.preview_model)
        self.ui.plannedTable.setModel(self.planned_model)
        self.ui.rejectedTable.setModel(self.rejected_model)
        for view in (self.ui.previewTable, self.ui.plannedTable, self.ui.rejectedTable):
            view.verticalHeader().hide()  # the file's own row numbers are a column
        self.ui.mappingTable.verticalHeader().hide()
        for label in (self.ui.planLabel, self.ui.summaryLabel):
            # Two lines of counts and one about the enrolment.
            label.setMinimumHeight(label.fontMetrics().lineSpacing() * 3 + 6)
        self.ui.mappingTable.horizontalHeader().setStretchLastSection(True)
        self._fill_choices()
        self.ui.browseButton.clicked.connect(self.browse)
        for combo in (self.ui.encodingCombo, self.ui.delimiterCombo, self.ui.sheetCombo):
            combo.activated.connect(self.reread)
        self.ui.headerRowSpin.editingFinished.connect(self.reread)
        self.ui.eventDateCheck.toggled.connect(self.ui.eventDateEdit.setEnabled)
        self.ui.eventDateEdit.setDate(QDate.currentDate())
        self.ui.recheckButton.clicked.connect(self.check_plan)
        self.ui.cancelImportButton.clicked.connect(self.cancel_import)
        self.ui.saveRejectsButton.clicked.connect(self._choose_rejects_file)
        self.ui.undoButton.clicked.connect(self.undo)
        self.currentIdChanged.connect(self._entered)
        # after QWizard has set its buttons for the new page
        self.currentIdChanged.connect(lambda _page: QTimer.singleShot(0, self.update_next))
        self.ui.fileStatusLabel.setText(NO_FILE)
        self.setButtonText(QWizard.WizardButton.CommitButton, "Import")
        self.ui.optionsPage.setCommitPage(True)
        self.context.runner.finished.connect(self._job_finished)
        self.context.runner.progressed.connect(self._progressed)
        self._load_owners()
        load_sequence_choices(self.context, self.ui.enrollCombo)
        if path:
            self.set_file(path)

    # -- choices -----------------------------------------------------------------------------
    def _fill_choices(self) -> None:
        for encoding in ENCODING_CHOICES:
            self.ui.encodingCombo.addItem(display_name(encoding), encoding)
        for value, label in DELIMITERS:
            self.ui.delimiterCombo.addItem(label, value)
        for value, label in ON_EXISTING:
            self.ui.onExistingCombo.addItem(label, value)
        for kind, label in KINDS:
            self.ui.kindCombo.addItem(label, kind)
        self.ui.ownerCombo.addItem("Nobody", None)

    def _load_owners(self) -> None:
        db = self.context.db

        def read(_progress: Any) -> list[tuple[int, str]]:
            with db.session() as session:
                members = session.execute(
                    select(TeamMember.id, TeamMember.name, TeamMember.email)
                    .where(TeamMember.active)
                    .order_by(TeamMember.name)
                ).all()
            return [(m.id, f"{m.name} <{m.email}>") for m in members]

        def show(members: list[tuple[int, str]]) -> None:
            for member_id, label in members:
                self.ui.ownerCombo.addItem(label, member_id)

        self.context.runner.run(read, on_done=show, write=False, label="Loading the team")

    # -- step 1 and 2: the file and how it is read -------------------------------------------
    def browse(self) -> None:
        """Ask for a file and open it."""
        path, _ = QFileDialog.getOpenFileName(self, "Import leads", "", FILE_FILTER)
        if path:
            self.set_file(path)

    def set_file(self, path: str, options: ReadOptions | None = None) -> None:
        """Open ``path`` in the background and show how it is read."""
        self.ui.pathEdit.setText(path)
        self.ui.fileStatusLabel.setText("Reading the file…")
        self.opened = None
        self.plan = None
        self.update_next()
        db, source = self.context.db, self.ui.sourceEdit.text()
        self.busy = True

        def read(_progress: Any) -> _Opened | str:
            if options is None:
                from leaddesk.visits.log_import import looks_like_access_log

                if looks_like_access_log(Path(path)):
                    return path
            table, mapping = open_import(db, path, options, source)
            return _Opened(table, mapping)

        self.context.runner.run(
            read, on_done=self._opened_or_log, on_error=self._open_failed, write=False,
            label="Reading the file",
        )  # fmt: skip

    def _opened_or_log(self, opened: _Opened | str) -> None:
        if isinstance(opened, _Opened):
            self._show_opened(opened)
            return
        self.busy = False
        answer = QMessageBox.question(
            self,
            "A web log, not a list",
            f"{Path(opened).name} is a web server log or an analytics export, not a list of "
            "leads. Import it as website visits (clicks on your emails' links, pages viewed)?",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.web_log_chosen.emit(opened)
            self.reject()
            return
        self.set_file(opened, ReadOptions())  # read it as a table after all

    def reread(self) -> None:
        """Open the file again with the encoding, delimiter, sheet and header row shown."""
        if self.opened is None:
            return
        table = self.opened.table
        options = ReadOptions(
            encoding=self.ui.encodingCombo.currentData() if table.kind == "csv" else None,
            delimiter=self.ui.delimiterCombo.currentData() if table.kind == "csv" else None,
            sheet=self.ui.sheetCombo.currentText() if table.kind == "xlsx" else None,
            header_row=self.ui.headerRowSpin.value(),
        )
        if self.ui.sheetCombo.currentText() != table.sheet and table.kind == "xlsx":
            options = ReadOptions(sheet=self.ui.sheetCombo.currentText())  # detect its header
        self.set_file(str(table.path), options)

    def _open_failed(self, error: BaseException) -> None:
        self.busy = False
        self.opened = None
        self.ui.fileStatusLabel.setText(f"This file cannot be imported: {error}")
        self.ui.previewStatusLabel.setText(str(error))
        self.update_next()

    def update_next(self) -> None:
        """Next is only offered on the file steps once a file has been read."""
        if self.currentId() in (FILE, PREVIEW):
            button = self.button(QWizard.WizardButton.NextButton)
            button.setEnabled(self.opened is not None and not self.busy)

    def _show_opened(self, opened: _Opened) -> None:
        self.busy = False
        self.opened = opened
        self.update_next()
        table = opened.table
        csv = table.kind == "csv"
        self.ui.fileStatusLabel.setText(
            f"{table.path.name}: {'text file' if csv else 'Excel workbook'}, "
            f"header on row {table.header_row}, {len(table.headers)} columns."
        )
        for combo, value in ((self.ui.encodingCombo, table.encoding),
                             (self.ui.delimiterCombo, table.delimiter)):  # fmt: skip
            index = combo.findData(value)
            if index < 0 and value:
                combo.addItem(display_name(value), value)
                index = combo.count() - 1
            combo.setCurrentIndex(index)
            combo.setEnabled(csv)
        self.ui.sheetCombo.clear()
        self.ui.sheetCombo.addItems(list(table.sheets))
        self.ui.sheetCombo.setCurrentText(table.sheet)
        self.ui.sheetCombo.setEnabled(not csv)
        self.ui.headerRowSpin.setValue(max(table.header_row, 1))
        width = max([len(c) for _, c in table.sample] or [0])
        headers = [f"{i + 1}" for i in range(width)]
        rows = [[str(n), *cells] for n, cells in table.sample]
        self.preview_model.set_rows(["Row", *headers], rows)
        self._fit_preview_columns()
        status = f"The header is row {table.header_row}; rows above it are skipped."
        if table.damaged_lines:
            status += " " + damaged_notice(table.damaged_lines)
        self.ui.previewStatusLabel.setText(status)
        self._fill_mapping(opened)
        if self.currentId() == FILE:
            self.next()

    def _fit_preview_columns(self) -> None:
        """Columns as wide as their text (addresses read whole), none wider than 320 px or a
        third of the table."""
        view = self.ui.previewTable
        view.resizeColumnsToContents()
        widest = max(320, view.viewport().width() // 3)
        for column in range(self.preview_model.columnCount()):
            if view.columnWidth(column) > widest:
                view.setColumnWidth(column, widest)

    # -- step 3: mapping -----------------------------------------------------------------------
    def _fill_mapping(self, opened: _Opened) -> None:
        table = self.ui.mappingTable
        first = next((cells for n, cells in opened.table.sample
                      if n > opened.table.header_row and any(cells)), ())  # fmt: skip
        table.setRowCount(len(opened.table.headers))
        for row, header in enumerate(opened.table.headers):
            table.setItem(row, 0, QTableWidgetItem(header or f"(column {row + 1})"))
            table.setItem(row, 1, QTableWidgetItem(first[row] if row < len(first) else ""))
            combo = QComboBox()
            for target in TARGETS:
                combo.addItem(TARGET_LABELS[target], target)
            combo.setCurrentIndex(combo.findData(opened.mapping[row]))
            combo.currentIndexChanged.connect(self._mapping_changed)
            table.setCellWidget(row, 2, combo)
        table.resizeColumnsToContents()
        self._mapping_changed()

    def mapping(self) -> list[str]:
        """The target chosen for each column."""
        table = self.ui.mappingTable
        combos = [table.cellWidget(row, 2) for row in range(table.rowCount())]
        return [c.currentData() for c in combos if isinstance(c, QComboBox)]

    def set_target(self, column: int, target: str) -> None:
        """Choose the target of one column (what the user does with the combo box)."""
        combo = self.ui.mappingTable.cellWidget(column, 2)
        assert isinstance(combo, QComboBox)
        combo.setCurrentIndex(combo.findData(target))

    def _mapping_changed(self) -> None:
        self.plan = None
        has_email = "email" in self.mapping()
        self.ui.mappingStatusLabel.setText(
            "" if has_email else "Choose which column holds the email address."
        )

    # -- step 4: options and the dry run ---------------------------------------------------------
    def chosen_options(self) -> ImportOptions:
        """The options as chosen on the options page."""
        tags = tuple(t.strip() for t in self.ui.tagsEdit.text().split(",") if t.strip())
        event_date = (
            self.ui.eventDateEdit.date().toPython() if self.ui.eventDateCheck.isChecked() else None
        )
        return ImportOptions(
            source=self.ui.sourceEdit.text().strip(),
            event_date=event_date,  # type: ignore[arg-type]
            tags=tags,
            owner_id=self.ui.ownerCombo.currentData(),
            on_existing=self.ui.onExistingCombo.currentData(),
            activity_mode=self.ui.kindCombo.currentData(),
            enroll_sequence_id=self.ui.enrollCombo.currentData(),
        )

    def check_plan(self) -> None:
        """Run the dry run in the background and show what the import will do."""
        if self.opened is None:
            return
        db, table, mapping = self.context.db, self.opened.table, self.mapping()
        options, now = self.chosen_options(), self.context.clock.now()
        self.plan = None
        self.busy = True
        self.ui.planLabel.setText("Checking what the import will do…")

        def plan(_progress: Any) -> ImportResult:
            return run_import(db, table, mapping, options, now=now, dry_run=True)

        self.context.runner.run(
            plan, on_done=self._show_plan, on_error=self._plan_failed, write=False,
            label="Checking the import",
        )  # fmt: skip

    def _plan_failed(self, error: BaseException) -> None:
        self.busy = False
        self.ui.planLabel.setText(f"The file cannot be imported this way: {error}")

    def _show_plan(self, result: ImportResult) -> None:
        self.busy = False
        self.plan = result
        enrolment = describe_enrollment(result.counts, planned=True)
        summary = describe_counts(result.counts, planned=True)
        self.ui.planLabel.setText(summary + ("\n" + enrolment if enrolment else ""))
        preview = result.plan.preview()
        rows = [[item.get(c, "") for c in PREVIEW_COLUMNS] for item in preview]
        self.planned_model.set_rows([c.replace("_", " ") for c in PREVIEW_COLUMNS], rows)
        for column in ("action", "row", "email"):
            self.ui.plannedTable.resizeColumnToContents(PREVIEW_COLUMNS.index(column))

    def validateCurrentPage(self) -> bool:
        """Move on only when the step's background work has finished and makes sense."""
        page = self.currentId()
        if self.busy:
            return False
        if page in (FILE, PREVIEW):
            return self.opened is not None
        if page == MAPPING:
            return "email" in self.mapping()
        if page == OPTIONS:
            return self.plan is not None
        return True

    # -- step 5: import, summary, undo ---------------------------------------------------------
    def _entered(self, page: int) -> None:
        if page == OPTIONS:
            self.check_plan()
        elif page == RUN:
            self.start_import()

    def start_import(self) -> None:
        """Write the batch as one cancellable background job."""
        assert self.opened is not None
        db, table, mapping = self.context.db, self.opened.table, self.mapping()
        options, now = self.chosen_options(), self.context.clock.now()
        self.import_state = "running"
        self.ui.summaryLabel.setText("Importing…")
        self.ui.progressBar.setRange(0, 0)
        self.ui.cancelImportButton.setEnabled(True)
        self.ui.saveRejectsButton.setEnabled(False)
        self.ui.undoButton.setEnabled(False)
        self.button(QWizard.WizardButton.FinishButton).setEnabled(False)

        def job(progress: Any) -> ImportResult:
            def step(phase: str, done: int, total: int) -> None:
                progress.update(done, total, PHASES.get(phase, "Writing"))

            return run_import(db, table, mapping, options, now=now, progress=step)

        self.import_job = self.context.runner.run(
            job, on_done=self._imported, on_error=self._import_failed, label="Importing…",
            write=True, cancellable=True,
        )  # fmt: skip

    def _progressed(self, job_id: int, done: int, total: int, text: str) -> None:
        if self.import_job is None or job_id != self.import_job.job_id:
            return
        self.ui.progressBar.setRange(0, total)
        self.ui.progressBar.setValue(done)
        self.ui.summaryLabel.setText(f"{text} — {done:,} rows" if not total else f"{text}…")

    def cancel_import(self) -> None:
        """Ask the running import to stop; nothing is written."""
        if self.import_job is not None and self.import_state == "running":
            self.import_job.cancel()
            self.ui.summaryLabel.setText("Cancelling…")

    def _imported(self, result: ImportResult) -> None:
        self.import_state = "done"
        self.import_result = result
        self.batch_id = result.batch_id
        self.ui.progressBar.setRange(0, 1)
        self.ui.progressBar.setValue(1)
        self.ui.cancelImportButton.setEnabled(False)
        summary = describe_counts(result.counts, planned=False)
        enrolment = describe_enrollment(result.counts)
        self.ui.summaryLabel.setText(summary + ("\n" + enrolment if enrolment else ""))
        rejected = result.folded.rejected
        self.rejected_model.set_rows(
            ["Row", "Reason", *result.table.headers],
            [[r.row, r.reason, *r.values] for r in rejected],
        )
        self.ui.rejectedTable.resizeColumnToContents(1)
        self.ui.saveRejectsButton.setEnabled(bool(rejected))
        self.ui.undoButton.setEnabled(True)
        self.button(QWizard.WizardButton.FinishButton).setEnabled(True)
        if result.batch_id is not None:
            self.imported.emit(result.batch_id)

    def _import_failed(self, error: BaseException) -> None:
        self.import_state = "failed"
        self.ui.progressBar.setRange(0, 1)
        self.ui.cancelImportButton.setEnabled(False)
        self.ui.summaryLabel.setText(f"The import failed and nothing was written: {error}")
        self.button(QWizard.WizardButton.FinishButton).setEnabled(True)

    def _job_finished(self, job_id: int) -> None:
        if self.import_job is not None and job_id == self.import_job.job_id:
            if self.import_state == "running":  # ended without result or error: cancelled
                self.import_state = "cancelled"
                self.ui.progressBar.setRange(0, 1)
                self.ui.cancelImportButton.setEnabled(False)
                self.ui.summaryLabel.setText("The import was cancelled. Nothing was written.")
                self.button(QWizard.WizardButton.FinishButton).setEnabled(True)
            if self._close_when_idle:
                self.reject()

    def save_rejects_to(self, path: str) -> Path:
        """Write the rejected rows to ``path`` as CSV (to fix them and import again)."""
        assert self.import_result is not None
        return save_rejected(self.import_result, path)

    def _choose_rejects_file(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save rejected rows", "rejected.csv",
                                              "CSV (*.csv)")  # fmt: skip
        if path:
            self.save_rejects_to(path)

    def undo(self) -> None:
        """Undo the batch just imported (in the background)."""
        if self.batch_id is None:
            return
        db, batch_id, now = self.context.db, self.batch_id, self.context.clock.now()
        self.ui.undoButton.setEnabled(False)

        def job(_progress: Any) -> Any:
            with db.write() as session:
                return undo_batch(session, batch_id, now)

        def done(result: Any) -> None:
            self.import_state = "undone"
            self.ui.summaryLabel.setText(describe_undo(result))
            self.undone.emit(batch_id)

        self.context.runner.run(job, on_done=done, label="Undoing the import")

    # -- closing and drops ---------------------------------------------------------------------
    def reject(self) -> None:
        """Closing while importing cancels the import first, then closes."""
        if self.import_state == "running":
            self._close_when_idle = True
            self.cancel_import()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Route the window's close button through :meth:`reject`."""
        if self.import_state == "running":
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept a dragged file while choosing the file."""
        if event.mimeData().hasUrls() and self.currentId() in (FILE, PREVIEW):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """Open the dropped file."""
        urls = [u for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            self.set_file(urls[0].toLocalFile())
            event.acceptProposedAction()


def describe_counts(counts: dict[str, int], *, planned: bool) -> str:
    """One paragraph with the counts a user cares about."""
    verb = "will be" if planned else "were"
    first = [
        f"{counts['rows']:,} rows read",
        f"{counts['imported']:,} new leads",
        f"{counts['updated']:,} existing leads {verb} updated",
        f"{counts['unchanged']:,} already up to date",
    ]
    second = [
        f"{counts['duplicates']:,} duplicate rows folded",
        f"{counts['rejected']:,} rejected",
        f"{counts['suppressed']:,} suppressed (unsubscribed, bounced or forgotten)",
    ]
    head = "Nothing written yet — " if planned else "Imported — "
    return head + " · ".join(first) + "\n" + " · ".join(second)


__all__ = ["ImportWizard", "describe_counts"]
