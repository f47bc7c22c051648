"""The question a save that lost a race asks: reload the other person's version, or overwrite."""

from __future__ import annotations

from typing import Literal

from PySide6.QtWidgets import QMessageBox, QWidget

from leaddesk.errors import EditConflict

Choice = Literal["reload", "overwrite", "cancel"]


def ask_reload_or_overwrite(parent: QWidget, what: str, error: EditConflict) -> Choice:
    """Show who changed ``what`` and when; Reload is the default, Overwrite is explicit."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(f"{what[:1].upper()}{what[1:]} changed meanwhile")
    text = str(error)
    box.setText(text[:1].upper() + text[1:] + ".")
    reload_button = box.addButton("&Reload", QMessageBox.ButtonRole.AcceptRole)
    overwrite_button = box.addButton("&Overwrite", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(reload_button)
    box.exec()
    clicked = box.clickedButton()
    if clicked is overwrite_button:
        return "overwrite"
    if clicked is reload_button:
        return "reload"
    return "cancel"
