"""The Sequences page: the list with its counts, and the editor for the selected sequence."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from leaddesk.db.models import Sequence, SequenceStatus
from leaddesk.sequences import catalog, lint, presets
from leaddesk.sequences.catalog import SequenceSummary
from leaddesk.ui.pages.base import Page
from leaddesk.ui.sequences.editor import SequenceEditor
from leaddesk.ui.sequences.list_model import SequenceListModel
from leaddesk.ui.widgets.empty_state import EmptyState

PRESET_TITLES = {
    "tradeshow": "Tradeshow follow-up (day 1, 7, 14, 30)",
    "monthly": "Six monthly emails",
}


class SequencesPage(Page):
    """Lists sequences with enrolled/active/completed/replied counts and edits the selected one."""

    key = "sequences"
    title = "Sequences"
    icon = ":/icons/sequences.svg"

    def build_empty_state(self) -> EmptyState:
        state = EmptyState(
            "No sequences yet",
            "A sequence is a schedule of helpful emails and follow-up tasks — for example a "
            "thank-you on day 1, a case study on day 7 and a consultation offer on day 30. "
            "Start from a ready-made one or load sample data to see one.",
        )
        state.add_action(
            "Create the tradeshow follow-up", lambda: self.create_from_preset("tradeshow"),
            primary=True,
        )  # fmt: skip
        state.add_action("Load sample data", self.sample_data_requested.emit)
        return state

    def build_content(self) -> QWidget:
        self._selected_id: int | None = None
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        toolbar = QHBoxLayout()
        self.new_button = QPushButton("New from preset")
        menu = QMenu(self.new_button)
        for key, title in PRESET_TITLES.items():
            menu.addAction(title, self._preset_creator(key))
        self.new_button.setMenu(menu)
        self.import_button = QPushButton("Import…")
        self.import_button.clicked.connect(self.import_file)
        self.export_button = QPushButton("Export…")
        self.export_button.clicked.connect(self.export_file)
        self.activate_button = QPushButton("Activate")
        self.activate_button.clicked.connect(self.toggle_active)
        for button in (self.new_button, self.import_button, self.export_button):
            toolbar.addWidget(button)
        toolbar.addStretch(1)
        toolbar.addWidget(self.activate_button)
        layout.addLayout(toolbar)
        splitter = QSplitter(Qt.Orientation.Vertical)
        self.model = SequenceListModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _: self._open(cur.row()))
        splitter.addWidget(self.table)
        # Room for the header and four sequences before the editor takes the rest.
        self.table.setMinimumHeight(self.table.verticalHeader().defaultSectionSize() * 5 + 8)
        self.editor = SequenceEditor(self.context)
        self.editor.saved.connect(self.data_changed.emit)
        splitter.addWidget(self.editor)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 4)
        layout.addWidget(splitter, 1)
        return content

    def _preset_creator(self, key: str) -> Callable[[], None]:
        def create() -> None:
            self.create_from_preset(key)

        return create

    def load(self, session: Any) -> list[SequenceSummary]:
        return catalog.summaries(session)

    def apply(self, data: list[SequenceSummary]) -> None:
        if not data:
            self.show_empty()
            return
        self.model.set_rows(data)
        row = self.model.row_of(self._selected_id) if self._selected_id is not None else -1
        self.show_content()
        self.select_row(max(row, 0))

    def select_row(self, row: int) -> None:
        """Select ``row`` in the list and open it in the editor."""
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self._open(row)

    def _open(self, row: int) -> None:
        if not 0 <= row < self.model.rowCount():
            return
        summary = self.model.summary(row)
        self.activate_button.setText("Pause" if summary.status == "active" else "Activate")
        if (
            self.editor.data is None
            or self.editor.data.sequence_id != summary.id
            or (self._selected_id != summary.id)
        ):
            self._selected_id = summary.id
            self.editor.open_sequence(summary.id)

    # actions -------------------------------------------------------------------------------
    def _write(self, function: Any, label: str, done: Any = None) -> None:
        def finished(result: Any) -> None:
            if done is not None:
                done(result)
            self.data_changed.emit()

        self.context.runner.run(function, on_done=finished, on_error=self._failed, label=label)

    def _failed(self, error: BaseException) -> None:
        QMessageBox.warning(self, "Sequences", str(error))

    def create_from_preset(self, key: str) -> None:
        """Create a new sequence from a shipped preset and select it."""

        def write(_progress: Any) -> int:
            with self.context.db.write() as session:
                document = presets.load_preset(key)
                name = catalog.unique_name(session, document["name"])
                return presets.sequence_from_document(session, document, name=name).id

        self._write(write, "Creating sequence", done=self._remember)

    def _remember(self, sequence_id: int) -> None:
        self._selected_id = sequence_id
        self.editor.data = None

    def import_file(self) -> None:
        """Import a sequence from a JSON file chosen by the user."""
        path, _ = QFileDialog.getOpenFileName(self, "Import sequence", "", "Sequences (*.json)")
        if path:
            self.import_path(Path(path))

    def import_path(self, path: Path) -> None:
        """Import ``path`` in the background and select the new sequence."""

        def write(_progress: Any) -> int:
            with self.context.db.write() as session:
                return catalog.read_import(session, path).id

        self._write(write, "Importing sequence", done=self._remember)

    def export_file(self) -> None:
        """Export the selected sequence to a JSON file chosen by the user."""
        if self._selected_id is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export sequence", "", "Sequences (*.json)")
        if path:
            self.export_path(Path(path))

    def export_path(self, path: Path) -> None:
        """Write the selected sequence to ``path`` in the background."""
        sequence_id = self._selected_id

        def read(_progress: Any) -> None:
            with self.context.db.session() as session:
                catalog.write_export(session, session.get_one(Sequence, sequence_id), path)

        self.context.runner.run(read, on_error=self._failed, write=False, label="Exporting")

    def toggle_active(self) -> None:
        """Pause an active sequence, or activate another one when lint finds no errors."""
        sequence_id = self._selected_id

        def write(_progress: Any) -> str:
            with self.context.db.write() as session:
                sequence = session.get_one(Sequence, sequence_id)
                if sequence.status == SequenceStatus.ACTIVE:
                    sequence.status = SequenceStatus.PAUSED
                    return ""
                findings = lint.lint_sequence(session, sequence)
                if lint.has_errors(findings):
                    return "\n".join(str(f) for f in findings if f.severity == lint.ERROR)
                sequence.status = SequenceStatus.ACTIVE
                return ""

        def done(problems: str) -> None:
            if problems:
                QMessageBox.information(self, "Not activated", problems)

        if sequence_id is not None:
            self._write(write, "Updating sequence", done=done)
