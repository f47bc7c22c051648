"""The Sales queue's badge in the navigation and the desktop notices for "me".

Every minute, after each background tick and whenever data changes, it reads (off the GUI
thread) how many hand-offs wait for the member this computer acts as — everyone's for a
manager or when nobody is chosen — and shows the number on the navigation entry. New hand-offs
to me and newly missed deadlines are announced once: a tray notification where the desktop
has a tray, else a status-bar message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QMainWindow, QSystemTrayIcon
from sqlalchemy import select

from leaddesk.db.engine import Database
from leaddesk.db.models import Handoff, HandoffState, Lead, SlaState, TeamRole
from leaddesk.handoff.identity import current_member
from leaddesk.handoff.queue import queue_counts

PAGE_KEY = "sales_queue"
TITLE = "Sales queue"
REFRESH_MS = 60_000
NOTIFY_MS = 10_000


@dataclass(frozen=True)
class QueueSnapshot:
    """What the badge and the notices need: counts, and the hand-offs that concern me."""

    waiting: int
    overdue: int
    everyone: bool
    mine: dict[int, str]  # open hand-off id -> lead name, for "me"
    breached: dict[int, str]  # breached, not yet attempted (mine, or everyone's for a manager)


def read_snapshot(db: Database, now: datetime) -> QueueSnapshot:
    """Read the badge figures and the hand-offs to announce (runs on a worker thread)."""
    with db.session() as session:
        me = current_member(session, db)
        everyone = me is None or me.role == TeamRole.SALES_MANAGER
        counts = queue_counts(session, now, member_id=None if everyone else me.id)  # type: ignore[union-attr]
        rows = session.execute(
            select(
                Handoff.id,
                Handoff.owner_id,
                Handoff.sla_state,
                Lead.first_name,
                Lead.last_name,
                Lead.email,
            )
            .join(Lead, Lead.id == Handoff.lead_id)
            .where(Handoff.state != HandoffState.CLOSED, Handoff.first_attempt_at.is_(None))
        ).all()
    mine: dict[int, str] = {}
    breached: dict[int, str] = {}
    for handoff_id, owner_id, sla_state, first, last, email in rows:
        name = " ".join(p for p in (first, last) if p) or email
        is_mine = me is not None and owner_id == me.id
        if is_mine:
            mine[handoff_id] = name
        if sla_state == SlaState.BREACHED and (is_mine or everyone):
            breached[handoff_id] = name
    return QueueSnapshot(counts.waiting, counts.overdue, everyone, mine, breached)


class QueueNotifier(QObject):
    """Keeps the badge current and announces new hand-offs and missed deadlines once."""

    def __init__(self, window: QMainWindow, parent: QObject | None = None) -> None:
        super().__init__(parent or window)
        self.window = window
        self.context: Any = window.context  # type: ignore[attr-defined]
        self.known: QueueSnapshot | None = None
        self.shown: list[str] = []
        self.running = False
        mailbox = getattr(window, "mailbox_notifier", None)
        self.tray: QSystemTrayIcon | None = getattr(mailbox, "tray", None)
        if self.tray is None and QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(QIcon(":/icons/leaddesk.svg"), window)
            self.tray.setToolTip("LeadDesk")
            self.tray.show()
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)

    def start(self) -> None:
        """Read now, then every minute."""
        self.timer.start()
        self.refresh()

    def refresh(self) -> None:
        """Read the queue off the GUI thread (one read at a time)."""
        if self.running:
            return
        self.running = True
        db, now = self.context.db, self.context.clock.now()
        self.context.runner.run(
            lambda _progress: read_snapshot(db, now),
            on_done=self._apply,
            on_error=self._failed,
            write=False,
        )

    def _failed(self, _error: BaseException) -> None:
        self.running = False

    def _apply(self, snapshot: QueueSnapshot) -> None:
        self.running = False
        self._show_badge(snapshot)
        previous, self.known = self.known, snapshot
        if previous is None:
            return  # what was there when the app opened is not news
        new = [name for key, name in snapshot.mine.items() if key not in previous.mine]
        late = [name for key, name in snapshot.breached.items() if key not in previous.breached]
        if new:
            self.notify(
                f"{len(new)} new lead{'s' if len(new) > 1 else ''} for you",
                ", ".join(new[:5]) + (" …" if len(new) > 5 else ""),
            )
        if late:
            self.notify("Follow-up deadline missed", ", ".join(late[:5]))

    def _show_badge(self, snapshot: QueueSnapshot) -> None:
        pages = getattr(self.window, "page_keys", [])
        if PAGE_KEY not in pages:
            return
        item = self.window.ui.navList.item(pages.index(PAGE_KEY))  # type: ignore[attr-defined]
        item.setText(f"{TITLE} ({snapshot.waiting})" if snapshot.waiting else TITLE)
        whose = "everyone's" if snapshot.everyone else "your"
        item.setToolTip(
            f"{snapshot.waiting} of {whose} hand-offs wait for a first follow-up"
            + (f", {snapshot.overdue} overdue" if snapshot.overdue else "")
        )

    def notify(self, title: str, text: str) -> None:
        """A tray notification when the desktop has a tray, else the status bar."""
        self.shown.append(title)
        if self.tray is not None and QSystemTrayIcon.supportsMessages():
            self.tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, NOTIFY_MS)
        else:
            self.window.statusBar().showMessage(f"{title}: {text}", NOTIFY_MS)


def install_queue_notifier(window: QMainWindow, *, start: bool = True) -> QueueNotifier:
    """Keep ``window``'s Sales queue badge current and announce what is new for "me"."""
    notifier = QueueNotifier(window)
    changed = getattr(window, "data_changed", None)
    if changed is not None:
        changed.connect(notifier.refresh)
    sender = getattr(window, "background_sender", None)
    if sender is not None:
        sender.passed.connect(lambda _report: notifier.refresh())
    window.queue_notifier = notifier  # type: ignore[attr-defined]
    if start:
        notifier.start()
    return notifier
