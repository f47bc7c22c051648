"""The About dialog: name, version and which database is open."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QWidget

from leaddesk import __version__
from leaddesk.ui.forms.ui_about_dialog import Ui_AboutDialog


class AboutDialog(QDialog):
    """Shows LeadDesk's version and the database in use."""

    def __init__(self, database: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_AboutDialog()
        self.ui.setupUi(self)
        self.ui.nameLabel.setStyleSheet("font-size: 20px; font-weight: 600;")
        self.ui.versionLabel.setText(f"Version {__version__}")
        self.ui.databaseLabel.setText(f"Database: {database}")
