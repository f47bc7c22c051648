"""The import history (a Settings tab): every batch, with Undo."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from leaddesk.importing import import_history, undo_batch
from leaddesk.ui.context import AppContext
from leaddesk.ui.importing.models import RowsModel

COLUMNS = ["batch_id", "created_at", "file", "source", "state", "rows", "imported", "merged",
           "rejected", "suppressed"]  # fmt: skip
HEADERS = ["Batch", "When", "File", "Source", "State", "Rows", "New", "Merged", "Rejected",
           "Suppressed"]  # fmt: skip


class ImportHistory(QWidget):
    """Lists import batches, newest first; the selected one can be undone."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        layout = QVBoxLayout(self)
        hint = QLabel(
            "Undo removes the leads an import created and restores the fields it changed."
        )
        hint.setObjectName("pageSubtitle")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.empty_label = QLabel(
            "No imports yet. Choose File → Import a list… (Ctrl+I) to bring in a CSV or Excel "
            "file; "
            "every import is listed here and can be undone."
        )
        self.empty_label.setObjectName("emptyImports")
        self.empty_label.setWordWrap(True)
        self.empty_label.hide()
        layout.addWidget(self.empty_label)
        self.model = RowsModel(HEADERS)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.undo_button = QPushButton("Undo import")
        self.undo_button.setEnabled(False)
        self.undo_button.clicked.connect(self.undo_selected)
        buttons.addWidget(self.undo_button)
        layout.addLayout(buttons)
        self.loaded = False

    def load(self) -> None:
        """Read the history in the background."""
        db = self.context.db

        def read(_progress: Any) -> list[dict[str, Any]]:
            with db.session() as session:
                return import_history(session)

        self.context.runner.run(read, on_done=self._show, write=False, label="Loading imports")

    def _show(self, history: list[dict[str, Any]]) -> None:
        rows = []
        for item in history:
            when = item["created_at"].astimezone().strftime("%Y-%m-%d %H:%M")
            rows.append([when if c == "created_at" else item[c] for c in COLUMNS])
        self.model.set_rows(HEADERS, rows, history)
        self.table.resizeColumnsToContents()
        self.empty_label.setVisible(not rows)
        self.table.setVisible(bool(rows))
        self.loaded = True
        self._selection_changed()

    def _selected(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.object_at(rows[0].row()) if rows else None

    def _selection_changed(self, *_args: Any) -> None:
        item = self._selected()
        self.undo_button.setEnabled(item is not None and item["state"] == "committed")

    def undo_selected(self) -> None:
        """Undo the selected batch in the background, then reload."""
        item = self._selected()
        if item is None:
            return
        db, batch_id, now = self.context.db, item["batch_id"], self.context.clock.now()
        self.undo_button.setEnabled(False)

        def job(_progress: Any) -> Any:
            with db.write() as session:
                return undo_batch(session, batch_id, now)

        def failed(error: BaseException) -> None:
            QMessageBox.warning(self, "Undo", f"The import was not undone: {error}")
            self.load()

        def done(_result: Any) -> None:
            self.load()
            window = self.window()
            if hasattr(window, "data_changed"):
                window.data_changed.emit()  # every page shows the leads as they are now

        self.context.runner.run(job, on_done=done, on_error=failed, label="Undoing the import")


def import_history_tab(context: AppContext) -> tuple[str, QWidget]:
    """The Imports tab of the Settings page."""
    return "Imports", ImportHistory(context)
