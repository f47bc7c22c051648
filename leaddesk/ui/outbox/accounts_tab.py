"""Settings → Accounts: the mailboxes LeadDesk sends from (add, edit, test, remove)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from leaddesk.db.models import SenderAccount, TeamMember
from leaddesk.handoff.identity import current_member
from leaddesk.mail import secrets
from leaddesk.mail.accounts import (
    account_password,
    account_values,
    add_account,
    domain_volume_warnings,
    edit_account,
    remove_account,
)
from leaddesk.ui.context import AppContext
from leaddesk.ui.outbox.account_dialog import AccountDialog, OwnerChoice
from leaddesk.ui.outbox.status import KEEP_IN_TRAY, keep_sending_in_tray

ACCOUNT_ROLE = Qt.ItemDataRole.UserRole + 1


NO_ACCOUNTS = (
    "No sender account yet. Add the mailbox LeadDesk sends from (your company address, or a "
    "relay that needs no login), then Test connection."
)


@dataclass
class _AccountsView:
    accounts: list[dict[str, Any]]
    warnings: list[str]
    owners: list[OwnerChoice]
    me: int | None


class AccountsSettings(QWidget):
    """The list of sender accounts with Add, Edit, Test and Remove."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        layout = QVBoxLayout(self)
        intro = QLabel(
            "LeadDesk sends from your own mailbox. Passwords are kept in your system's keyring "
            "(or, on a computer without one, only until LeadDesk closes)."
        )
        intro.setWordWrap(True)
        intro.setObjectName("pageSubtitle")
        layout.addWidget(intro)
        self.list = QListWidget()
        self.list.itemSelectionChanged.connect(self._update_buttons)
        self.list.itemDoubleClicked.connect(lambda _item: self.edit())
        layout.addWidget(self.list, 1)
        self.warning_label = QLabel()
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet("color: #8a5a00;")
        layout.addWidget(self.warning_label)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("Add account…")
        self.add_button.setProperty("primary", True)
        self.add_button.clicked.connect(self.add)
        self.edit_button = QPushButton("Edit…")
        self.edit_button.clicked.connect(self.edit)
        self.test_button = QPushButton("Test connection")
        self.test_button.clicked.connect(self.test)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove)
        for button in (self.add_button, self.edit_button, self.test_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.tray_box = QCheckBox("Keep sending in the system tray when the window is closed")
        self.tray_box.setChecked(keep_sending_in_tray(context))
        self.tray_box.toggled.connect(
            lambda on: context.preferences.setValue(KEEP_IN_TRAY, "true" if on else "false")
        )
        layout.addWidget(self.tray_box)
        self.accounts: list[dict[str, Any]] = []
        self.owners: list[OwnerChoice] = []
        self.me: int | None = None
        self.dialog: AccountDialog | None = None
        self._update_buttons()

    def load(self) -> None:
        """Read the accounts (and volume warnings) in the background."""
        db, clock = self.context.db, self.context.clock

        def job(_progress: Any) -> _AccountsView:
            with db.session() as session:
                accounts = [account_values(a) for a in session.scalars(select(SenderAccount))]
                members = session.scalars(
                    select(TeamMember).where(TeamMember.active).order_by(TeamMember.name)
                )
                owners = [OwnerChoice(m.id, m.name, m.email) for m in members]
                me = current_member(session, db)
                warnings = domain_volume_warnings(session, clock.now())
                return _AccountsView(accounts, warnings, owners, me.id if me else None)

        self.context.runner.run(job, on_done=self._loaded, write=False)

    def _loaded(self, view: _AccountsView) -> None:
        self.accounts, warnings = view.accounts, view.warnings
        self.owners, self.me = view.owners, view.me
        names = {owner.id: owner.name for owner in view.owners}
        self.list.clear()
        now = self.context.clock.now()
        for values in self.accounts:
            caps = ", ".join(
                f"{values[k]}/{unit}"
                for k, unit in (("per_minute", "min"), ("per_hour", "h"), ("per_day", "day"))
                if values[k]
            )
            text = f"{values['name']} — {values['from_address']} via {values['smtp_host']}"
            if caps:
                text += f" ({caps})"
            owner = values["member_id"]
            if owner is not None:
                mine = owner == self.me
                text += " · yours" if mine else f" · {names.get(owner, 'an inactive member')}'s"
            elif len(self.owners) > 1:
                text += " · the team's"
            paused = values["paused_until"]
            if paused is not None and paused > now:
                text += f"\n    Paused until {paused.astimezone():%H:%M}: {values['pause_reason']}"
            item = QListWidgetItem(text)
            item.setData(ACCOUNT_ROLE, values["id"])
            self.list.addItem(item)
        if not self.accounts:  # say what goes here and what it takes
            hint = QListWidgetItem(NO_ACCOUNTS)
            hint.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(hint)
        self.warning_label.setText("\n".join(warnings))
        self.warning_label.setVisible(bool(warnings))
        self._update_buttons()

    def selected(self) -> dict[str, Any] | None:
        """The selected account's settings."""
        items = self.list.selectedItems()
        if not items:
            return None
        account_id = items[0].data(ACCOUNT_ROLE)
        return next((a for a in self.accounts if a["id"] == account_id), None)

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        for button in (self.edit_button, self.test_button, self.remove_button):
            button.setEnabled(chosen)

    def add(self) -> None:
        """Open the form for a new account; save it when accepted."""
        # On a team, a new mailbox is most often the person's own; alone, it does not matter.
        default = self.me if len(self.owners) > 1 else None
        self.dialog = AccountDialog(
            self.context, parent=self, owners=self.owners, default_owner=default
        )
        self.dialog.accepted.connect(lambda: self._save(None))
        self.dialog.open()

    def edit(self) -> None:
        """Open the form for the selected account."""
        values = self.selected()
        if values is None:
            return
        self.dialog = AccountDialog(self.context, values, parent=self, owners=self.owners)
        self.dialog.accepted.connect(lambda: self._save(values["id"]))
        self.dialog.open()

    def _save(self, account_id: int | None) -> None:
        assert self.dialog is not None
        values, password = self.dialog.values(), self.dialog.password()
        db = self.context.db

        def job(_progress: Any) -> secrets.Storage | None:
            with db.write() as session:
                if account_id is None:
                    _, storage = add_account(session, values, password=password)
                    return storage
                account = session.get(SenderAccount, account_id)
                assert account is not None
                return edit_account(session, account, values, password=password)

        self.context.runner.run(job, on_done=self._saved, on_error=self._failed, label="Saving")

    def _saved(self, storage: secrets.Storage | None) -> None:
        if storage is secrets.Storage.SESSION:
            QMessageBox.information(
                self,
                "Password kept for this session",
                "This computer has no keyring, so the password is kept only until LeadDesk "
                "closes. LeadDesk will ask for it again next time.",
            )
        self.load()
        self._sender_changed()

    def _failed(self, error: BaseException) -> None:
        QMessageBox.warning(self, "Account not saved", str(error))

    def test(self) -> None:
        """Open the selected account with its stored password and run the connection test."""
        values = self.selected()
        if values is None:
            return
        self.dialog = AccountDialog(self.context, values, parent=self)
        db = self.context.db

        def lookup(_progress: Any) -> str | None:
            with db.session() as session:
                account = session.get(SenderAccount, values["id"])
                return account_password(account) if account is not None else None

        def ready(password: str | None) -> None:
            assert self.dialog is not None
            self.dialog.stored_password = password
            self.dialog.open()
            self.dialog.run_test()

        self.context.runner.run(lookup, on_done=ready, write=False)

    def remove(self) -> None:
        """Remove the selected account after a confirmation."""
        values = self.selected()
        if values is None:
            return
        answer = QMessageBox.question(
            self,
            "Remove account?",
            f"Remove {values['name']} and forget its password? Emails planned for it stay in "
            "the outbox until you pick another account.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        db = self.context.db

        def job(_progress: Any) -> None:
            with db.write() as session:
                account = session.get(SenderAccount, values["id"])
                if account is not None:
                    remove_account(session, account)

        self.context.runner.run(job, on_done=lambda _: self.load(), on_error=self._failed)

    def _sender_changed(self) -> None:
        sender = getattr(self.window(), "background_sender", None)
        if sender is not None:
            sender.asked.clear()
            sender.send_now()


def accounts_tab(context: AppContext) -> tuple[str, QWidget]:
    """The Accounts tab of Settings."""
    return "Accounts", AccountsSettings(context)
