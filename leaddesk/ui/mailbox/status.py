"""Mailbox status in the status bar, and a desktop notification when a lead replies.

Wire it once in the composition root (after the main window exists)::

    from leaddesk.ui.mailbox.status import install_mailbox
    install_mailbox(window)          # status label + 5-minute poll + reply notifications
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QLabel, QMainWindow, QSystemTrayIcon, QWidget

from leaddesk.mailbox.actions import ReplyNotice
from leaddesk.mailbox.sync import SyncReport
from leaddesk.tasks.mailbox_poller import MailboxPoller
from leaddesk.ui.context import AppContext

NOTIFY_MS = 10_000


class MailboxStatusLabel(QLabel):
    """ "Mailbox: checked 10:42" or "Mailbox: <what to fix>"; hidden until IMAP is set up."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mailboxStatus")
        self.hide()

    def show_report(self, report: SyncReport, now: datetime) -> None:
        """Show the outcome of one pass (errors name the account and what to fix)."""
        if not report.accounts:
            self.hide()
            return
        failures = [a for a in report.accounts if not a.ok]
        if failures:
            first = failures[0]
            more = f" (+{len(failures) - 1} more)" if len(failures) > 1 else ""
            short = first.error if len(first.error) <= 90 else first.error[:89] + "…"
            self.setText(f"Mailbox {first.account}{more}: {short}")
            self.setToolTip("\n\n".join(f"{a.account}: {a.error}" for a in failures))
            self.setStyleSheet("color: #b3261e;")
        else:
            local = now.astimezone()
            warned = [a for a in report.accounts if a.warning]
            if warned:
                self.setText(f"Mailbox checked {local:%H:%M} · deliverability warning")
                self.setToolTip("\n\n".join(f"{a.account}: {a.warning}" for a in warned))
                self.setStyleSheet("color: #8a5300;")
            else:
                self.setText(f"Mailbox checked {local:%H:%M}")
                self.setToolTip("Replies, bounces and unsubscribes are read every few minutes.")
                self.setStyleSheet("")
        self.show()

    def show_failure(self, message: str) -> None:
        """A pass that crashed outright (a bug, not a server problem)."""
        self.setText("Mailbox: check failed")
        self.setToolTip(message)
        self.setStyleSheet("color: #b3261e;")
        self.show()


class ReplyNotifier:
    """Tells the user about new replies: a tray notification when available, else the status bar."""

    def __init__(self, window: QMainWindow) -> None:
        self.window = window
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(QIcon(":/icons/leaddesk.svg"), window)
            self.tray.setToolTip("LeadDesk")
            self.tray.show()
        self.shown: list[str] = []

    def notify(self, replies: list[ReplyNotice]) -> None:
        """One notification for the new replies of a pass."""
        if not replies:
            return
        if len(replies) == 1:
            title = f"{replies[0].lead_name} replied"
            text = f"{replies[0].subject}\n{replies[0].snippet}"
        else:
            title = f"{len(replies)} leads replied"
            text = ", ".join(r.lead_name for r in replies)
        self.shown.append(title)
        if self.tray is not None and QSystemTrayIcon.supportsMessages():
            self.tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, NOTIFY_MS)
        else:
            self.window.statusBar().showMessage(f"{title}: {text.splitlines()[0]}", NOTIFY_MS)


def install_mailbox(window: QMainWindow, *, start: bool = True) -> MailboxPoller:
    """Add the mailbox status to ``window``'s status bar and start polling (5 min default)."""
    context = getattr(window, "context", None)
    assert isinstance(context, AppContext)
    label = MailboxStatusLabel()
    window.statusBar().addPermanentWidget(label)
    notifier = ReplyNotifier(window)
    poller = MailboxPoller(context.db, context.runner, context.clock, window)

    def synced(report: SyncReport) -> None:
        label.show_report(report, context.clock.now())
        notifier.notify([r for a in report.accounts for r in a.replies])
        if any(a.counts for a in report.accounts):
            changed = getattr(window, "data_changed", None)
            if changed is not None:
                changed.emit()  # replies, bounces and unsubscribes change the inbox

    poller.synced.connect(synced)
    poller.failed.connect(label.show_failure)
    window.mailbox_status = label  # type: ignore[attr-defined]
    window.mailbox_notifier = notifier  # type: ignore[attr-defined]
    window.mailbox_poller = poller  # type: ignore[attr-defined]
    if start:
        poller.start()
    return poller
