"""Settings → Sequences: the time zone used for leads whose own time zone is unknown."""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QVBoxLayout,
    QWidget,
)

from leaddesk.sequences.planner import DEFAULT_TIMEZONE_SETTING
from leaddesk.sequences.timing import is_valid_zone
from leaddesk.settings import get_setting, set_setting
from leaddesk.ui.context import AppContext
from leaddesk.ui.widgets.settings_form import add_save_row, hint_label


class SequenceSettings(QWidget):
    """The team's default time zone for send windows (a sequence may override it)."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.zone_combo = QComboBox()
        self.zone_combo.setEditable(True)
        self.zone_combo.addItem("")
        self.zone_combo.addItems(sorted(available_timezones()))
        line = self.zone_combo.lineEdit()
        if line is not None:  # an empty choice reads as what it means
            line.setPlaceholderText("None: UTC for leads without a time zone")
        form.addRow("Default time zone:", self.zone_combo)
        hint = hint_label(
            "Emails go out inside each lead's business hours in the lead's own time zone. For "
            "leads without one, the sequence's fallback zone is used, then this one, then UTC."
        )
        form.addRow("", hint)
        layout.addLayout(form)
        self.save_button = add_save_row(layout, self.save)

    def load(self) -> None:
        """Show the stored zone (read in the background)."""

        def read(_progress: Any) -> str:
            with self.context.db.session() as session:
                return str(get_setting(session, DEFAULT_TIMEZONE_SETTING, "") or "")

        self.context.runner.run(read, on_done=self.zone_combo.setCurrentText, write=False)

    def save(self) -> None:
        """Store the zone when it is a real IANA zone (or empty)."""
        zone = self.zone_combo.currentText().strip()
        if zone and not is_valid_zone(zone):
            self.window().statusBar().showMessage(f"Unknown time zone {zone!r}", 5000)  # type: ignore[attr-defined]
            return

        def write(_progress: Any) -> None:
            with self.context.db.write() as session:
                set_setting(session, DEFAULT_TIMEZONE_SETTING, zone)

        self.context.runner.run(write, label="Saving settings")


def sequences_tab(context: AppContext) -> tuple[str, QWidget]:
    """The Sequences tab."""
    return "Sequences", SequenceSettings(context)
