"""The friendly panel a page shows when it has nothing to show yet."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class EmptyState(QFrame):
    """A title, an explanation and up to a few action buttons, centred on the page."""

    def __init__(self, title: str, body: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emptyState")
        self.setMaximumWidth(560)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 28)
        layout.setSpacing(12)
        self.title_label = QLabel(title)
        self.title_label.setObjectName("emptyTitle")
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body_label = QLabel(body)
        self.body_label.setObjectName("emptyBody")
        self.body_label.setWordWrap(True)
        self.body_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.title_label)
        layout.addWidget(self.body_label)
        self._buttons = QHBoxLayout()
        self._buttons.addStretch(1)
        layout.addLayout(self._buttons)
        self._buttons.addStretch(1)
        self.buttons: dict[str, QPushButton] = {}

    def add_action(
        self, text: str, callback: Callable[[], object], *, primary: bool = False
    ) -> QPushButton:
        """Add a button (the primary one is highlighted) that runs ``callback`` when clicked."""
        button = QPushButton(text)
        button.setProperty("primary", primary)
        button.clicked.connect(lambda: callback())
        self._buttons.insertWidget(self._buttons.count() - 1, button)
        self.buttons[text] = button
        return button


def centered(widget: QWidget) -> QWidget:
    """Wrap ``widget`` so it sits in the middle of the available space."""
    holder = QWidget()
    outer = QVBoxLayout(holder)
    outer.addStretch(1)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(widget, 10)
    row.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(2)
    return holder
