"""What blocks sending, where people look: a banner over the Outbox and the empty Outbox's text.

Reads the setup checklist (``leaddesk.setup.checklist``) as plain data and offers one button per
missing item that opens the right Settings tab.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from leaddesk.setup.checklist import SetupItem

#: Which Settings tab fixes which checklist item.
SETTINGS_TABS = {
    "identity": "Team",
    "account": "Accounts",
    "postal_address": "General",
    "mailbox": "Mailbox",
}


def checklist_html(items: list[SetupItem]) -> str:
    """The checklist as lines with ✓ / ✗ (for the empty Outbox)."""
    lines = []
    for item in items:
        mark = "✓" if item.done else "✗"
        colour = "#2e7d32" if item.done else ("#5f6b7a" if item.optional else "#b3261e")
        optional = " (optional)" if item.optional and not item.done else ""
        lines.append(
            f"<span style='color:{colour}'>{mark}</span> <b>{html.escape(item.title)}</b>"
            f"{optional}: {html.escape(item.detail)}"
        )
    return "<br>".join(lines)


def blocked_text(missing: list[SetupItem], due: int) -> str:
    """ "Sending is blocked: 8 emails are due, but …" (plain text)."""
    what = ", ".join(item.title.lower() for item in missing)
    waiting = f"{due} email{'s are' if due != 1 else ' is'} due, but " if due else ""
    return f"Sending is blocked: {waiting}this is missing: {what}."


class SetupBanner(QFrame):
    """A line over the Outbox while something required for sending is missing."""

    def __init__(self, open_settings: Callable[[str], None], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("setupBanner")
        self.setStyleSheet(
            "QFrame#setupBanner { background: #fff4e5; border: 1px solid #f0c27b; "
            "border-radius: 4px; }"
        )
        self.open_settings = open_settings
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(10, 6, 10, 6)
        self.row.addWidget(self.label, 1)
        self.buttons: list[QPushButton] = []
        self.hide()

    def show_missing(self, missing: list[SetupItem], due: int) -> None:
        """Show what is missing with a button for each (hidden when nothing is)."""
        for button in self.buttons:
            button.deleteLater()
        self.buttons = []
        if not missing:
            self.hide()
            return
        self.label.setText(blocked_text(missing, due))
        for item in missing:
            tab = SETTINGS_TABS.get(item.key, "General")
            button = QPushButton(f"Settings → {tab}")
            button.setToolTip(f"{item.detail}. From the shell: {item.cli_hint}")
            button.clicked.connect(lambda _checked=False, t=tab: self.open_settings(t))
            self.row.addWidget(button)
            self.buttons.append(button)
        self.show()
