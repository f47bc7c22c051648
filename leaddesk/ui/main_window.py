"""The main window: navigation on the left, one page at a time, status and progress below."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QIcon,
    QKeySequence,
)
from PySide6.QtWidgets import QLabel, QListWidgetItem, QMainWindow, QMessageBox, QWidget

from leaddesk.demo import load_demo_data
from leaddesk.paths import log_dir
from leaddesk.ui.context import AppContext
from leaddesk.ui.dialogs.about import AboutDialog
from leaddesk.ui.forms.ui_main_window import Ui_MainWindow
from leaddesk.ui.pages.base import Page
from leaddesk.ui.widgets.progress import ProgressIndicator

if TYPE_CHECKING:
    from leaddesk.ui.importing.wizard import ImportWizard


@dataclass(frozen=True)
class PageSpec:
    """A page in the navigation. Its module is imported and the page built on first show, so
    the window opens on the Inbox without paying for the other pages."""

    key: str
    title: str
    icon: str
    target: str  # "package.module:ClassName"

    def page_class(self) -> type[Page]:
        """Import and return the page's class."""
        module, _, name = self.target.partition(":")
        page_class = getattr(importlib.import_module(module), name)
        assert issubclass(page_class, Page) and page_class.key == self.key, self.target
        return page_class


PAGES: list[PageSpec] = [
    PageSpec("inbox", "Inbox", ":/icons/inbox.svg", "leaddesk.ui.pages.inbox:InboxPage"),
    PageSpec(
        "sales_queue",
        "Sales queue",
        ":/icons/queue.svg",
        "leaddesk.ui.pages.sales_queue:SalesQueuePage",
    ),
    PageSpec(
        "sequences",
        "Sequences",
        ":/icons/sequences.svg",
        "leaddesk.ui.pages.sequences:SequencesPage",
    ),
    PageSpec("outbox", "Outbox", ":/icons/outbox.svg", "leaddesk.ui.pages.outbox:OutboxPage"),
    PageSpec("reports", "Reports", ":/icons/reports.svg", "leaddesk.ui.pages.reports:ReportsPage"),
    PageSpec(
        "settings", "Settings", ":/icons/settings.svg", "leaddesk.ui.pages.settings:SettingsPage"
    ),
]
# The import wizard is wired in by the import studio; until then its entry points are hidden.
IMPORT_AVAILABLE = True


