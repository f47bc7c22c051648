"""The background sender: one ``send_due`` pass at a time, off the GUI thread, on a timer.

Passes run on the runner's reader pool (like the mailbox poller): they mostly wait on the SMTP
server, and their writes are short ``BEGIN IMMEDIATE`` transactions, so the single writer thread
stays free for the user's saves. Passwords come from the keyring, or from this session's memory
after the user typed them once (``password_needed`` asks the window to prompt).
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from leaddesk.clock import Clock
from leaddesk.db.engine import Database
from leaddesk.db.models import SenderAccount
from leaddesk.errors import lost_connection
from leaddesk.mail.sender import PassReport, send_due
from leaddesk.mail.status import SenderStatus, sender_status
from leaddesk.tasks.runner import TaskRunner
from leaddesk.tick import run_timers

log = logging.getLogger(__name__)
FIRST_PASS_DELAY_MS = 5_000
IDLE_INTERVAL_MS = 60_000
MIN_INTERVAL_MS = 1_000


class BackgroundSender(QObject):
    """Sends what is due every minute (sooner when something falls due); never two passes."""

    status_changed = Signal(object)  # SenderStatus
    passed = Signal(object)  # PassReport
    password_needed = Signal(int, str, str)  # account id, account name, user name
    failed = Signal(str)

    def __init__(
        self, db: Database, runner: TaskRunner, clock: Clock, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._runner = runner
        self._clock = clock
        self._stop = threading.Event()
        self.running = False
        self.asked: set[int] = set()
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.send_now)

    def start(self, first_delay_ms: int = FIRST_PASS_DELAY_MS) -> None:
        """Begin sending: the first pass after ``first_delay_ms``."""
        self._stop.clear()
        self.timer.start(first_delay_ms)

    def stop(self) -> None:
        """Stop the timer and ask a running pass to finish after its current message."""
        self.timer.stop()
        self._stop.set()

    def send_now(self) -> bool:
        """Start a pass unless one is running; returns whether one was started."""
        if self.running:
            return False
        self.running = True
        db, clock, stop = self._db, self._clock, self._stop

        def wait(seconds: float) -> None:
            stop.wait(seconds)  # pacing between sends; returns at once when asked to stop

        def job(_progress: Any) -> tuple[PassReport, SenderStatus, list[tuple[int, str, str]]]:
            # Hand-off deadlines and escalations first (their alerts go out in this pass), then
            # the sequence steps that came due become messages (once each).
            run_timers(db, clock.now())
            report = send_due(db, clock, wait=wait, should_stop=stop.is_set)
            with db.session() as session:
                accounts = {a.id: (a.name, a.smtp_username) for a in session.query(SenderAccount)}
                missing = [(i, *accounts[i]) for i in report.needs_password if i in accounts]
                status = sender_status(
                    session, clock.now(), needs_password=tuple(m[1] for m in missing)
                )
            return report, status, missing

        self._runner.run(job, on_done=self._done, on_error=self._failed, write=False)
        return True

    def refresh_status(self) -> None:
        """Re-read the status (after the user paused sending or edited an account)."""

        def job(_progress: Any) -> SenderStatus:
            with self._db.session() as session:
                return sender_status(session, self._clock.now())

        self._runner.run(job, on_done=self.status_changed.emit, write=False)

    def _schedule_next(self, next_send_at: datetime | None) -> None:
        if self._stop.is_set():
            return
        delay = IDLE_INTERVAL_MS
        if next_send_at is not None:
            until = (next_send_at - self._clock.now()).total_seconds() * 1000
            delay = int(min(IDLE_INTERVAL_MS, max(MIN_INTERVAL_MS, until)))
        self.timer.start(delay)

    def _done(self, result: tuple[PassReport, SenderStatus, list[tuple[int, str, str]]]) -> None:
        report, status, missing = result
        self.running = False
        self.passed.emit(report)
        self.status_changed.emit(status)
        for account_id, name, username in missing:
            if account_id not in self.asked:
                self.asked.add(account_id)
                self.password_needed.emit(account_id, name, username)
        self._schedule_next(status.next_send_at)

    def _failed(self, error: BaseException) -> None:
        self.running = False
        sentence = lost_connection(error)
        if sentence is not None:  # the next pass retries; nothing was half-sent
            log.warning("sending pass: %s", sentence)
        else:
            log.error("sending pass failed", exc_info=error)
        self.failed.emit(sentence or str(error))
        self._schedule_next(None)
