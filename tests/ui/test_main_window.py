"""The app shell: window, pages, empty states, demo data, remembered state, dialogs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from leaddesk import __version__
from leaddesk.db.engine import Database
from leaddesk.demo import load_demo_data
from leaddesk.ui.context import AppContext
from leaddesk.ui.main_window import MainWindow


def _open_every_page(qtbot: QtBot, window: MainWindow, context: AppContext) -> None:
    for key in window.page_keys:
        page = window.show_page(key)
        qtbot.waitUntil(lambda page=page: page.loaded and not context.runner.busy)
        assert window.current_page is page


def test_fresh_database_shows_empty_states(
    qtbot: QtBot, window: MainWindow, context: AppContext
) -> None:
    """On a new database every page opens and the data pages offer sample data."""
    assert window.isVisible()
    assert [window.ui.navList.item(i).text() for i in range(window.ui.navList.count())] == [
        "Inbox",
        "Sales queue",
        "Sequences",
        "Outbox",
        "Reports",
        "Settings",
    ]
    _open_every_page(qtbot, window, context)
    for key in ("inbox", "sequences", "outbox", "reports"):
        page = window.pages[key]
        assert page.showing_empty_state, key
        assert page.empty_state.buttons["Load sample data"].isVisibleTo(window) or (
            window.current_page is not page
        )
    assert not window.pages["settings"].showing_empty_state


def test_demo_data_appears_in_the_inbox_count(
    qtbot: QtBot, db: Database, context: AppContext
) -> None:
    """After `leaddesk demo` the Inbox page shows the number of demo leads."""
    load_demo_data(db, leads=120)
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    inbox = window.show_page("inbox")
    qtbot.waitUntil(lambda: inbox.loaded and not context.runner.busy)
    assert not inbox.showing_empty_state
    assert inbox.count_label.text() == "120 leads"


def test_load_sample_data_button_fills_the_inbox(
    qtbot: QtBot, window: MainWindow, context: AppContext
) -> None:
    """Clicking "Load sample data" on the empty Inbox loads the demo in the background."""
    inbox = window.show_page("inbox")
    assert inbox.showing_empty_state
    inbox.empty_state.buttons["Load sample data"].click()
    qtbot.waitUntil(
        lambda: not inbox.showing_empty_state and not context.runner.busy, timeout=20000
    )
    assert inbox.count_label.text() == "300 leads"


def test_window_remembers_last_page_and_size(
    qtbot: QtBot, window: MainWindow, context: AppContext
) -> None:
    """Closing and reopening returns to the same page with the same size."""
    window.resize(1010, 640)
    window.show_page("reports")
    window.close()
    again = MainWindow(AppContext(context.db, context.runner, context.preferences, context.clock))
    qtbot.addWidget(again)
    again.show()
    assert again.current_page.key == "reports"
    assert again.size().width() == 1010


def test_about_shows_version(qtbot: QtBot, context: AppContext) -> None:
    """The About dialog shows the version and the database path."""
    from leaddesk.ui.dialogs.about import AboutDialog

    dialog = AboutDialog(context.db.describe())
    qtbot.addWidget(dialog)
    shown = dialog.ui.versionLabel.text().splitlines()
    assert shown[0] == f"Version {__version__}" and shown[1].startswith("Database schema 00")
    assert shown[2].startswith("Qt 6.")
    assert context.db.describe() in dialog.ui.databaseLabel.text()


def test_uncaught_exception_shows_a_copyable_report(qtbot: QtBot, qapp: QApplication) -> None:
    """An uncaught error opens a dialog whose report can be copied to the clipboard."""
    from leaddesk.ui.dialogs.crash import CrashReporter

    reporter = CrashReporter()
    try:
        raise ValueError("the list had a surprise in row 7")
    except ValueError as error:
        reporter.handle(ValueError, error, error.__traceback__)
    dialog = reporter.dialogs[-1]
    qtbot.addWidget(dialog)
    assert dialog.isVisible()
    report = dialog.ui.reportText.toPlainText()
    assert "the list had a surprise in row 7" in report and __version__ in report
    dialog.ui.copyButton.click()
    assert "row 7" in QApplication.clipboard().text()


HOLD_LOCK = """
import sys, time
from PySide6.QtCore import QLockFile
lock = QLockFile(sys.argv[1])
assert lock.tryLock(1000)
print("locked", flush=True)
sys.stdin.readline()
"""


def test_second_instance_on_same_database_is_refused(db: Database, tmp_path: Path) -> None:
    """While one LeadDesk holds a database, a second one cannot take it; afterwards it can."""
    from leaddesk.app import already_running_message
    from leaddesk.ui.single_instance import InstanceLock

    lock = InstanceLock(db)
    with subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(lock.path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline().strip() == "locked"
        assert lock.acquire() is False
        message = already_running_message(lock, db)
        assert "already open" in message and str(holder.pid) in message
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=10)
    assert lock.acquire() is True
    lock.release()


def test_postal_address_is_saved_from_settings(
    qtbot: QtBot, window: MainWindow, context: AppContext
) -> None:
    """Save waits for a change; typing the postal address and saving stores it."""
    from leaddesk.settings import postal_address

    page = window.show_page("settings")
    qtbot.waitUntil(lambda: page.loaded and not context.runner.busy)
    general = page.tab_widgets["General"]
    qtbot.waitUntil(lambda: general.saved_address is not None)
    assert not general.save_button.isEnabled()  # nothing to save yet
    general.postal_address_edit.setPlainText("Acme Ltd · 12 Harbour Street · Bristol")
    assert general.save_button.isEnabled()
    general.save_button.click()
    qtbot.waitUntil(lambda: not context.runner.busy and general.saved_address.startswith("Acme"))
    assert not general.save_button.isEnabled()  # saved: nothing changed since
    with context.db.session() as session:
        assert postal_address(session) == "Acme Ltd · 12 Harbour Street · Bristol"
