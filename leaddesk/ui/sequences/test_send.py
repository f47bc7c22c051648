"""The editor's "Send test to me": prepare in the background, ask for the address, send, report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QInputDialog, QLabel, QPushButton, QWidget

from leaddesk.mail.trial_send import TestSendResult
from leaddesk.sequences.trial import PreparedTest, prepare_test_send, send_prepared_test
from leaddesk.ui.context import AppContext

OK_COLOUR = "#15803d"
FAIL_COLOUR = "#b91c1c"


class TestSendPanel(QWidget):
    """A "Send test to me" button and the line that says what happened.

    ``draft`` returns (document, sequence id, 1-based step number, lead id) of what the preview
    shows. The work runs through the task runner; the address prompt is non-blocking.
    """

    __test__ = False

    def __init__(
        self,
        context: AppContext,
        draft: Callable[[], tuple[dict[str, Any], int | None, int, int | None] | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self._draft = draft
        self.address_dialog: QInputDialog | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.button = QPushButton("Send test to me")
        self.button.setToolTip(
            "Send the selected email, rendered for the preview lead, to your own address"
        )
        self.button.clicked.connect(lambda: self.start())
        layout.addWidget(self.button)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.result_label, 1)

    @property
    def busy(self) -> bool:
        """True while a test is being prepared, asked for or sent."""
        return not self.button.isEnabled()

    def start(self, to_address: str | None = None) -> None:
        """Check and render in the background; then ask for the address (unless given) and send."""
        draft = self._draft()
        if draft is None or self.busy:
            return
        document, sequence_id, step_number, lead_id = draft

        def prepare(_progress: Any) -> PreparedTest:
            with self.context.db.session() as session:
                return prepare_test_send(session, document, sequence_id, lead_id, step_number)

        self.button.setEnabled(False)
        self._say("Preparing the test email…", None)
        self.context.runner.run(
            prepare,
            on_done=lambda prepared: self._prepared(prepared, to_address),
            on_error=self._failed,
            write=False,
            label="Preparing test email",
        )

    def _prepared(self, prepared: PreparedTest, to_address: str | None) -> None:
        if prepared.refused:
            self._finish("Test not sent: " + " ".join(prepared.refused), False)
            return
        if to_address is not None:
            self._send(prepared, to_address)
            return
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Send test to me")
        dialog.setLabelText("Send the test email to:")
        dialog.setTextValue(prepared.from_address)
        dialog.textValueSelected.connect(lambda value: self._send(prepared, value))
        dialog.rejected.connect(lambda: self._finish("Test not sent (cancelled).", None))
        dialog.finished.connect(lambda _code: setattr(self, "address_dialog", None))
        self.address_dialog = dialog
        dialog.open()

    def _send(self, prepared: PreparedTest, to_address: str) -> None:
        address = to_address.strip()

        def send(_progress: Any) -> TestSendResult:
            return send_prepared_test(self.context.db, self.context.clock, prepared, address)

        self._say(f"Sending a test to {address}…", None)
        self.context.runner.run(
            send,
            on_done=lambda result: self._sent(result, address),
            on_error=self._failed,
            write=False,
            label="Sending test email",
        )

    def _sent(self, result: TestSendResult, address: str) -> None:
        if result.ok:
            self._finish(f"Test sent to {address} — check your inbox.", True)
        else:
            self._finish(f"Test to {address} not sent: {result.text}", False)

    def _failed(self, error: BaseException) -> None:
        self._finish(f"Test not sent: {error}", False)

    def _finish(self, text: str, ok: bool | None) -> None:
        self.button.setEnabled(True)
        self._say(text, ok)

    def _say(self, text: str, ok: bool | None) -> None:
        colour = "" if ok is None else (OK_COLOUR if ok else FAIL_COLOUR)
        self.result_label.setStyleSheet(f"color: {colour};" if colour else "")
        self.result_label.setText(text)
