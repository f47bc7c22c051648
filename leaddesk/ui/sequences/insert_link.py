"""The step editor's "Insert link" dialog: a web address, and what will happen when it is clicked.

The sentence under the field comes from :func:`check_link` with the team's link-tracking settings
(loaded in the background with the sequence); OK is enabled only for an address that works.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from leaddesk.visits.tracked_links import LinkTracking, check_link

TRACKED_COLOUR = "#15803d"
PLAIN_HTTP_COLOUR = "#b45309"
INVALID_COLOUR = "#b91c1c"
NEUTRAL_COLOUR = "#475569"  # the muted hint colour of QLabel#pageSubtitle
_UNTOUCHED = ("", "https://", "http://")
_DOUBLED_SCHEME = re.compile(r"(https?://)(?=https?://)", re.IGNORECASE)


def link_tone(url: str, tracking: LinkTracking) -> tuple[bool, str, str]:
    """Whether ``url`` can be inserted, the sentence to show, and the colour to show it in."""
    url = url.strip()
    if url.lower() in _UNTOUCHED:
        site = tracking.domains[0] if tracking.domains else "example.com"
        return False, f"Type the address, e.g. https://{site}/pricing", NEUTRAL_COLOUR
    ok, sentence = check_link(url, tracking)
    if not ok:
        return False, sentence, INVALID_COLOUR
    try:
        parts = urlsplit(url)
        own = (
            tracking.own_domain(parts.hostname or "") if parts.scheme in ("http", "https") else None
        )
    except ValueError:
        own = None
    if own is None or not tracking.enabled:
        return True, sentence, NEUTRAL_COLOUR
    return True, sentence, PLAIN_HTTP_COLOUR if parts.scheme == "http" else TRACKED_COLOUR


class InsertLinkDialog(QDialog):
    """Asks for a web address; :meth:`url` is the address once the dialog is accepted."""

    def __init__(self, tracking: LinkTracking, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tracking = tracking
        self.setWindowTitle("Insert link")
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        prompt = QLabel("&Web address:")
        layout.addWidget(prompt)
        self.url_edit = QLineEdit("https://")
        self.url_edit.setClearButtonEnabled(True)
        prompt.setBuddy(self.url_edit)
        layout.addWidget(self.url_edit)
        self.sentence_label = QLabel()
        self.sentence_label.setWordWrap(True)
        layout.addWidget(self.sentence_label)
        layout.addStretch(1)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Insert")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.url_edit.textEdited.connect(self._drop_doubled_scheme)
        self.url_edit.textChanged.connect(self._check)
        self._check(self.url_edit.text())

    def setVisible(self, visible: bool) -> None:
        """Shown with the cursor after "https://": QDialog selects the field's text on showing."""
        super().setVisible(visible)
        if visible:
            self.url_edit.end(False)

    def _drop_doubled_scheme(self, text: str) -> None:
        """A whole address pasted after the "https://" already there replaces it."""
        doubled = _DOUBLED_SCHEME.match(text)
        if doubled:
            self.url_edit.setText(text[doubled.end(1) :])

    def _check(self, text: str) -> None:
        ok, sentence, colour = link_tone(text, self.tracking)
        self.sentence_label.setText(sentence)
        self.sentence_label.setStyleSheet(f"color: {colour};")
        self.ok_button.setEnabled(ok)

    def accept(self) -> None:
        """Close with the address, if it is usable (Enter on a bad one does nothing)."""
        if self.ok_button.isEnabled():
            super().accept()

    def url(self) -> str:
        """The address as typed, without outer spaces."""
        return self.url_edit.text().strip()
