"""The "Add lead" dialog: type in a person met off-list."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

from leaddesk.leads.emails import check_email

FIELDS = (
    ("email", "Email *"),
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("company", "Company"),
    ("title", "Title"),
    ("phone", "Phone"),
    ("source", "Source / event"),
)


class AddLeadDialog(QDialog):
    """Asks for the new lead's fields; the email's syntax is checked before it closes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add lead")
        form = QFormLayout(self)
        self.edits: dict[str, QLineEdit] = {}
        for field, text in FIELDS:
            edit = QLineEdit()
            self.edits[field] = edit
            form.addRow(text, edit)
        self.tags_edit = QLineEdit()
        self.tags_edit.setPlaceholderText("comma separated")
        form.addRow("Tags", self.tags_edit)
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b91c1c")
        form.addRow(self.error_label)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def accept(self) -> None:
        """Close only when the email looks like an address."""
        reason = check_email(self.edits["email"].text())
        if reason is not None:
            self.error_label.setText(reason)
            return
        super().accept()

    def values(self) -> tuple[dict[str, Any], list[str]]:
        """The typed fields and tags."""
        fields = {f: e.text() for f, e in self.edits.items() if e.text().strip()}
        tags = [t.strip() for t in self.tags_edit.text().split(",") if t.strip()]
        return fields, tags
