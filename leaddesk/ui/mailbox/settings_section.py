"""The IMAP section of a sender account's settings, and the Settings → Mailbox tab.

``ImapSettingsSection`` is self-contained so the Accounts tab can embed it::

    section = ImapSettingsSection(context)
    layout.addWidget(section)
    section.set_account(account_id)   # when the selected account changes (None: disabled)
    section.save()                    # or let the user press the section's own Save

It loads and saves in the background and never touches the network on the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from leaddesk.db.models import SenderAccount
from leaddesk.mailbox.credentials import KIND, get_password
from leaddesk.mailbox.settings import (
    DEFAULT_PORTS,
    ConnectionCheck,
    ImapConfig,
    check_connection,
    save_imap_settings,
)
from leaddesk.ui.context import AppContext
from leaddesk.ui.forms.ui_imap_settings import Ui_ImapSettingsForm

SECURITY_LABELS = (("ssl", "SSL/TLS"), ("starttls", "STARTTLS"), ("none", "None (unencrypted)"))


@dataclass(frozen=True)
class _Loaded:
    account_id: int
    from_address: str
    config: ImapConfig
    has_password: bool


class ImapSettingsSection(QWidget):
    """Edit one account's IMAP server, login, folders and poll interval; test the connection."""

    saved = Signal(int)  # account id

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.ui = Ui_ImapSettingsForm()
        self.ui.setupUi(self)
        self.ui.introLabel.setObjectName("pageSubtitle")
        self.setMaximumWidth(720)
        self.ui.portSpin.setFixedWidth(90)
        for value, label in SECURITY_LABELS:
            self.ui.securityCombo.addItem(label, value)
        self.ui.saveButton.setProperty("primary", True)
        self.ui.securityCombo.currentIndexChanged.connect(self._security_changed)
        self.ui.saveButton.clicked.connect(self.save)
        self.ui.testButton.clicked.connect(self.test_connection)
        self.account_id: int | None = None
        self._security = "ssl"
        self.set_account(None)

    # -- loading -----------------------------------------------------------------------------

    def set_account(self, account_id: int | None) -> None:
        """Show the settings of ``account_id`` (None: nothing selected, fields disabled)."""
        self.account_id = account_id
        self.ui.passwordEdit.clear()
        self.ui.resultLabel.clear()
        self.setEnabled(account_id is not None)
        if account_id is None:
            return
        db = self.context.db

        def read(_progress: Any) -> _Loaded | None:
            with db.session() as session:
                account = session.get(SenderAccount, account_id)
                if account is None:
                    return None
                config = ImapConfig.of(account)
                username = config.username or account.from_address
                return _Loaded(
                    account.id,
                    account.from_address,
                    config,
                    bool(get_password(KIND, account.id, username)),
                )

        self.context.runner.run(read, on_done=self._fill, write=False)

    def _fill(self, loaded: _Loaded | None) -> None:
        if loaded is None or loaded.account_id != self.account_id:
            return
        config = loaded.config
        self.ui.hostEdit.setText(config.host)
        self._security = config.security
        self.ui.securityCombo.setCurrentIndex(
            max(0, self.ui.securityCombo.findData(config.security))
        )
        self.ui.portSpin.setValue(config.port)
        self.ui.usernameEdit.setText(config.username)
        self.ui.usernameEdit.setPlaceholderText(loaded.from_address)
        self.ui.passwordEdit.setPlaceholderText(
            "stored in the system keyring" if loaded.has_password else "not stored yet"
        )
        self.ui.foldersEdit.setText(", ".join(config.folders))
        self.ui.sentFolderEdit.setText(config.sent_folder)
        self.ui.pollSpin.setValue(config.poll_minutes)
        self.ui.sentCopyCheck.setChecked(config.append_to_sent)

    def _security_changed(self) -> None:
        new = str(self.ui.securityCombo.currentData())
        if self.ui.portSpin.value() == DEFAULT_PORTS.get(self._security):
            self.ui.portSpin.setValue(DEFAULT_PORTS[new])
        self._security = new

    # -- reading the form --------------------------------------------------------------------

    def config(self) -> ImapConfig:
        """The settings as typed (not yet saved)."""
        folders = [f.strip() for f in self.ui.foldersEdit.text().split(",") if f.strip()]
        return ImapConfig(
            host=self.ui.hostEdit.text().strip(),
            port=self.ui.portSpin.value(),
            security=str(self.ui.securityCombo.currentData()),
            username=self.ui.usernameEdit.text().strip() or self.ui.usernameEdit.placeholderText(),
            folders=folders or ["INBOX"],
            sent_folder=self.ui.sentFolderEdit.text().strip() or "Sent",
            poll_minutes=self.ui.pollSpin.value(),
            append_to_sent=self.ui.sentCopyCheck.isChecked(),
        )

    def _show_result(self, ok: bool, text: str) -> None:
        self.ui.resultLabel.setProperty("error", not ok)
        self.ui.resultLabel.setStyleSheet("" if ok else "color: #b3261e;")
        self.ui.resultLabel.setText(text)

    # -- actions -----------------------------------------------------------------------------

    def save(self) -> None:
        """Store the settings (and the typed password in the keyring) in the background."""
        if self.account_id is None:
            return
        config = self.config()
        problems = config.problems()
        if problems:
            self._show_result(False, "Not saved: " + "; ".join(problems) + ".")
            return
        account_id, password = self.account_id, self.ui.passwordEdit.text() or None
        db = self.context.db
        self.ui.saveButton.setEnabled(False)

        def write(_progress: Any) -> bool:
            return save_imap_settings(db, account_id, config, password)

        self.context.runner.run(
            write,
            on_done=lambda stored: self._saved(account_id, bool(stored), bool(password)),
            on_error=self._save_failed,
            label="Saving IMAP settings",
        )

    def _saved(self, account_id: int, stored: bool, had_password: bool) -> None:
        self.ui.saveButton.setEnabled(True)
        self.ui.passwordEdit.clear()
        if had_password and not stored:
            self._show_result(
                False,
                "Saved, but no system keyring is available: the password is kept only until "
                "LeadDesk closes.",
            )
        else:
            self._show_result(True, "IMAP settings saved.")
        self.saved.emit(account_id)

    def _save_failed(self, error: BaseException) -> None:
        self.ui.saveButton.setEnabled(True)
        self._show_result(False, f"Not saved: {error}")

    def test_connection(self) -> None:
        """Log in read-only with the typed settings and report the folders (off the GUI thread)."""
        config, password, account_id = self.config(), self.ui.passwordEdit.text(), self.account_id
        self.ui.testButton.setEnabled(False)
        self._show_result(True, "Connecting…")

        def probe(_progress: Any) -> ConnectionCheck:
            return check_connection(config, password or None, account_id=account_id)

        self.context.runner.run(
            probe, on_done=self._tested, on_error=self._test_failed, write=False
        )

    def _tested(self, check: ConnectionCheck) -> None:
        self.ui.testButton.setEnabled(True)
        self._show_result(check.ok, check.message)

    def _test_failed(self, error: BaseException) -> None:
        self.ui.testButton.setEnabled(True)
        self._show_result(False, f"The test failed: {error}")


