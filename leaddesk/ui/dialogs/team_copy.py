"""File → Copy this database to a team server…: the GUI side of ``leaddesk db copy``."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from leaddesk.ui.context import AppContext

INTRO = (
    "Copies every lead, sequence, email and setting of this database, with its history, into "
    "an empty PostgreSQL database on your team's server. This database is only read. Each "
    "table's row count and checksum are compared at the end; cancel at any time and the server "
    "is left as it was."
)


class TeamCopyDialog(QDialog):
    """Asks where to copy to; the copy itself runs in the background with progress."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Copy this database to a team server")
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("postgresql://user:password@host:5432/leaddesk")
        self.url_edit.setMinimumWidth(420)
        self.replace_check = QCheckBox("Replace what the server database already holds")
        form = QFormLayout()
        form.addRow("Team &database:", self.url_edit)
        form.addRow("", self.replace_check)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Copy")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.url_edit.textChanged.connect(self._changed)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self._changed()

    def _changed(self) -> None:
        ok = self.url_edit.text().strip().startswith(("postgresql://", "postgres://"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)


def start_team_copy(
    parent: QWidget, context: AppContext, url: str, replace: bool, on_finished: Any = None
) -> None:
    """Run the copy on the task runner (progress and Cancel in the status bar)."""
    source = context.db

    def job(progress: Any) -> str:
        from leaddesk.db.copy import copy_database
        from leaddesk.db.migrate import open_database

        target = open_database(url)
        try:
            report = copy_database(
                source,
                target,
                replace=replace,
                progress=lambda table, done, total: progress.update(done, total, table),
                should_stop=lambda: progress.cancelled,
            )
            return (
                f"Copied {report.rows:,} rows in {len(report.tables)} tables to "
                f"{target.describe()}; every table's row count and checksum match.\n\n"
                "This database was not changed. To work on the team server, start LeadDesk "
                "with --db and the server's address (or set LEADDESK_DB)."
            )
        finally:
            target.dispose()

    def done(message: str) -> None:
        QMessageBox.information(parent, "Copied to the team server", message)
        if on_finished is not None:
            on_finished(message)

    def failed(error: BaseException) -> None:
        QMessageBox.warning(parent, "Copy to the team server", f"Nothing was copied: {error}")
        if on_finished is not None:
            on_finished(error)

    context.runner.run(
        job,
        on_done=done,
        on_error=failed,
        label="Copying to the team server",
        write=False,
        cancellable=True,
    )
