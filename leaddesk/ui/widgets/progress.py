"""The status-bar progress indicator; it appears only for jobs that last longer than ~0.5 s."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from leaddesk.tasks import TaskRunner

SHOW_AFTER_MS = 500


class ProgressIndicator(QWidget):
    """Shows the running job's label, a progress bar and Cancel, after a short grace period."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setFixedWidth(180)
        self.bar.setTextVisible(False)
        self.cancel_button = QToolButton()
        self.cancel_button.setText("Cancel")
        self.cancel_button.clicked.connect(self._cancel)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SHOW_AFTER_MS)
        self._timer.timeout.connect(self._reveal)
        self._current: int | None = None
        runner.started.connect(self._on_started)
        runner.progressed.connect(self._on_progress)
        runner.finished.connect(self._on_finished)
        self.hide()

    @Slot(int, str, bool)
    def _on_started(self, job_id: int, label: str, cancellable: bool) -> None:
        if self._current is None:
            self._current = job_id
            self.label.setText(label or "Working…")
            self.cancel_button.setVisible(cancellable)
            self.bar.setRange(0, 0)
            self._timer.start()

    @Slot(int, int, int, str)
    def _on_progress(self, job_id: int, done: int, total: int, text: str) -> None:
        if job_id != self._current:
            return
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
        if text:
            self.label.setText(text)

    @Slot(int)
    def _on_finished(self, job_id: int) -> None:
        if job_id != self._current:
            return
        self._current = None
        remaining = self._runner.jobs()
        if remaining:
            nxt = remaining[0]
            self._on_started(nxt.job_id, nxt.label, nxt.cancellable)
            return
        self._timer.stop()
        self.hide()

    def _reveal(self) -> None:
        if self._current is not None:
            self.show()

    def _cancel(self) -> None:
        for handle in self._runner.jobs():
            if handle.job_id == self._current:
                handle.cancel()
                self.label.setText("Cancelling…")
