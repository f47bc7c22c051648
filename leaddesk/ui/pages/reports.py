"""The Reports page: seven reports for a period and its comparison, with figures, charts, tables,
exports and a one-page PDF per report.

Every number comes from the reports core (``leaddesk.reports``), computed off the GUI thread;
a result that arrives after the user picked something else is dropped. Charts are drawn with
QtCharts, imported the first time a report with a chart is shown.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from leaddesk.reports.catalog import REPORTS
from leaddesk.reports.export import export_csv, export_xlsx
from leaddesk.reports.model import Report, ReportError
from leaddesk.ui.pages.base import Page
from leaddesk.ui.reports import jobs
from leaddesk.ui.reports.controls import ReportControls
from leaddesk.ui.reports.jobs import ReportChoices
from leaddesk.ui.reports.views import FigureCard, table_view
from leaddesk.ui.widgets.empty_state import EmptyState

CARD_COLUMNS = 4
EMPTY_REPORT = {
    "funnel": "No leads entered in this period. Pick a longer period, or import a list.",
    "acceleration": "No leads entered in this period, so there is nothing to time yet.",
    "sequences": "No sequence emails were sent in this period: enrol leads in a sequence and "
    "set up sending (Outbox).",
    "sla": "No hand-offs in this period: leads are handed to sales when they reach the "
    "sales-ready score, or by hand (Ctrl+H in the Inbox).",
    "outcomes": "No deals in this period: mark deals won or lost in the Sales queue.",
    "calibration": "No hand-off has a known outcome in this period yet: record won and lost "
    "deals in the Sales queue.",
    "list-health": "No leads match these filters.",
}


def _clear(layout: QVBoxLayout | QGridLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            widget.deleteLater()


class ReportsPage(Page):
    """Pick a report, a period and filters; read the figures; export, or save as PDF."""

    key = "reports"
    title = "Reports"
    subtitle = (
        "Each figure is for the period you pick, beside the period before it; hover a figure "
        "for what it counts."
    )
    icon = ":/icons/reports.svg"

    def build_empty_state(self) -> EmptyState:
        state = EmptyState(
            "No numbers yet",
            "Reports fill in as soon as you have leads: the funnel, how fast leads move, what "
            "each email did, whether reps followed up in time, deals and what each source "
            "earned.",
        )
        self.add_getting_started_actions(state)
        return state

    def build_content(self) -> QWidget:
        self.choices = ReportChoices()
        self.report: Report | None = None
        self._generation = 0
        self.last_message = ""
        self.picker = QListWidget()
        self.picker.setObjectName("reportPicker")
        for name, (title, _maker, answers) in REPORTS.items():
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setToolTip(answers[:1].upper() + answers[1:])
            self.picker.addItem(item)
        self.picker.setFixedWidth(180)
        self.picker.setStyleSheet("QListWidget#reportPicker::item { padding: 7px 6px; }")
        self.picker.setCurrentRow(0)
        self.picker.currentRowChanged.connect(lambda _row: self.compute())
        self.controls = ReportControls(self.context.clock.now().date())
        self.controls.changed.connect(self.compute)
        self.answers_label = QLabel()
        self.answers_label.setObjectName("reportAnswers")
        self.csv_button = QPushButton("Export CSV…")
        self.xlsx_button = QPushButton("Export XLSX…")
        self.pdf_button = QPushButton("Save as PDF…")
        pdf_menu = QMenu(self)
        pdf_menu.addAction("This report", lambda: self.ask_pdf(all_reports=False))
        pdf_menu.addAction("All seven reports", lambda: self.ask_pdf(all_reports=True))
        self.pdf_button.setMenu(pdf_menu)
        self.pdf_button.setToolTip("A one-page summary per report, to forward")
        self.csv_button.clicked.connect(lambda: self.ask_export(".csv"))
        self.xlsx_button.clicked.connect(lambda: self.ask_export(".xlsx"))
        actions = QHBoxLayout()
        actions.addWidget(self.answers_label, 1)
        for button in (self.csv_button, self.xlsx_button, self.pdf_button):
            actions.addWidget(button)
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.setContentsMargins(0, 0, 8, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.body)
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self.controls)
        right.addLayout(actions)
        right.addWidget(scroll, 1)
        content = QWidget()
        layout = QHBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.picker)
        layout.addLayout(right, 1)
        return content

    # -- loading -----------------------------------------------------------------------------
    @property
    def report_name(self) -> str:
        """The report picked in the list."""
        item = self.picker.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else "funnel"

    def pick(self, name: str) -> None:
        """Show the report called ``name``."""
        names = list(REPORTS)
        self.picker.setCurrentRow(names.index(name))

    def refresh(self) -> None:
        """Reload the filter choices, then the report shown."""
        db = self.context.db
        self.context.runner.run(
            lambda _progress: jobs.load_choices(db),
            on_done=self._choices_loaded,
            write=False,
            label="Loading reports",
        )

    def _choices_loaded(self, choices: ReportChoices) -> None:
        self.choices = choices
        if choices.leads == 0:
            self.loaded = True
            self.show_empty()
            return
        self.controls.set_choices(choices)
        self.show_content()
        self.compute()

    def compute(self) -> None:
        """Make the picked report for the chosen period and filters, in the background."""
        if self.choices.leads == 0:
            return
        now = self.context.clock.now()
        try:
            flt = self.controls.report_filter(now)
        except ReportError as problem:
            self.answers_label.setText(str(problem)[:1].upper() + str(problem)[1:])
            return
        self._generation += 1
        generation, name, db = self._generation, self.report_name, self.context.db
        self.answers_label.setText(REPORTS[name][2][:1].upper() + REPORTS[name][2][1:] + "…")

        def make(_progress: Any) -> tuple[int, Report]:
            return generation, jobs.run_report(db, name, flt, now)

        self.context.runner.run(
            make, on_done=self._made, on_error=self._failed, write=False, label="Making the report"
        )

    def _made(self, result: tuple[int, Report]) -> None:
        generation, report = result
        if generation != self._generation:
            return  # the user picked something else meanwhile
        self.report = report
        self.loaded = True
        self.show_report(report)

    def _failed(self, error: BaseException) -> None:
        self.loaded = True
        self.answers_label.setText(f"The report could not be made: {error}")

    # -- showing -----------------------------------------------------------------------------
    def show_report(self, report: Report) -> None:
        """Lay out ``report``: cards, charts, cost editor (ROI), tables, notes."""
        _clear(self.body_layout)
        currency = self.choices.currency
        answers = REPORTS[report.name][2]
        self.answers_label.setText(f"<b>{report.title}</b> — {answers}")
        if report.empty:
            note = QLabel(EMPTY_REPORT.get(report.name, "Nothing to report in this period."))
            note.setObjectName("reportEmpty")
            note.setWordWrap(True)
            self.body_layout.addWidget(note)
        grid = QGridLayout()
        for column in range(CARD_COLUMNS):
            grid.setColumnStretch(column, 1)  # cards of one width, whatever their text
        self.cards = [FigureCard(figure, currency) for figure in report.figures]
        for index, card in enumerate(self.cards):
            grid.addWidget(card, index // CARD_COLUMNS, index % CARD_COLUMNS)
        holder = QWidget()
        holder.setLayout(grid)
        grid.setContentsMargins(0, 0, 0, 0)
        self.body_layout.addWidget(holder)
        if report.charts and not report.empty:
            from leaddesk.ui.reports.charts import chart_view  # QtCharts on first use

            for series in report.charts:
                self.body_layout.addWidget(chart_view(series))
        if report.name == "outcomes":
            self.body_layout.addWidget(self._cost_editor())
        for table in report.tables:
            title = QLabel(f"<b>{table.title}</b>")
            self.body_layout.addWidget(title)
            self.body_layout.addWidget(table_view(table, currency))
        for note_text in report.notes:
            note = QLabel(note_text)
            note.setObjectName("pageSubtitle")
            note.setWordWrap(True)
            self.body_layout.addWidget(note)
        self.body_layout.addStretch(1)

    def _cost_editor(self) -> QWidget:
        box = QWidget()
        box.setObjectName("costEditor")
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 4, 0, 4)
        self.cost_source = QComboBox()
        self.cost_source.setObjectName("costSource")
        for source in self.choices.sources:
            self.cost_source.addItem(source, source)
        self.cost_amount = QLineEdit()
        self.cost_amount.setObjectName("costAmount")
        self.cost_amount.setPlaceholderText(f"e.g. 12,000 ({self.choices.currency})")
        self.cost_source.currentIndexChanged.connect(self._show_cost)
        save = QPushButton("Save cost")
        save.clicked.connect(self.save_cost)
        self.cost_amount.returnPressed.connect(self.save_cost)
        row.addWidget(QLabel("What did a source cost (booth, ads, travel)?"))
        row.addWidget(self.cost_source)
        row.addWidget(self.cost_amount)
        row.addWidget(save)
        row.addStretch(1)
        self._show_cost()
        return box

    def _show_cost(self) -> None:
        cents = self.choices.costs.get(str(self.cost_source.currentData()))
        self.cost_amount.setText("" if cents is None else f"{cents / 100:g}")

    def save_cost(self) -> None:
        """Save the cost typed for the chosen source, then recompute the report."""
        source, amount = str(self.cost_source.currentData() or ""), self.cost_amount.text()
        db = self.context.db
        self.context.runner.run(
            lambda _progress: jobs.save_cost(db, source, amount),
            on_done=self._cost_saved,
            on_error=lambda error: self._tell(f"Not saved: {error}", warn=True),
            label="Saving the cost",
        )

    def _cost_saved(self, message: str) -> None:
        self._tell(message)
        self.refresh()

    # -- export ------------------------------------------------------------------------------
    def ask_export(self, suffix: str) -> None:
        """Ask where to write the shown report as CSV or XLSX."""
        if self.report is None:
            return
        kind = "CSV (*.csv)" if suffix == ".csv" else "Excel workbook (*.xlsx)"
        name, _chosen = QFileDialog.getSaveFileName(
            self, "Export the report", f"{self.report.title}{suffix}", kind
        )
        if name:
            self.export_to(Path(name).with_suffix(suffix))

    def export_to(self, path: Path) -> None:
        """Write the shown report to ``path`` (CSV or XLSX by its suffix), in the background."""
        report = self.report
        if report is None:
            return
        writer = export_xlsx if path.suffix.lower() == ".xlsx" else export_csv
        self.context.runner.run(
            lambda _progress: writer(report, path),
            on_done=lambda written: self._tell(f"Saved {Path(written).name}."),
            on_error=lambda error: self._tell(f"Not saved: {error}", warn=True),
            write=False,
            label="Exporting the report",
        )

    def ask_pdf(self, *, all_reports: bool) -> None:
        """Ask where to save this report (or all seven) as a PDF."""
        title = "LeadDesk reports" if all_reports else (self.report.title if self.report else "")
        name, _chosen = QFileDialog.getSaveFileName(
            self, "Save as PDF", f"{title}.pdf", "PDF (*.pdf)"
        )
        if name:
            self.save_pdf(Path(name).with_suffix(".pdf"), all_reports=all_reports)

    def save_pdf(self, path: Path, *, all_reports: bool) -> None:
        """Make the reports off the GUI thread, then lay them out as a PDF at ``path``."""
        now = self.context.clock.now()
        try:
            flt = self.controls.report_filter(now)
        except ReportError as problem:
            self._tell(str(problem), warn=True)
            return
        names = list(REPORTS) if all_reports else [self.report_name]
        db, currency = self.context.db, self.choices.currency

        def done(reports: list[Report]) -> None:
            from leaddesk.ui.reports.pdf import reports_pdf

            try:
                path.write_bytes(reports_pdf(reports, currency))
            except OSError as error:
                self._tell(f"Not saved: {error}", warn=True)
                return
            self._tell(f"Saved {path.name} ({len(reports)} page{'s' if len(reports) > 1 else ''}).")

        self.context.runner.run(
            lambda _progress: jobs.run_reports(db, names, flt, now),
            on_done=done,
            on_error=lambda error: self._tell(f"Not saved: {error}", warn=True),
            write=False,
            label="Making the PDF",
        )

    def _tell(self, message: str, *, warn: bool = False) -> None:
        self.last_message = message
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(message, 10000)
        if warn:
            box = QMessageBox(QMessageBox.Icon.Warning, "Reports", message, parent=self)
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.open()
