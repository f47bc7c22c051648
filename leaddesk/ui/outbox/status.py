"""The sender in the window: status-bar line, password prompt, pause switch and system tray.

Wire it once in the composition root (after the main window exists)::

    from leaddesk.ui.outbox.status import install_sender
    install_sender(window)     # background sender + "Next send 10:30 · 37 sent today"
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import (
    QApplication,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QSystemTrayIcon,
    QWidget,
)

from leaddesk.mail import secrets
from leaddesk.mail.accounts import SMTP_KIND
from leaddesk.mail.sender import PassReport
from leaddesk.mail.status import SenderStatus
from leaddesk.settings import SENDING_PAUSED, set_setting
from leaddesk.tasks.sender import BackgroundSender
from leaddesk.ui.context import AppContext

KEEP_IN_TRAY = "sending/keep_in_tray"


class SenderStatusLabel(QLabel):
    """ "Next send 10:30 · 37 sent today · paused: quota" in the status bar."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("senderStatus")
        self.status: SenderStatus | None = None

    def show_status(self, status: SenderStatus) -> None:
        """Show what the sender is doing."""
        self.status = status
        local_now = self.context.clock.now().astimezone()
        self.setText(status.text(local_now))
        warn = status.paused_all or bool(status.paused) or bool(status.needs_password)
        self.setStyleSheet("color: #8a5a00;" if warn else "")


def keep_sending_in_tray(context: AppContext) -> bool:
    """Whether closing the window leaves LeadDesk sending from the system tray."""
    return str(context.preferences.value(KEEP_IN_TRAY, "false")).lower() == "true"


class TrayKeeper(QObject):
    """Turns "close window" into "hide to tray" while the keep-sending option is on."""

    def __init__(self, window: QMainWindow, context: AppContext, sender: BackgroundSender) -> None:
        super().__init__(window)
        self.window = window
        self.context = context
        self.quitting = False
        notifier = getattr(window, "mailbox_notifier", None)
        tray = getattr(notifier, "tray", None)
        if tray is None and QSystemTrayIcon.isSystemTrayAvailable():
            tray = QSystemTrayIcon(QIcon(":/icons/leaddesk.svg"), window)
            tray.setToolTip("LeadDesk")
        self.tray: QSystemTrayIcon | None = tray
        self.menu = QMenu(window)
        self.open_action = QAction("Open LeadDesk", self.menu)
        self.open_action.triggered.connect(self.restore)
        self.pause_action = QAction("Pause all sending", self.menu)
        self.pause_action.setCheckable(True)
        self.pause_action.toggled.connect(self.set_paused)
        self.send_action = QAction("Send due emails now", self.menu)
        self.send_action.triggered.connect(sender.send_now)
        self.quit_action = QAction("Quit LeadDesk", self.menu)
        self.quit_action.triggered.connect(self.quit)
        for action in (self.open_action, self.pause_action, self.send_action, self.quit_action):
            self.menu.addAction(action)
        if self.tray is not None:
            self.tray.setContextMenu(self.menu)
            self.tray.activated.connect(lambda _reason: self.restore())
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.window
            and event.type() == QEvent.Type.Close
            and not self.quitting
            and self.tray is not None
            and keep_sending_in_tray(self.context)
        ):
            event.ignore()
            self.window.hide()
            self.tray.show()
            if QSystemTrayIcon.supportsMessages():
                self.tray.showMessage(
                    "LeadDesk keeps sending",
                    "Due emails still go out. Quit from this icon's menu.",
                    QSystemTrayIcon.MessageIcon.Information,
                    5000,
                )
            return True
        return False

    def restore(self) -> None:
        """Show the window again."""
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def quit(self) -> None:
        """Really quit (the tray menu's Quit)."""
        self.quitting = True
        self.window.close()
        QApplication.quit()

    def set_paused(self, paused: bool) -> None:
        """The tray's "Pause all sending" switch."""
        db = self.context.db

        def job(_progress: Any) -> None:
            with db.write() as session:
                set_setting(session, SENDING_PAUSED, paused)

        changed = getattr(self.window, "data_changed", None)
        self.context.runner.run(
            job, on_done=lambda _: changed.emit() if changed is not None else None
        )


def ask_password(window: QMainWindow, account_id: int, name: str, username: str) -> QInputDialog:
    """Ask once per session for a password the keyring does not have (non-blocking)."""
    dialog = QInputDialog(window)
    dialog.setWindowTitle("Password needed")
    dialog.setLabelText(
        f"LeadDesk needs the password of {name} ({username}) to send. It is kept only until "
        "LeadDesk closes."
    )
    dialog.setTextEchoMode(QLineEdit.EchoMode.Password)

    def typed(value: str) -> None:
        if value:
            secrets.remember_for_session(SMTP_KIND, account_id, username, value)
            sender = getattr(window, "background_sender", None)
            if sender is not None:
                sender.send_now()

    dialog.textValueSelected.connect(typed)
    dialog.open()
    return dialog


def install_sender(window: QMainWindow, *, start: bool = True) -> BackgroundSender:
    """Add the sender's status to ``window`` and start sending in the background."""
    context = getattr(window, "context", None)
    assert isinstance(context, AppContext)
    label = SenderStatusLabel(context)
    window.statusBar().addPermanentWidget(label)
    sender = BackgroundSender(context.db, context.runner, context.clock, window)
    sender.status_changed.connect(label.show_status)
    keeper = TrayKeeper(window, context, sender)

    def status(value: SenderStatus) -> None:
        keeper.pause_action.blockSignals(True)
        keeper.pause_action.setChecked(value.paused_all)
        keeper.pause_action.blockSignals(False)

    def passed(report: PassReport) -> None:
        moved = report.sent + report.failed + report.bounced + report.unknown + report.cancelled
        if moved or report.recovered_unknown or report.paused_accounts:
            changed = getattr(window, "data_changed", None)
            if changed is not None:
                changed.emit()
        if report.stopped_busy:
            window.statusBar().showMessage(
                "Sending stopped: another program kept the database locked for "
                f"{report.waited_for_database:.0f} s. What went out is recorded; the rest goes "
                "at the next try.",
                60_000,
            )

    sender.status_changed.connect(status)
    sender.passed.connect(passed)
    sender.password_needed.connect(
        lambda account_id, name, username: ask_password(window, account_id, name, username)
    )
    app = QApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(sender.stop)
    window.background_sender = sender  # type: ignore[attr-defined]
    window.sender_status = label  # type: ignore[attr-defined]
    window.tray_keeper = keeper  # type: ignore[attr-defined]
    if start:
        sender.start()
    sender.refresh_status()
    return sender
