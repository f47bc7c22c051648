"""Uncaught exceptions become a dialog with a copyable report instead of a vanished window."""

from __future__ import annotations

import logging
import platform
import sys
import traceback
from types import TracebackType

from PySide6 import __version__ as pyside_version
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from leaddesk import __version__
from leaddesk.logs import LOG_FILENAME
from leaddesk.paths import log_dir
from leaddesk.ui.forms.ui_crash_dialog import Ui_CrashDialog

log = logging.getLogger(__name__)


def format_report(
    exc_type: type[BaseException], error: BaseException, tb: TracebackType | None
) -> str:
    """A plain-text report: versions, platform, the log file's place and the traceback."""
    lines = [
        f"LeadDesk {__version__} · Python {platform.python_version()} · PySide6 {pyside_version}",
        f"{platform.system()} {platform.release()} ({platform.machine()})",
        f"Log file: {log_dir() / LOG_FILENAME}",
        "",
        *traceback.format_exception(exc_type, error, tb),
    ]
    return "\n".join(line.rstrip("\n") for line in lines)


class CrashDialog(QDialog):
    """Shows a report the user can copy to the clipboard."""

    def __init__(self, report: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_CrashDialog()
        self.ui.setupUi(self)
        self.ui.reportText.setPlainText(report)
        self.ui.copyButton.clicked.connect(self.copy_report)

    def copy_report(self) -> None:
        """Put the whole report on the clipboard."""
        QApplication.clipboard().setText(self.ui.reportText.toPlainText())
        self.ui.copyButton.setText("Copied")


class CrashReporter:
    """Installed as ``sys.excepthook`` by the app: logs the error and shows the dialog."""

    def __init__(self) -> None:
        self.dialogs: list[CrashDialog] = []
        self._previous = sys.excepthook

    def install(self) -> None:
        """Route uncaught exceptions on the GUI thread to :meth:`handle`."""
        sys.excepthook = self.handle

    def uninstall(self) -> None:
        """Restore the previous hook."""
        sys.excepthook = self._previous

    def handle(
        self, exc_type: type[BaseException], error: BaseException, tb: TracebackType | None
    ) -> None:
        """Log the exception and show a non-blocking crash dialog (at most three at a time)."""
        if issubclass(exc_type, KeyboardInterrupt):
            QApplication.quit()
            return
        log.critical("uncaught exception", exc_info=(exc_type, error, tb))
        if len([d for d in self.dialogs if d.isVisible()]) >= 3:
            return
        dialog = CrashDialog(format_report(exc_type, error, tb), QApplication.activeWindow())
        self.dialogs.append(dialog)
        dialog.show()
