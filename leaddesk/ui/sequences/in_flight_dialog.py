"""Asked on save when leads are in flight: keep them on their version, or move them."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from leaddesk.sequences.versions import InFlight


class InFlightDialog(QDialog):
    """Stay on the old version, or migrate to the new one at a chosen step."""

    def __init__(self, live: int, steps: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Leads are in this sequence")
        layout = QVBoxLayout(self)
        text = QLabel(
            f"{live} lead{' is' if live == 1 else 's are'} going through this sequence. Your "
            "changes become a new version; new enrolments always get it. What about the leads "
            "already in it?"
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        self.stay_radio = QRadioButton("Let them finish the version they started")
        self.stay_radio.setChecked(True)
        self.migrate_radio = QRadioButton("Move them to the new version, continuing at:")
        self.step_combo = QComboBox()
        for position, label in enumerate(steps):
            self.step_combo.addItem(label.strip(), position)
        self.step_combo.setEnabled(False)
        self.migrate_radio.toggled.connect(self.step_combo.setEnabled)
        for widget in (self.stay_radio, self.migrate_radio, self.step_combo):
            layout.addWidget(widget)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def choice(self) -> InFlight:
        """What the user chose."""
        if self.migrate_radio.isChecked():
            return InFlight.move_to(int(self.step_combo.currentData() or 0))
        return InFlight.stay()


def ask_in_flight(parent: QWidget, live: int, steps: list[str]) -> InFlight | None:
    """Show the dialog; None when cancelled."""
    dialog = InFlightDialog(live, steps, parent)
    return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None
