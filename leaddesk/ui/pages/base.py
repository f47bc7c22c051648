"""What every page shares: a header, an empty state, and loading its data in the background."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from leaddesk.ui.context import AppContext
from leaddesk.ui.widgets.empty_state import EmptyState, centered


class Page(QWidget):
    """A page of the main window. Subclasses set ``key``, ``title``, ``icon`` and build content.

    ``refresh()`` reloads the page's data off the GUI thread; ``show_content()`` /
    ``show_empty()`` switch between the real view and the empty state.
    """

    key = "page"
    title = "Page"
    subtitle = ""
    icon = ":/icons/leaddesk.svg"

    import_requested = Signal()
    sample_data_requested = Signal()
    data_changed = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 12)
        layout.setSpacing(10)
        self.title_label = QLabel(self.title)
        self.title_label.setObjectName("pageTitle")
        layout.addWidget(self.title_label)
        self.subtitle_label = QLabel(self.subtitle)
        self.subtitle_label.setObjectName("pageSubtitle")
        self.subtitle_label.setWordWrap(True)
        self.subtitle_label.setVisible(bool(self.subtitle))
        layout.addWidget(self.subtitle_label)
        self._stack = QStackedWidget()
        layout.addWidget(self._stack, 1)
        self.empty_state = self.build_empty_state()
        self._stack.addWidget(centered(self.empty_state))
        self.content = self.build_content()
        self._stack.addWidget(self.content)
        self.loaded = False

    def build_empty_state(self) -> EmptyState:
        """The panel shown when there is nothing yet; override to change its text and actions."""
        state = EmptyState("Nothing here yet", "Import a tradeshow list to get started.")
        self.add_getting_started_actions(state)
        return state

    def add_getting_started_actions(self, state: EmptyState) -> None:
        """The two buttons every empty page offers a newcomer."""
        state.add_action("Import a tradeshow list", self.import_requested.emit, primary=True)
        state.add_action("Load sample data", self.sample_data_requested.emit)

    def build_content(self) -> QWidget:
        """The page's real view; override."""
        return QWidget()

    def show_empty(self) -> None:
        """Show the empty state."""
        self._stack.setCurrentIndex(0)

    def show_content(self) -> None:
        """Show the real view."""
        self._stack.setCurrentIndex(1)

    @property
    def showing_empty_state(self) -> bool:
        """True while the empty state is the visible panel."""
        return self._stack.currentIndex() == 0

    def refresh(self) -> None:
        """Reload the page's data in the background; override ``load`` and ``apply``."""
        self.context.runner.run(
            self._load_in_session, on_done=self._applied, write=False, label=f"Loading {self.title}"
        )

    def _load_in_session(self, _progress: Any) -> Any:
        with self.context.db.session() as session:
            return self.load(session)

    def _applied(self, data: Any) -> None:
        self.loaded = True
        self.apply(data)

    def load(self, session: Any) -> Any:
        """Runs on a worker thread: read what the page shows and return plain data."""
        return None

    def apply(self, data: Any) -> None:
        """Runs on the GUI thread with what ``load`` returned."""
        self.show_empty()


PageFactory = Callable[[AppContext], Page]
