"""The Outbox page: scheduled, sent, failed and unknown emails, and what to do about them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leaddesk.db.models import Enrollment, EnrollmentState
from leaddesk.mail import actions
from leaddesk.mail.actions import OutboxRow
from leaddesk.mail.outbox import sending_paused
from leaddesk.settings import SENDING_PAUSED, set_setting
from leaddesk.setup.checklist import SetupItem, setup_checklist
from leaddesk.ui.outbox.model import COL_REASON, COL_SUBJECT, OutboxTableModel
from leaddesk.ui.outbox.setup_banner import SETTINGS_TABS, SetupBanner, checklist_html
from leaddesk.ui.pages.base import Page
from leaddesk.ui.widgets.empty_state import EmptyState

TABS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Scheduled", ("scheduled", "deferred", "sending")),
    ("Sent", ("sent",)),
    ("Failed", ("failed", "expired", "cancelled")),
    ("Unknown", ("unknown",)),
)
ROWS_PER_TAB = 1000


@dataclass(frozen=True)
class OutboxData:
    """What the page shows: rows per tab and the pause switch."""

    tabs: dict[str, list[OutboxRow]]
    totals: dict[str, int]
    paused: bool
    setup: list[SetupItem] = field(default_factory=list)  # the setup checklist
    due: int = 0  # sequence steps due now (blocked ones wait here)

    @property
    def missing(self) -> list[SetupItem]:
        """The setup items without which nothing can be sent."""
        return [item for item in self.setup if item.blocks_sending and not item.done]


class OutboxPage(Page):
    """Shows the outbox by state, with retry, cancel and the resolution of unknown sends."""

    key = "outbox"
    title = "Outbox"
    subtitle = (
        "Every planned email, sent at most once from your own mailbox. 'Unknown' means the "
        "connection broke while the server had the email: check your Sent folder, then decide."
    )
    icon = ":/icons/outbox.svg"

    def build_empty_state(self) -> EmptyState:
        state = EmptyState(
            "Nothing to send yet",
            "Emails appear here when a sequence step comes due. Each one is sent at most once, "
            "from your own mailbox, inside the lead's business hours.",
        )
        self.add_getting_started_actions(state)
        state.add_action("Open Settings", lambda: self.open_settings("Accounts"), primary=True)
        state.buttons["Open Settings"].hide()
        self._empty_texts = (state.title_label.text(), state.body_label.text())
        return state

    def build_content(self) -> QWidget:
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        self.banner = SetupBanner(self.open_settings)
        layout.addWidget(self.banner)
        top = QHBoxLayout()
        self.tab_bar = QTabBar()
        for name, _ in TABS:
            self.tab_bar.addTab(name)
        self.tab_bar.currentChanged.connect(self._show_tab)
        top.addWidget(self.tab_bar)
        top.addStretch(1)
        self.pause_box = QCheckBox("Pause all sending")
        self.pause_box.setToolTip("Nothing is sent from any account until you untick this.")
        self.pause_box.clicked.connect(self.set_paused)
        top.addWidget(self.pause_box)
        layout.addLayout(top)
        self.model = OutboxTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_SUBJECT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_REASON, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.count_label = QLabel()
        buttons.addWidget(self.count_label)
        buttons.addStretch(1)
        self.buttons: dict[str, QPushButton] = {}
        for name, label, handler in (
            ("send_now", "Send due emails now", self.send_now),
            ("retry", "Retry", lambda: self._act("retry")),
            ("cancel", "Cancel", lambda: self._act("cancel")),
            ("mark_sent", "Mark as sent", lambda: self._act("mark_sent")),
            ("resend", "Resend", self._confirm_resend),
        ):
            button = QPushButton(label)
            button.clicked.connect(handler)
            buttons.addWidget(button)
            self.buttons[name] = button
        layout.addLayout(buttons)
        self._data = OutboxData({name: [] for name, _ in TABS}, {}, False)
        self._update_buttons()
        return content

    # -- loading -----------------------------------------------------------------------------
    def load(self, session: Session) -> OutboxData:
        tabs = {
            name: actions.list_outbox(
                session, states=states, limit=ROWS_PER_TAB, soonest_first=name == "Scheduled"
            )
            for name, states in TABS
        }
        due = session.scalar(
            select(func.count(Enrollment.id)).where(
                Enrollment.state == EnrollmentState.ACTIVE,
                Enrollment.next_due_at <= self.context.clock.now(),
            )
        )
        return OutboxData(
            tabs,
            actions.count_by_state(session),
            sending_paused(session),
            setup_checklist(session, self.context.db),
            int(due or 0),
        )

    def apply(self, data: OutboxData) -> None:
        self._data = data
        self.banner.show_missing(data.missing, data.due)
        if not data.totals:
            self._explain_empty(data)
            self.show_empty()
            return
        for index, (name, states) in enumerate(TABS):
            count = sum(data.totals.get(state, 0) for state in states)
            self.tab_bar.setTabText(index, f"{name} ({count:,})")
        self.pause_box.setChecked(data.paused)
        self._show_tab(self.tab_bar.currentIndex())
        self.show_content()

    def _explain_empty(self, data: OutboxData) -> None:
        """The empty Outbox: the usual words, or the checklist while sending is blocked."""
        state = self.empty_state
        blocked = bool(data.missing)
        if blocked:
            waiting = f"{data.due} emails are due" if data.due != 1 else "1 email is due"
            state.title_label.setText(
                f"Set up sending first: {waiting}" if data.due else "Set up sending first"
            )
            state.body_label.setText(checklist_html(data.setup))
        else:
            state.title_label.setText(self._empty_texts[0])
            state.body_label.setText(self._empty_texts[1])
        state.buttons["Open Settings"].setVisible(blocked)
        align = Qt.AlignmentFlag.AlignLeft if blocked else Qt.AlignmentFlag.AlignCenter
        state.body_label.setAlignment(align)  # a checklist reads down its left edge

    def open_settings(self, tab: str) -> None:
        """Show the Settings page on ``tab`` (the first missing item's, by default)."""
        if tab == "Accounts" and self._data.missing:
            tab = SETTINGS_TABS.get(self._data.missing[0].key, tab)
        show_page = getattr(self.window(), "show_page", None)
        if show_page is None:
            return
        page = show_page("settings")
        widget = getattr(page, "tab_widgets", {}).get(tab)
        if widget is not None:
            page.tabs.setCurrentWidget(widget)

    def _show_tab(self, index: int) -> None:
        name, states = TABS[max(0, index)]
        rows = self._data.tabs.get(name, [])
        self.model.set_rows(rows)
        self.count_label.setText(
            shown_text(name, len(rows), sum(self._data.totals.get(s, 0) for s in states))
        )
        self._update_buttons()

    # -- actions -----------------------------------------------------------------------------
    def selected_rows(self) -> list[OutboxRow]:
        """The plain rows selected in the table."""
        return [self.model.row_at(i.row()) for i in self.table.selectionModel().selectedRows()]

    def _update_buttons(self, *_: Any) -> None:
        rows = self.selected_rows() if hasattr(self, "model") else []
        states = {row.state for row in rows}
        self.buttons["retry"].setEnabled(bool(rows) and states <= set(actions.RETRYABLE))
        self.buttons["cancel"].setEnabled(bool(rows) and states <= set(actions.CANCELLABLE))
        self.buttons["mark_sent"].setEnabled(bool(rows) and states == {"unknown"})
        self.buttons["resend"].setEnabled(bool(rows) and states == {"unknown"})

    def _confirm_resend(self) -> None:
        answer = QMessageBox.question(
            self,
            "Resend?",
            "If the first attempt did reach the lead, they will get this email twice. "
            "Check your Sent folder first. Resend anyway?",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._act("resend")

    def _act(self, name: str) -> None:
        ids = [row.id for row in self.selected_rows()]
        action: Callable[..., None] = getattr(actions, name)
        db, clock = self.context.db, self.context.clock

        def job(_progress: Any) -> int:
            with db.write() as session:
                for row_id in ids:
                    action(session, row_id, clock.now())
            return len(ids)

        self.context.runner.run(
            job, on_done=lambda _: self._changed(), on_error=self._failed, label="Updating outbox"
        )

    def set_paused(self, paused: bool) -> None:
        """Turn the global "Pause all sending" switch on or off."""
        db = self.context.db

        def job(_progress: Any) -> None:
            with db.write() as session:
                set_setting(session, SENDING_PAUSED, bool(paused))

        self.context.runner.run(job, on_done=lambda _: self._changed(), label="Pausing sending")

    def send_now(self) -> None:
        """Ask the background sender for a pass now."""
        sender = getattr(self.window(), "background_sender", None)
        if sender is not None:
            sender.send_now()

    def _changed(self) -> None:
        self.data_changed.emit()
        sender = getattr(self.window(), "background_sender", None)
        if sender is not None:
            sender.refresh_status()

    def _failed(self, error: BaseException) -> None:
        QMessageBox.warning(self, "Outbox", str(error))
        self.refresh()


def shown_text(tab: str, shown: int, total: int) -> str:
    """What the count label says when a tab holds more emails than it lists ("" otherwise)."""
    if shown >= total:
        return ""
    which = "the soonest" if tab == "Scheduled" else "the newest"
    return f"Showing {which} {shown:,} of {total:,}"
