"""Team mode: while the team server cannot be reached the window says so, keeps working from
what it shows, checks every few seconds, and reloads itself once the server answers again."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel, QMainWindow
from sqlalchemy import text

from leaddesk.ui.context import AppContext

PROBE_MS = 5000
UNREACHABLE = "⚠ Team server unreachable — nothing is lost; retrying every 5 s"


class ConnectionWatch(QObject):
    """A status-bar warning (no stack of message boxes) and a probe until the server is back."""

    def __init__(self, window: QMainWindow, context: AppContext) -> None:
        super().__init__(window)
        self.window, self.context = window, context
        self.label = QLabel(UNREACHABLE)
        self.label.setObjectName("connectionWarning")
        self.label.setStyleSheet("color: #b3261e; font-weight: 600;")
        self.label.hide()
        window.statusBar().addPermanentWidget(self.label)
        self.timer = QTimer(self)
        self.timer.setInterval(PROBE_MS)
        self.timer.timeout.connect(self.probe)
        self._probing = False
        context.runner.connection_lost.connect(self.lost)

    @property
    def unreachable(self) -> bool:
        """True while the warning is shown."""
        return not self.label.isHidden()

    def lost(self, sentence: str) -> None:
        """Show the warning (its tooltip: what failed) and start probing."""
        self.label.setToolTip(sentence)
        self.label.show()
        if not self.timer.isActive():
            self.timer.start()

    def probe(self) -> None:
        """Ask the server for ``SELECT 1`` in the background."""
        if self._probing:
            return
        self._probing = True
        db = self.context.db

        def ping(_progress: Any) -> None:
            with db.engine.connect() as connection:
                connection.execute(text("SELECT 1"))

        self.context.runner.run(ping, on_done=self._back, on_error=self._still_down, write=False)

    def _still_down(self, _error: BaseException) -> None:
        self._probing = False

    def _back(self, _result: object) -> None:
        self._probing = False
        self.timer.stop()
        self.label.hide()
        refresh = getattr(self.window, "refresh_all", None)
        if callable(refresh):
            refresh()  # what changed meanwhile, on every page
        self.window.statusBar().showMessage("Connected to the team server again.", 6000)
