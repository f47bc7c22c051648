"""The Settings page: one tab per area (general, accounts, scoring, import history, …)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from leaddesk.logs import LOG_FILENAME
from leaddesk.paths import config_dir, log_dir
from leaddesk.settings import POSTAL_ADDRESS, postal_address, set_setting
from leaddesk.ui.context import AppContext
from leaddesk.ui.importing.history import import_history_tab
from leaddesk.ui.mailbox.settings_section import mailbox_tab
from leaddesk.ui.outbox.accounts_tab import accounts_tab
from leaddesk.ui.pages.base import Page
from leaddesk.ui.settings.recycling import recycling_tab
from leaddesk.ui.settings.routing import routing_tab
from leaddesk.ui.settings.save_guard import SaveGuard
from leaddesk.ui.settings.scoring import scoring_tab
from leaddesk.ui.settings.sequences import sequences_tab
from leaddesk.ui.settings.team import team_tab
from leaddesk.ui.settings.team_server import team_server_tab
from leaddesk.ui.settings.website import website_tab
from leaddesk.ui.widgets.settings_form import add_save_row, hint_label

# Each entry builds one tab: (tab title, widget). Capabilities append their own builders.
SettingsTab = Callable[[AppContext], tuple[str, QWidget]]


class GeneralSettings(QWidget):
    """Where the data lives and the postal address printed in every email footer."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.database_label = QLabel(context.db.describe())
        self.database_label.setWordWrap(True)
        form.addRow("Database:", self.database_label)
        form.addRow("Preferences:", QLabel(str(config_dir())))
        form.addRow("Log file:", QLabel(str(log_dir() / LOG_FILENAME)))
        self.postal_address_edit = QPlainTextEdit()
        self.postal_address_edit.setPlaceholderText(
            "Your company's postal address, e.g.\nAcme Ltd · 12 Harbour Street · Bristol BS1 4QA"
        )
        self.postal_address_edit.setFixedHeight(72)
        form.addRow("Postal address:", self.postal_address_edit)
        hint = hint_label(
            "Anti-spam laws require a postal address in every marketing email; sending stays "
            "blocked until it is set."
        )
        form.addRow("", hint)
        layout.addLayout(form)
        self.save_button = add_save_row(layout, self.save)
        self.saved_address: str | None = None  # None until loaded
        self.guard = SaveGuard(context.db, "postal address", (POSTAL_ADDRESS,))
        self.postal_address_edit.textChanged.connect(self._update_state)
        self._update_state()

    @property
    def dirty(self) -> bool:
        """Whether the address typed differs from the stored one."""
        typed = self.postal_address_edit.toPlainText().strip()
        return self.saved_address is not None and typed != self.saved_address

    def _update_state(self) -> None:
        self.save_button.setEnabled(self.dirty)
        self.save_button.setToolTip("" if self.dirty else "Nothing changed yet")

    def _loaded(self, address: str) -> None:
        self.saved_address = address.strip()
        self.postal_address_edit.setPlainText(address)
        self._update_state()

    def load(self) -> None:
        """Fill the fields from the database (in the background)."""

        def read(_progress: Any) -> str:
            with self.context.db.session() as session:
                self.guard.remember(session)
                return postal_address(session)

        self.context.runner.run(read, on_done=self._loaded, write=False)

    def save(self, *, overwrite: bool = False) -> None:
        """Store the fields; the Save button is disabled until the write has finished.

        A save that lost the race with someone else's asks to reload or overwrite theirs.
        """
        value = self.postal_address_edit.toPlainText().strip()
        loaded = None if overwrite else self.guard.loaded

        def write(_progress: Any) -> None:
            with self.context.db.write() as session:
                self.guard.check(session, loaded)
                set_setting(session, POSTAL_ADDRESS, value)
                self.guard.saved(session)

        self.save_button.setEnabled(False)
        self.context.runner.run(
            write,
            on_done=lambda _: self._saved(value),
            on_error=self._failed,
            label="Saving settings",
        )

    def _saved(self, value: str) -> None:
        self.saved_address = value
        self._update_state()
        self.window().statusBar().showMessage("Settings saved", 4000)  # type: ignore[attr-defined]

    def reload(self) -> None:
        """Throw away the typed address and show the stored one."""
        self.saved_address = None  # not dirty: the load replaces the field's content
        self.load()

    def _failed(self, error: BaseException) -> None:
        self._update_state()
        overwrite = lambda: self.save(overwrite=True)  # noqa: E731
        if self.guard.resolve(self, error, reload=self.reload, overwrite=overwrite):
            return
        QMessageBox.warning(self, "Settings not saved", f"The settings were not saved: {error}")


def general_tab(context: AppContext) -> tuple[str, QWidget]:
    """The General tab."""
    return "General", GeneralSettings(context)


SETTINGS_TABS: list[SettingsTab] = [
    general_tab,
    team_tab,
    routing_tab,
    recycling_tab,
    accounts_tab,
    mailbox_tab,
    sequences_tab,
    website_tab,
    scoring_tab,
    import_history_tab,
    team_server_tab,
]


class SettingsPage(Page):
    """A tab per settings area; always shows content (settings have no empty state)."""

    key = "settings"
    title = "Settings"
    icon = ":/icons/settings.svg"

    def build_content(self) -> QWidget:
        self.tabs = QTabWidget()
        self.tab_widgets: dict[str, QWidget] = {}
        for build in SETTINGS_TABS:
            title, widget = build(self.context)
            self.tabs.addTab(widget, title)
            self.tab_widgets[title] = widget
        return self.tabs

    def refresh(self) -> None:
        self.loaded = True
        for widget in self.tab_widgets.values():
            loader = getattr(widget, "load", None)
            if callable(loader):
                loader()
        self.show_content()