class MailboxSettingsTab(QWidget):
    """Settings → Mailbox: pick a sender account and edit its IMAP section."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.account_combo = QComboBox()
        self.account_combo.setMinimumWidth(240)
        self.account_combo.currentIndexChanged.connect(self._account_changed)
        form.addRow("Sender account:", self.account_combo)
        layout.addLayout(form)
        self.no_accounts_label = QLabel(
            "Add a sender account first (Settings → Accounts); replies are read from its mailbox."
        )
        self.no_accounts_label.setWordWrap(True)
        self.no_accounts_label.setObjectName("notice")
        layout.addWidget(self.no_accounts_label)
        self.section = ImapSettingsSection(context)
        layout.addWidget(self.section)
        layout.addStretch(1)

    def load(self) -> None:
        """List the sender accounts (in the background) and show the first one's settings."""
        db = self.context.db

        def read(_progress: Any) -> list[tuple[int, str]]:
            from sqlalchemy import select

            with db.session() as session:
                rows = session.execute(
                    select(SenderAccount.id, SenderAccount.name).order_by(SenderAccount.name)
                )
                return [(row.id, row.name) for row in rows]

        self.context.runner.run(read, on_done=self._fill_accounts, write=False)

    def _fill_accounts(self, accounts: list[tuple[int, str]]) -> None:
        current = self.account_combo.currentData()
        self.account_combo.blockSignals(True)
        self.account_combo.clear()
        for account_id, name in accounts:
            self.account_combo.addItem(name, account_id)
        index = self.account_combo.findData(current)
        self.account_combo.setCurrentIndex(index if index >= 0 else (0 if accounts else -1))
        self.account_combo.blockSignals(False)
        self.no_accounts_label.setVisible(not accounts)
        self.account_combo.setEnabled(bool(accounts))
        self._account_changed()

    def _account_changed(self) -> None:
        data = self.account_combo.currentData()
        self.section.set_account(int(data) if data is not None else None)


def mailbox_tab(context: AppContext) -> tuple[str, QWidget]:
    """The Settings → Mailbox tab (registered in ``SETTINGS_TABS``)."""
    return "Mailbox", MailboxSettingsTab(context)
