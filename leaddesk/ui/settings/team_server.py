"""Settings → Team server: where the shared PostgreSQL is, a step-by-step test, and the switch."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from leaddesk.db import team_server
from leaddesk.db.team_server import TLS_MODES, TeamServer
from leaddesk.ui.context import AppContext

INTRO = (
    "A team works on one shared PostgreSQL database. Enter its server here, test the "
    "connection, then choose “Use this server”: LeadDesk opens it from the next start on this "
    "computer. To move the data you already have, use File → Copy this database to a team "
    "server first. The password is kept in the system keyring."
)
TLS_LABELS = {
    "require": "Require TLS (recommended)",
    "verify-full": "Require TLS and verify the certificate",
    "prefer": "Use TLS when the server offers it",
    "disable": "No TLS (only on a trusted network)",
}


class TeamServerSettings(QWidget):
    """The form; Test runs in the background and says which step failed."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        self.current_label = QLabel()
        self.current_label.setObjectName("notice")
        self.current_label.setWordWrap(True)
        self.host_edit = QLineEdit(placeholderText="db.example.com")
        self.port_spin = QSpinBox(minimum=1, maximum=65535, value=5432)
        self.database_edit = QLineEdit(placeholderText="leaddesk")
        self.user_edit = QLineEdit(placeholderText="your database user")
        self.password_edit = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.tls_combo = QComboBox()
        for mode in TLS_MODES:
            self.tls_combo.addItem(TLS_LABELS[mode], mode)
        self.ca_edit = QLineEdit(placeholderText="the CA certificate file (.pem, .crt)")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_edit, 1)
        ca_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("&Server:", self.host_edit)
        form.addRow("&Port:", self.port_spin)
        form.addRow("&Database:", self.database_edit)
        form.addRow("&User:", self.user_edit)
        form.addRow("Pass&word:", self.password_edit)
        form.addRow("&TLS:", self.tls_combo)
        ca_label = QLabel("&CA file:")
        ca_label.setBuddy(self.ca_edit)
        form.addRow(ca_label, ca_row)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.test_button = QPushButton("&Test connection")
        self.use_button = QPushButton("Use this &server")
        self.local_button = QPushButton("Use the &local file")
        self.test_button.clicked.connect(self.test)
        self.use_button.clicked.connect(self.use)
        self.local_button.clicked.connect(self.use_local)
        buttons = QHBoxLayout()
        for button in (self.test_button, self.use_button, self.local_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.port_spin.setMaximumWidth(120)
        fields = QWidget()
        fields.setLayout(form)
        fields.setMaximumWidth(720)  # as the Mailbox tab: fields a reader's eye can follow
        layout = QVBoxLayout(self)
        for widget in (intro, self.current_label):
            layout.addWidget(widget)
        layout.addWidget(fields)
        layout.addWidget(self.result_label)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self.tls_combo.currentIndexChanged.connect(self._tls_changed)
        self.load()

    def load(self) -> None:
        """Show the saved settings and which database this window has open."""
        saved = team_server.load()
        self.host_edit.setText(saved.host)
        self.port_spin.setValue(saved.port)
        self.database_edit.setText(saved.database)
        self.user_edit.setText(saved.user)
        self.tls_combo.setCurrentIndex(max(0, self.tls_combo.findData(saved.tls)))
        self.ca_edit.setText(saved.ca_file)
        self.password_edit.setPlaceholderText("")
        if saved.host and saved.user:  # the keyring can be slow to answer: never on this thread
            self.context.runner.run(
                lambda _progress: bool(team_server.stored_password(saved)),
                on_done=self._show_password_state,
                write=False,
                label="Reading the keyring",
            )
        else:
            self._show_password_state(False)
        db = self.context.db
        where = "the local file" if db.is_sqlite else "the team server"
        default = "the team server" if saved.active else "the local file"
        self.current_label.setText(
            f"This window has {where} open: {db.describe()}. At start LeadDesk opens {default}."
        )
        self._tls_changed()

    def server(self) -> TeamServer:
        """The settings as typed."""
        return TeamServer(
            host=self.host_edit.text().strip(),
            port=self.port_spin.value(),
            database=self.database_edit.text().strip() or "leaddesk",
            user=self.user_edit.text().strip(),
            tls=str(self.tls_combo.currentData()),
            ca_file=self.ca_edit.text().strip(),
        )

    def _show_password_state(self, stored: bool) -> None:
        self.password_edit.setPlaceholderText(
            "stored in the system keyring" if stored else "not stored yet"
        )

    def test(self) -> None:
        """Check the connection step by step in the background."""
        server = self.server()
        problems = server.problems()
        if problems:
            self._show(False, "; ".join(problems))
            return
        typed = self.password_edit.text()
        self.test_button.setEnabled(False)
        self._show(True, "Testing…")

        def job(_progress: Any) -> Any:
            from leaddesk.db.team_check import check_team_database

            return check_team_database(server.url(typed or team_server.stored_password(server)))

        def done(result: Any) -> None:
            self.test_button.setEnabled(True)
            message = str(result.message)
            self._show(result.ok, message[:1].upper() + message[1:])

        self.context.runner.run(job, on_done=done, write=False, label="Testing the team server")

    def use(self) -> None:
        """Make this server the database LeadDesk opens at start (saved; password kept)."""
        server = self.server()
        problems = server.problems()
        if problems:
            self._show(False, "; ".join(problems))
            return
        server.active = True
        typed = self.password_edit.text() or None
        self.password_edit.clear()

        def saved(_result: object) -> None:
            self.load()
            QMessageBox.information(
                self,
                "Team server",
                "LeadDesk will open the team server the next time it starts. Close and start "
                "LeadDesk again to switch now.",
            )

        self.context.runner.run(
            lambda _progress: team_server.save(server, typed),  # the keyring, off this thread
            on_done=saved,
            on_error=lambda error: self._show(False, f"Not saved: {error}"),
            write=False,
            label="Saving the team server",
        )

    def use_local(self) -> None:
        """Go back to the local file at the next start (the server settings are kept)."""
        server = self.server()
        server.active = False
        team_server.save(server)
        self.load()
        self._show(True, "LeadDesk will open the local file the next time it starts.")

    def _show(self, ok: bool, text: str) -> None:
        self.result_label.setStyleSheet("" if ok else "color: #b3261e;")
        self.result_label.setText(text)

    def _tls_changed(self) -> None:
        self.ca_edit.setEnabled(self.tls_combo.currentData() == "verify-full")

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "CA certificate", "", "Certificates (*.pem *.crt *.cer);;All files (*)"
        )
        if path:
            self.ca_edit.setText(path)


def team_server_tab(context: AppContext) -> tuple[str, QWidget]:
    """The Team server tab."""
    return "Team server", TeamServerSettings(context)
