"""The Sales queue page: open hand-offs with their countdown, the lead brief, and the rep's steps.

A rep sees their own queue, a manager everyone's (either can pick another). Selecting a lead
shows its brief; Accept, Log attempt, Reassign and Hand back act on it through the hand-off core.
The countdowns tick every minute and the queue reloads then, so new hand-offs and breaches from
the background tick appear without a click.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from leaddesk.handoff.brief_render import zone_or_none
from leaddesk.handoff.queue import QueueRow
from leaddesk.ui.pages.base import Page
from leaddesk.ui.sales_queue import jobs
from leaddesk.ui.sales_queue.dialogs import (
    HandBackDialog,
    LogAttemptDialog,
    QueueStepDialog,
    ReassignDialog,
)
from leaddesk.ui.sales_queue.jobs import EVERYONE, QueueData
from leaddesk.ui.sales_queue.model import QueueTableModel
from leaddesk.ui.sales_queue.outcomes import LeadRef, LostDialog, OpportunityDialog, WonDialog
from leaddesk.ui.sales_queue.table import QueueTableView
from leaddesk.ui.sales_queue.texts import NO_BRIEF, NO_ME, counts_text, empty_texts, no_rows_text
from leaddesk.ui.widgets.empty_state import EmptyState
from leaddesk.ui.widgets.settings_form import hint_label

TICK_MS = 60_000
OUTCOME_STEPS = ("opportunity", "won", "lost")
STEP_KEYS = {"accept": "A", "attempt": "L", "opportunity": "O", "won": "W", "lost": "X",
             "reassign": "R", "hand_back": "B"}  # fmt: skip
STEP_TIPS = {
    "accept": "Take the lead on: it is yours now",
    "attempt": "Log a call, email or meeting; the first one stops the follow-up clock",
    "opportunity": "Open a deal with an amount and an expected close date",
    "won": "The deal is won: the lead becomes a customer",
    "lost": "The deal is lost: say why; the lead goes back to marketing by its policy",
    "reassign": "Give the lead to another rep",
    "hand_back": "Not ready to buy: back to marketing with a reason",
}


class SalesQueuePage(Page):
    """The leads handed to sales, most urgent first, and what the rep does with each."""

    key = "sales_queue"
    title = "Sales queue"
    subtitle = (
        "Leads handed to sales, the most urgent first. Logging the first attempt stops the "
        "follow-up clock; hand a lead back to marketing when it is not ready to buy."
    )
    icon = ":/icons/queue.svg"

    def build_empty_state(self) -> EmptyState:
        state = EmptyState("No leads waiting for sales", "")
        state.add_action("Open Settings", lambda: self._go_to("settings"), primary=True)
        state.add_action("Go to the Inbox", lambda: self._go_to("inbox"), primary=True)
        state.add_action("Load sample data", self.sample_data_requested.emit)
        return state

    def build_content(self) -> QWidget:
        self._whose: int | None = None  # None until the first load picks the viewer's default
        self._generation = 0
        self._brief_generation = 0
        self.brief_lead_id: int | None = None
        self.data: QueueData | None = None
        self.last_message = ""
        self.me_hint = hint_label(NO_ME)
        self.me_hint.hide()
        self.whose_combo = QComboBox()
        self.whose_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.whose_combo.activated.connect(self._whose_chosen)
        self.counts_label = QLabel()
        self.counts_label.setObjectName("queueCounts")
        self.counts_label.setToolTip(
            "Waiting: no first attempt logged yet. Due soon and overdue count those waiting."
        )
        self.buttons: dict[str, QPushButton | QAction] = {}
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Show:"))
        bar.addWidget(self.whose_combo)
        bar.addSpacing(12)
        bar.addWidget(self.counts_label, 1)
        self.outcome_menu = QMenu(self)
        self.outcome_menu.setToolTipsVisible(True)
        self.outcome_button = QPushButton("Outcome")
        self.outcome_button.setToolTip("Opportunity (O), won (W) or lost (X)")
        self.outcome_button.setMenu(self.outcome_menu)
        for name, text, handler in self._steps():
            if name in OUTCOME_STEPS:  # one menu button keeps the bar short on a laptop
                if name == OUTCOME_STEPS[0]:
                    bar.addWidget(self.outcome_button)
                self.buttons[name] = self.outcome_menu.addAction(text, handler)
                continue
            button = QPushButton(text)
            button.clicked.connect(handler)
            bar.addWidget(button)
            self.buttons[name] = button
        self.buttons["attempt"].setProperty("primary", True)  # the step that stops the clock
        self._add_shortcuts()
        self.model = QueueTableModel(self.context.clock.now(), self)
        self.table = QueueTableView(self.model)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.doubleClicked.connect(lambda _index: self.log_attempt())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._selected())
        self.no_rows_label = QLabel()
        self.no_rows_label.setObjectName("emptyBody")
        self.no_rows_label.setWordWrap(True)
        self.no_rows_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.table)
        self.list_stack.addWidget(self.no_rows_label)
        self.brief_view = QTextBrowser()
        self.brief_view.setObjectName("leadBrief")
        self.brief_view.setHtml(NO_BRIEF)
        splitter = QSplitter()
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.list_stack)
        splitter.addWidget(self.brief_view)
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 3)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.me_hint)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        self._update_buttons()
        return content

    def _steps(self) -> list[tuple[str, str, Any]]:
        return [
            ("accept", "Accept", self.accept_selected),
            ("attempt", "Log attempt…", self.log_attempt),
            ("opportunity", "Opportunity…", self.open_opportunity),
            ("won", "Won…", self.mark_won),
            ("lost", "Lost…", self.mark_lost),
            ("reassign", "Reassign…", self.reassign),
            ("hand_back", "Hand back…", self.hand_back),
        ]

    # -- loading -----------------------------------------------------------------------------
    def refresh(self, *, keep_brief: bool = False) -> None:
        """Reload the queue in the background (``keep_brief``: leave the brief as it is)."""
        self._generation += 1
        generation, whose = self._generation, self._whose
        db, now = self.context.db, self.context.clock.now()

        def load(_progress: Any) -> tuple[int, bool, QueueData]:
            return generation, keep_brief, jobs.load_queue(db, now, whose)

        self.context.runner.run(load, on_done=self._loaded, write=False, label="Loading the queue")

    def _loaded(self, result: tuple[int, bool, QueueData]) -> None:
        generation, keep_brief, data = result
        if generation != self._generation:
            return  # an older load that finished late
        self.loaded = True
        self.apply(data, keep_brief=keep_brief)

    def apply(self, data: QueueData, *, keep_brief: bool = False) -> None:
        """Show a loaded queue, keeping the selected hand-off selected when it is still open."""
        previous = self.data
        selected = self.selected_row()
        self.data, self._whose = data, data.whose
        if data.open_total == 0:
            self._explain_empty(data)
            self.show_empty()
            return
        self.me_hint.setVisible(data.viewer.member_id is None)
        self._fill_whose(data)
        self.counts_label.setText(counts_text(data))
        self.model.zone = zone_or_none(data.viewer.timezone)
        self.model.now = self.context.clock.now()
        self.model.set_rows(data.rows)
        self.list_stack.setCurrentIndex(0 if data.rows else 1)
        self.brief_view.setVisible(bool(data.rows))
        self.no_rows_label.setText(no_rows_text(data))
        row = self.model.row_of(selected.handoff_id) if selected is not None else -1
        if row < 0 and data.rows:  # the first time, the most urgent; after a step, the next
            was = previous.rows if previous is not None else []
            row = min(was.index(selected) if selected in was else 0, len(data.rows) - 1)
        self.show_content()
        self._select(row, reload_brief=not keep_brief)

    def _explain_empty(self, data: QueueData) -> None:
        title, body = empty_texts(data)
        self.empty_state.title_label.setText(title)
        self.empty_state.body_label.setText(body)
        buttons = self.empty_state.buttons
        for text in ("Open Settings", "Load sample data"):
            buttons[text].setVisible(not data.people)
        buttons["Go to the Inbox"].setVisible(bool(data.people))

    def _fill_whose(self, data: QueueData) -> None:
        combo, me = self.whose_combo, data.viewer.member_id
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(f"Everyone ({data.open_total})", EVERYONE)
        for person in sorted(data.people, key=lambda p: p.id != me):
            mine = person.id == me
            combo.addItem(
                f"{'My queue' if mine else person.name} ({person.open_handoffs})", person.id
            )
        combo.setCurrentIndex(max(0, combo.findData(data.whose)))
        combo.blockSignals(False)

    def _whose_chosen(self, index: int) -> None:
        whose = self.whose_combo.itemData(index)
        if whose != self._whose:
            self._whose = int(whose)
            self.refresh()

    def _tick(self) -> None:
        self.model.set_now(self.context.clock.now())
        if self.isVisible() and self.loaded and not self.context.runner.busy:
            self.refresh(keep_brief=True)

    # -- selection and the brief -------------------------------------------------------------
    def selected_row(self) -> QueueRow | None:
        """The hand-off selected in the table."""
        index = self.table.currentIndex() if hasattr(self, "table") else None
        return self.model.row_at(index) if index is not None and index.isValid() else None

    def select_lead(self, lead_id: int) -> None:
        """Select the row of ``lead_id`` (and show its brief)."""
        rows = [n for n, row in enumerate(self.model.rows) if row.lead_id == lead_id]
        self._select(rows[0] if rows else -1, reload_brief=True)

    def _select(self, row: int, *, reload_brief: bool) -> None:
        selection = self.table.selectionModel()
        selection.blockSignals(True)
        if row < 0:
            selection.clear()
        else:
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
            selection.setCurrentIndex(
                self.model.index(row, 0), flags | QItemSelectionModel.SelectionFlag.Rows
            )
        selection.blockSignals(False)
        self._selected(force=reload_brief)

    def _selected(self, *, force: bool = True) -> None:
        self._update_buttons()
        row = self.selected_row()
        if row is None:
            self.brief_lead_id = None
            self.brief_view.setHtml(NO_BRIEF)
        elif force or row.lead_id != self.brief_lead_id:
            self._load_brief(row.lead_id)

    def _load_brief(self, lead_id: int) -> None:
        self._brief_generation += 1
        generation, db, now = self._brief_generation, self.context.db, self.context.clock.now()
        zone = self.data.viewer.timezone if self.data is not None else None
        self.brief_lead_id = lead_id

        def load(_progress: Any) -> tuple[int, str]:
            return generation, jobs.load_brief(db, lead_id, now, zone)

        def show(result: tuple[int, str]) -> None:
            if result[0] == self._brief_generation:
                self.brief_view.setHtml(result[1])

        def failed(error: BaseException) -> None:  # in the pane: a reload would fail again
            if generation == self._brief_generation:
                self.brief_view.setPlainText(f"The brief could not be made: {error}")

        self.context.runner.run(load, on_done=show, on_error=failed, write=False)

    def _add_shortcuts(self) -> None:
        """One key per step while the page has focus (shown in each button's tooltip)."""
        for name, _text, handler in self._steps():
            key = STEP_KEYS[name]
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda n=name, h=handler: self._by_key(n, h))
            self.buttons[name].setToolTip(f"{STEP_TIPS[name]} — key {key}")

    def _by_key(self, name: str, handler: Any) -> None:
        if self.buttons[name].isEnabled():
            handler()

    def _update_buttons(self) -> None:
        row = self.selected_row()
        deals = self.data.choices.open_deals if self.data is not None else {}
        for name, button in self.buttons.items():
            allowed = row is not None
            if row is not None and name == "accept":
                allowed = row.state == "open"
            elif row is not None and name == "opportunity":
                allowed = row.lead_id not in deals
            button.setEnabled(allowed)
        self.outcome_button.setEnabled(any(self.buttons[n].isEnabled() for n in OUTCOME_STEPS))

    def _context_menu(self, position: QPoint) -> None:
        if self.selected_row() is None:
            return
        menu = QMenu(self)
        for name, text, handler in self._steps():
            menu.addAction(text, handler).setEnabled(self.buttons[name].isEnabled())
        menu.exec(self.table.viewport().mapToGlobal(position))

    # -- steps -------------------------------------------------------------------------------
    def accept_selected(self) -> None:
        """Accept the selected hand-off as this computer's member."""
        row = self.selected_row()
        if row is None:
            return
        db, now = self.context.db, self.context.clock.now()
        self.context.runner.run(
            lambda _progress: jobs.accept_lead(db, row.lead_id, now),
            on_done=self.after_step,
            on_error=self._failed,
            label="Accepting the lead",
        )

    def log_attempt(self) -> None:
        """Ask how the follow-up went and log it."""
        row = self.selected_row()
        if row is not None:
            self._open(LogAttemptDialog(self.context, row, self))

    def reassign(self) -> None:
        """Ask who takes the selected hand-off over."""
        row = self.selected_row()
        if row is not None and self.data is not None:
            self._open(ReassignDialog(self.context, row, self.data.people, self))

    def hand_back(self) -> None:
        """Ask why the selected lead goes back to marketing."""
        row = self.selected_row()
        if row is not None:
            choices = self.data.choices if self.data is not None else None
            self._open(HandBackDialog(self.context, row, self, choices))

    def open_opportunity(self) -> None:
        """Ask for the amount and expected close date, and open the deal."""
        row = self.selected_row()
        if row is not None and self.data is not None:
            self._open(OpportunityDialog(self.context, LeadRef.of(row), self.data.choices, self))

    def mark_won(self) -> None:
        """Ask for the final amount and day, and mark the deal won."""
        row = self.selected_row()
        if row is not None and self.data is not None:
            self._open(WonDialog(self.context, LeadRef.of(row), self.data.choices, self))

    def mark_lost(self) -> None:
        """Ask why, and mark the lead lost (it goes back to marketing by the reason's policy)."""
        row = self.selected_row()
        if row is not None and self.data is not None:
            self._open(LostDialog(self.context, [LeadRef.of(row)], self.data.choices, self))

    def _open(self, dialog: QueueStepDialog) -> None:
        self.dialog = dialog  # kept for tests, which fill it in and press OK
        dialog.accepted.connect(lambda: self.after_step(dialog.message))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def after_step(self, message: str) -> None:
        """Say what the step did and reload (every page, when in the main window)."""
        self.last_message = message
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(message, 10000)
        self.data_changed.emit()
        if self.loaded:  # no main window reloaded us
            self.refresh()

    def _failed(self, error: BaseException) -> None:
        self.last_message = str(error)
        box = QMessageBox(QMessageBox.Icon.Warning, "Sales queue", str(error), parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)  # the message may name a lead
        box.open()
        self.refresh()

    def _go_to(self, key: str) -> None:
        show_page = getattr(self.window(), "show_page", None)
        if show_page is not None:
            show_page(key)
