"""The About dialog: name, version, schema, Qt, and which database is open."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QWidget

from leaddesk.about import version_lines
from leaddesk.ui.forms.ui_about_dialog import Ui_AboutDialog


class AboutDialog(QDialog):
    """Shows what ``leaddesk --version`` prints, and the database in use."""

    def __init__(self, database: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_AboutDialog()
        self.ui.setupUi(self)
        self.ui.nameLabel.setStyleSheet("font-size: 20px; font-weight: 600;")
        version, *details = version_lines()
        shown = [version.replace("LeadDesk ", "Version "), *details]
        self.ui.versionLabel.setText("\n".join(shown))
        self.ui.versionLabel.setWordWrap(True)
        self.ui.databaseLabel.setText(f"Database: {database}")
