"""Add or edit a sender account: provider presets, server, login, limits, unsubscribe address."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import QDialog, QSpinBox, QWidget

from leaddesk.mail.accounts import PRESETS, SECURITY_CHOICES, AccountError, validate_account
from leaddesk.mail.check import ConnectionVerdict, test_connection
from leaddesk.mail.transport import ServerSettings
from leaddesk.ui.context import AppContext
from leaddesk.ui.forms.ui_account_dialog import Ui_AccountDialog

SECURITY_LABELS = {"ssl": "SSL/TLS", "starttls": "STARTTLS", "none": "None (this computer only)"}
CAPS = ("per_minute", "per_hour", "per_day")
TEAM_OWNER = "The team (any LeadDesk copy sends)"


@dataclass(frozen=True)
class OwnerChoice:
    """A team member an account can belong to."""

    id: int
    name: str
    email: str


class AccountDialog(QDialog):
    """The account form. ``values()`` returns plain settings; ``password()`` the typed password.

    An empty password field when editing keeps the stored password.
    """

    def __init__(
        self,
        context: AppContext,
        values: dict[str, Any] | None = None,
        parent: QWidget | None = None,
        *,
        owners: Sequence[OwnerChoice] = (),
        default_owner: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.editing = values is not None
        self.ui = Ui_AccountDialog()
        self.ui.setupUi(self)
        ui = self.ui
        self.setWindowTitle("Edit sender account" if self.editing else "Add sender account")
        self.name_edit, self.from_edit = ui.nameEdit, ui.fromEdit
        self.display_edit, self.reply_edit = ui.displayEdit, ui.replyEdit
        self.host_edit, self.port_spin = ui.hostEdit, ui.portSpin
        self.username_edit, self.password_edit = ui.usernameEdit, ui.passwordEdit
        self.unsubscribe_mailto_edit = ui.unsubscribeMailtoEdit
        self.unsubscribe_url_edit = ui.unsubscribeUrlEdit
        self.preset_note, self.verdict_label = ui.presetNote, ui.verdictLabel
        self.test_button, self.error_label, self.button_box = (
            ui.testButton,
            ui.errorLabel,
            ui.buttonBox,
        )
        self.preset_note.setObjectName("pageSubtitle")
        self.provider_combo = ui.providerCombo
        for key, preset in PRESETS.items():
            self.provider_combo.addItem(preset.label, key)
        self.provider_combo.currentIndexChanged.connect(self._apply_preset)
        self.security_combo = ui.securityCombo
        for key in SECURITY_CHOICES:
            self.security_combo.addItem(SECURITY_LABELS[key], key)
        if self.editing:
            self.password_edit.setPlaceholderText("leave empty to keep the stored password")
        self.cap_spins: dict[str, QSpinBox] = {
            "per_minute": ui.perMinuteSpin,
            "per_hour": ui.perHourSpin,
            "per_day": ui.perDaySpin,
        }
        for key, unit in zip(CAPS, ("a minute", "an hour", "a day"), strict=True):
            self.cap_spins[key].setSuffix(f" {unit}")
        self.test_button.clicked.connect(self.run_test)
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)
        self.last_verdict: ConnectionVerdict | None = None
        self.stored_password: str | None = None
        self.owner_combo = ui.ownerCombo
        self.owner_combo.addItem(TEAM_OWNER, None)
        for owner in owners:
            self.owner_combo.addItem(f"{owner.name} <{owner.email}>", owner.id)
        if values is not None:
            self.load(values)
        else:
            self._apply_preset()
            self._show_owner(default_owner)

    def _show_owner(self, member_id: int | None) -> None:
        index = self.owner_combo.findData(member_id)
        if index < 0 and member_id is not None:  # an inactive owner stays shown as it is
            self.owner_combo.addItem(f"Team member #{member_id} (inactive)", member_id)
            index = self.owner_combo.count() - 1
        self.owner_combo.setCurrentIndex(max(0, index))

    def _apply_preset(self) -> None:
        preset = PRESETS[self.provider_combo.currentData()]
        self.preset_note.setText(preset.note)
        if preset.key != "custom" or not self.host_edit.text():
            self.host_edit.setText(preset.smtp_host)
            self.port_spin.setValue(preset.smtp_port)
            self.security_combo.setCurrentIndex(SECURITY_CHOICES.index(preset.smtp_security))
        for key in CAPS:
            self.cap_spins[key].setValue(getattr(preset, key) or 0)

    def load(self, values: dict[str, Any]) -> None:
        """Fill the form from an account's settings."""
        self.provider_combo.blockSignals(True)
        self.provider_combo.setCurrentIndex(max(0, list(PRESETS).index(values["provider"])))
        self.provider_combo.blockSignals(False)
        self.preset_note.setText(PRESETS[values["provider"]].note)
        self.name_edit.setText(values["name"])
        self.from_edit.setText(values["from_address"])
        self.display_edit.setText(values["display_name"])
        self.reply_edit.setText(values["reply_to"])
        self.host_edit.setText(values["smtp_host"])
        self.port_spin.setValue(values["smtp_port"])
        self.security_combo.setCurrentIndex(SECURITY_CHOICES.index(values["smtp_security"]))
        self.username_edit.setText(values["smtp_username"])
        for key in CAPS:
            self.cap_spins[key].setValue(values[key] or 0)
        self.unsubscribe_mailto_edit.setText(values["unsubscribe_mailto"])
        self.unsubscribe_url_edit.setText(values["unsubscribe_url"])
        self._show_owner(values.get("member_id"))

    def values(self) -> dict[str, Any]:
        """The settings in the form (no password)."""
        values: dict[str, Any] = {
            "name": self.name_edit.text().strip(),
            "provider": self.provider_combo.currentData(),
            "from_address": self.from_edit.text().strip(),
            "display_name": self.display_edit.text().strip(),
            "reply_to": self.reply_edit.text().strip(),
            "smtp_host": self.host_edit.text().strip(),
            "smtp_port": self.port_spin.value(),
            "smtp_security": self.security_combo.currentData(),
            "smtp_username": self.username_edit.text().strip() or self.from_edit.text().strip(),
            "unsubscribe_mailto": self.unsubscribe_mailto_edit.text().strip(),
            "unsubscribe_url": self.unsubscribe_url_edit.text().strip(),
            "member_id": self.owner_combo.currentData(),
        }
        for key in CAPS:
            values[key] = self.cap_spins[key].value() or None
        return values

    def password(self) -> str | None:
        """The typed password (``None`` when left empty)."""
        return self.password_edit.text() or None

    def accept(self) -> None:
        """Close only when the settings are valid; otherwise say what to fix."""
        try:
            validate_account(self.values())
        except AccountError as error:
            self.error_label.setText(str(error))
            return
        if not self.editing and self.password() is None and self.values()["smtp_username"]:
            self.error_label.setText("Enter the password (or app password) of this mailbox.")
            return
        super().accept()

    def run_test(self) -> None:
        """Test the connection in the background and show the verdict."""
        values = self.values()
        settings = ServerSettings(
            values["smtp_host"],
            values["smtp_port"],
            values["smtp_security"],
            values["smtp_username"],
        )
        password = self.password() or self.stored_password or ""
        self.test_button.setEnabled(False)
        self.verdict_label.setText("Testing…")

        def job(_progress: Any) -> ConnectionVerdict:
            return test_connection(settings, password)

        self.context.runner.run(job, on_done=self._tested, on_error=self._test_failed, write=False)

    def _tested(self, verdict: ConnectionVerdict) -> None:
        self.last_verdict = verdict
        self.test_button.setEnabled(True)
        self.verdict_label.setText("\n".join(verdict.lines()))
        self.verdict_label.setStyleSheet("" if verdict.ok else "color: #b3261e;")

    def _test_failed(self, error: BaseException) -> None:
        self.test_button.setEnabled(True)
        self.verdict_label.setText(f"The test could not run: {error}")
