"""GUI composition root: QApplication, database, services and the main window."""

from __future__ import annotations

import logging
import sys
import time

from PySide6.QtCore import QFile, QIODevice, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from leaddesk import APP_NAME, __version__
from leaddesk.db.engine import Database
from leaddesk.db.migrate import open_database
from leaddesk.logs import configure_logging
from leaddesk.ui.context import AppContext
from leaddesk.ui.dialogs.crash import CrashReporter
from leaddesk.ui.forms import leaddesk_rc  # noqa: F401  (registers :/icons and :/style.qss)
from leaddesk.ui.main_window import MainWindow
from leaddesk.ui.single_instance import InstanceLock

log = logging.getLogger(__name__)


_IMPORTED_AT = time.monotonic()


def application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with LeadDesk's name, icon and style sheet (created once)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setWindowIcon(QIcon(":/icons/leaddesk.svg"))
    style = QFile(":/style.qss")
    if style.open(QIODevice.OpenModeFlag.ReadOnly | QIODevice.OpenModeFlag.Text):
        app.setStyleSheet(bytes(style.readAll().data()).decode("utf-8"))
        style.close()
    return app


def already_running_message(lock: InstanceLock, db: Database) -> str:
    """What the user reads when a second LeadDesk is started on the same database."""
    pid = lock.holder_pid()
    who = f" (process {pid})" if pid else ""
    return (
        f"LeadDesk is already open on this database{who}:\n{db.describe()}\n\n"
        "Switch to the open window, or close it first. Two windows on one database "
        "could send the same email twice."
    )


def _quit_when_ready(app: QApplication, window: MainWindow, timeout: float = 60.0) -> None:
    """Poll until the current page has loaded, print the time since start-up, then quit."""
    started = time.monotonic()
    poll = QTimer(window)

    def check() -> None:
        page = window.current_page
        if page.loaded:
            poll.stop()
            shown = f"{window.width()}×{window.height()}"
            print(f"LeadDesk window ready ({shown}, page {page.key}) in {_since_start():.2f} s")
            app.exit(0)
        elif time.monotonic() - started > timeout:
            poll.stop()
            print(f"LeadDesk window: page {page.key} did not load in {timeout:.0f} s")
            app.exit(1)

    poll.timeout.connect(check)
    poll.start(10)


def _since_start() -> float:
    """Seconds since this process started (wall clock, as a user counts it)."""
    import os
    from pathlib import Path

    try:  # field 22 of /proc/PID/stat: start time in clock ticks after boot
        stat = Path(f"/proc/{os.getpid()}/stat").read_text().rsplit(")", 1)[1].split()
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return uptime - int(stat[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):  # not Linux: from when LeadDesk was imported
        return time.monotonic() - _IMPORTED_AT


def run_gui(db_url: str | None = None, *, verbose: bool = False, check: bool = False) -> int:
    """Open the main window on the chosen database; returns the exit status.

    ``check``: quit as soon as the first page shows its rows, printing how long that took
    (``leaddesk --check-window``, for checking an installation or a build).
    """
    configure_logging(verbose=verbose)
    app = application()
    crash_reporter = CrashReporter()
    crash_reporter.install()
    db = Database(db_url)
    lock = InstanceLock(db)
    if not lock.acquire():
        QMessageBox.critical(None, APP_NAME, already_running_message(lock, db))
        return 2
    try:
        db.dispose()
        db = open_database(db_url)
    except Exception as error:  # a failed migration must be explained, not a silent exit
        log.exception("could not open the database")
        QMessageBox.critical(
            None, APP_NAME, f"LeadDesk could not open its database:\n{db.describe()}\n\n{error}"
        )
        lock.release()
        return 1
    context = AppContext.create(db)
    window = MainWindow(context)
    # Background services (imported here, not at the top: the window opens sooner).
    from leaddesk.tasks.score_decay import install_score_decay
    from leaddesk.ui.dialogs.identity import ask_identity_if_needed
    from leaddesk.ui.mailbox.status import install_mailbox
    from leaddesk.ui.outbox.status import install_sender
    from leaddesk.ui.sales_queue.notifier import install_queue_notifier
    from leaddesk.ui.widgets.live import install_live_updates

    install_mailbox(window)
    install_sender(window)
    install_score_decay(window)
    install_queue_notifier(window)
    live = install_live_updates(window)
    window.show()
    if check:
        _quit_when_ready(app, window)
    else:  # "Who are you on this computer?" once the window is on screen (not blocking it).
        QTimer.singleShot(0, lambda: ask_identity_if_needed(window))
    log.info("LeadDesk %s started on %s", __version__, db.describe())
    try:
        return app.exec()
    finally:
        live.stop()
        context.runner.shutdown()
        db.dispose()
        lock.release()
        crash_reporter.uninstall()
