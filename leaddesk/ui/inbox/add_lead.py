"""The "Add lead" dialog: type in a person met off-list (form: ui/add_lead_dialog.ui)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialog, QLineEdit, QWidget

from leaddesk.leads.emails import check_email
from leaddesk.ui.forms.ui_add_lead_dialog import Ui_AddLeadDialog


class AddLeadDialog(QDialog):
    """Asks for the new lead's fields; the email's syntax is checked before it closes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_AddLeadDialog()
        self.ui.setupUi(self)
        self.edits: dict[str, QLineEdit] = {
            "email": self.ui.emailEdit,
            "first_name": self.ui.firstNameEdit,
            "last_name": self.ui.lastNameEdit,
            "company": self.ui.companyEdit,
            "title": self.ui.titleEdit,
            "phone": self.ui.phoneEdit,
            "source": self.ui.sourceEdit,
        }
        self.ui.buttonBox.accepted.connect(self.accept)
        self.ui.buttonBox.rejected.connect(self.reject)

    def accept(self) -> None:
        """Close only when the email looks like an address."""
        reason = check_email(self.ui.emailEdit.text())
        if reason is not None:
            self.ui.errorLabel.setText(reason)
            return
        super().accept()

    def values(self) -> tuple[dict[str, Any], list[str]]:
        """The typed fields and tags."""
        fields = {f: e.text() for f, e in self.edits.items() if e.text().strip()}
        tags = [t.strip() for t in self.ui.tagsEdit.text().split(",") if t.strip()]
        return fields, tags