class MainWindow(QMainWindow):
    """LeadDesk's window. Pages get the shared :class:`AppContext`; data loads in the background."""

    data_changed = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.ui = Ui_MainWindow()
        self.ui.setupUi(self)
        if not context.db.is_sqlite:  # which database is open is never a surprise
            self.setWindowTitle(f"LeadDesk — team server {context.db.describe()}")
        self.page_keys = [spec.key for spec in PAGES]
        self.pages: dict[str, Page] = {}  # the pages built so far (each on its first show)
        for index, spec in enumerate(PAGES):
            self._add_navigation(index, spec)
        self.ui.navList.currentRowChanged.connect(self._show_page)
        self.ui.actionQuit.triggered.connect(self.close)
        self.ui.actionAbout.triggered.connect(self.show_about)
        self.ui.actionLoadSample.triggered.connect(self.load_sample_data)
        self.ui.actionImport.triggered.connect(self.open_import)
        self.ui.actionImport.setVisible(IMPORT_AVAILABLE)
        self.setAcceptDrops(IMPORT_AVAILABLE)
        self.import_wizard: ImportWizard | None = None
        self.visits_action = QAction("Import &web logs…", self)
        self.visits_action.setShortcut(QKeySequence("Ctrl+Shift+I"))
        self.visits_action.triggered.connect(lambda: self.import_web_logs())
        self.ui.menuFile.insertAction(self.ui.actionLoadSample, self.visits_action)
        self.copy_action = QAction("Copy this database to a &team server…", self)
        self.copy_action.triggered.connect(self.copy_to_team_server)
        self.ui.menuFile.insertAction(self.ui.actionQuit, self.copy_action)
        self.ui.actionOpenLogFolder.triggered.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_dir())))
        )
        self.data_changed.connect(self.refresh_all)
        self.database_label = QLabel(f"  {context.db.describe()}")
        self.database_label.setObjectName("databaseLabel")
        self.statusBar().addWidget(self.database_label, 1)
        self.progress = ProgressIndicator(context.runner)
        self.statusBar().addPermanentWidget(self.progress)
        context.runner.failed.connect(self._job_failed)
        self._restore_state()

    def _add_navigation(self, index: int, spec: PageSpec) -> None:
        self.ui.pageStack.addWidget(QWidget())  # stands in until the page is first shown
        self.ui.navList.addItem(QListWidgetItem(QIcon(spec.icon), spec.title))
        action = QAction(spec.title, self)
        action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
        action.triggered.connect(lambda _=False, row=index: self.ui.navList.setCurrentRow(row))
        self.ui.menuGo.addAction(action)

    def page(self, key: str) -> Page:
        """The page called ``key``, built (and its module imported) the first time it is asked."""
        built = self.pages.get(key)
        if built is not None:
            return built
        index = self.page_keys.index(key)
        page = PAGES[index].page_class()(self.context)
        stack = self.ui.pageStack
        current = stack.currentIndex()
        placeholder = stack.widget(index)
        stack.insertWidget(index, page)
        stack.removeWidget(placeholder)
        placeholder.deleteLater()
        stack.setCurrentIndex(current)
        self.pages[key] = page
        page.import_requested.connect(self.open_import)
        page.sample_data_requested.connect(self.load_sample_data)
        page.data_changed.connect(self.data_changed)
        if not IMPORT_AVAILABLE:
            button = page.empty_state.buttons.get("Import a tradeshow list")
            if button is not None:
                button.hide()
                sample = page.empty_state.buttons.get("Load sample data")
                if sample is not None:
                    sample.setProperty("primary", True)
        return page

    @property
    def current_page(self) -> Page:
        """The page on screen."""
        return self.page(self.page_keys[max(self.ui.pageStack.currentIndex(), 0)])

    def show_page(self, key: str) -> Page:
        """Switch to the page called ``key`` and return it."""
        self.ui.navList.setCurrentRow(self.page_keys.index(key))
        return self.page(key)

    def _show_page(self, row: int) -> None:
        if row < 0:
            return
        page = self.page(self.page_keys[row])
        self.ui.pageStack.setCurrentIndex(row)
        if not page.loaded:
            page.refresh()

    def refresh_all(self) -> None:
        """Reload the visible page now and the others when they are next shown."""
        for page in self.pages.values():
            page.loaded = False
        self.current_page.refresh()

    def copy_to_team_server(self) -> None:
        """Ask for the team database and copy this one there in the background."""
        from leaddesk.ui.dialogs.team_copy import TeamCopyDialog, start_team_copy

        dialog = TeamCopyDialog(self)
        if dialog.exec() == TeamCopyDialog.DialogCode.Accepted:
            url = dialog.url_edit.text().strip()
            start_team_copy(self, self.context, url, dialog.replace_check.isChecked())

    def load_sample_data(self) -> None:
        """Fill the database with the demo data in the background, then refresh."""
        self.ui.actionLoadSample.setEnabled(False)
        db = self.context.db

        def done(summary: object) -> None:
            self.ui.actionLoadSample.setEnabled(True)
            leads = getattr(summary, "leads", 0)
            message = (
                "The sample data was already loaded."
                if getattr(summary, "already_loaded", False)
                else f"Loaded {leads} sample leads from two tradeshows."
            )
            self.statusBar().showMessage(message, 6000)
            self.data_changed.emit()

        def failed(error: BaseException) -> None:
            self.ui.actionLoadSample.setEnabled(True)
            self._job_failed("Loading sample data", str(error))

        self.context.runner.run(
            lambda _p: load_demo_data(db),
            on_done=done,
            on_error=failed,
            label="Loading sample data",
        )

    def open_import(self, path: str | None = None) -> ImportWizard:
        """Open the import wizard (on ``path`` when a file was dropped on the window)."""
        from leaddesk.ui.importing.wizard import ImportWizard  # built on demand (start-up time)

        wizard = ImportWizard(self.context, path if isinstance(path, str) else None, self)
        wizard.imported.connect(lambda _batch: self.data_changed.emit())
        wizard.undone.connect(lambda _batch: self.data_changed.emit())
        wizard.web_log_chosen.connect(lambda path: self.import_web_logs([path]))
        wizard.setModal(True)
        wizard.show()
        self.import_wizard = wizard
        return wizard

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept a file dragged onto the window (it will be imported)."""
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """Import the dropped files: web server logs as visits, anything else as a list."""
        files = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if not files:
            return
        event.acceptProposedAction()
        from leaddesk.visits.log_import import looks_like_access_log

        def sniff(_progress: object) -> bool:  # reads the files: off the GUI thread
            return all(looks_like_access_log(Path(name)) for name in files)

        def dispatch(logs: bool) -> None:
            if logs:
                self.import_web_logs(files)
            else:
                self.open_import(files[0])

        self.context.runner.run(sniff, on_done=dispatch, write=False, label="Reading the file")

    def import_web_logs(self, files: list[str] | None = None) -> None:
        """Settings → Website, importing ``files`` (asked for when not given) as web visits."""
        self.ui.navList.setCurrentRow(self.page_keys.index("settings"))
        settings = self.page("settings")
        website = settings.tab_widgets["Website"]  # type: ignore[attr-defined]
        settings.tabs.setCurrentWidget(website)  # type: ignore[attr-defined]
        website.import_logs(files)

    def show_about(self) -> None:
        """Show the About dialog."""
        AboutDialog(self.context.db.describe(), self).exec()

    def _job_failed(self, label: str, message: str) -> None:
        QMessageBox.warning(self, "LeadDesk", f"{label} did not complete:\n\n{message}")

    def _restore_state(self) -> None:
        prefs = self.context.preferences
        geometry = prefs.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = prefs.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        last = str(prefs.value("window/page", "inbox"))
        keys = self.page_keys
        self.ui.navList.setCurrentRow(keys.index(last) if last in keys else 0)

    def save_state(self) -> None:
        """Remember geometry and the current page for next time."""
        prefs = self.context.preferences
        prefs.setValue("window/geometry", self.saveGeometry())
        prefs.setValue("window/state", self.saveState())
        prefs.setValue("window/page", self.current_page.key)
        prefs.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Save the window state before closing."""
        self.save_state()
        super().closeEvent(event)

    def keyPressEvent(self, event: object) -> None:
        """Let pages handle keys first; nothing window-wide beyond the menu shortcuts."""
        super().keyPressEvent(event)  # type: ignore[arg-type]


__all__ = ["PAGES", "MainWindow", "Qt"]
