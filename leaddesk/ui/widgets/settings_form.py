"""Pieces every settings tab uses: a grey explanatory hint and a right-aligned Save button."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout


def hint_label(text: str) -> QLabel:
    """A wrapped, muted explanation shown under a field."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setObjectName("pageSubtitle")
    return label


def add_save_row(layout: QVBoxLayout, on_save: Callable[[], object]) -> QPushButton:
    """Append a right-aligned primary Save button (and the stretch below it) to ``layout``."""
    button = QPushButton("Save")
    button.setProperty("primary", True)
    button.clicked.connect(lambda: on_save())
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(button)
    layout.addLayout(row)
    layout.addStretch(1)
    return button
