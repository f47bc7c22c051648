"""Polls the mailbox while the app runs: one sync pass every few minutes through the task runner.

The pass runs on the runner's reader pool, not on the single writer thread: it spends most of
its time waiting on the IMAP server, and its database writes are short ``BEGIN IMMEDIATE``
transactions that queue on SQLite's busy timeout — so a slow server never holds up a Save.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from sqlalchemy import func, select

from leaddesk.clock import Clock
from leaddesk.db.engine import Database
from leaddesk.db.models import SenderAccount
from leaddesk.mailbox.settings import DEFAULT_POLL_MINUTES
from leaddesk.mailbox.sync import SyncReport, sync_mailbox
from leaddesk.tasks.runner import TaskRunner

log = logging.getLogger(__name__)
FIRST_POLL_DELAY_MS = 20_000  # let the window settle before the first check


@dataclass(frozen=True)
class PollResult:
    """A finished pass and the interval the accounts ask for."""

    report: SyncReport
    interval_minutes: int


class MailboxPoller(QObject):
    """Runs :func:`sync_mailbox` on a timer (default every 5 minutes); never two at once."""

    synced = Signal(object)  # SyncReport
    failed = Signal(str)

    def __init__(
        self, db: Database, runner: TaskRunner, clock: Clock, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._runner = runner
        self._clock = clock
        self.running = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.poll_now)
        self.interval_minutes = DEFAULT_POLL_MINUTES

    def start(self, first_delay_ms: int = FIRST_POLL_DELAY_MS) -> None:
        """Begin polling: the first pass after ``first_delay_ms``, then every interval."""
        self.timer.start(first_delay_ms)

    def stop(self) -> None:
        """Stop polling (a pass already running finishes)."""
        self.timer.stop()

    def poll_now(self) -> bool:
        """Start a pass now unless one is running; returns whether one was started."""
        if self.running:
            return False
        self.running = True
        db, clock = self._db, self._clock

        def job(_progress: Any) -> PollResult:
            report = sync_mailbox(db, clock)
            with db.session() as session:
                minutes = session.scalar(
                    select(func.min(SenderAccount.poll_minutes)).where(
                        SenderAccount.imap_host != ""
                    )
                )
            return PollResult(report, max(1, int(minutes or DEFAULT_POLL_MINUTES)))

        self._runner.run(
            job,
            on_done=self._done,
            on_error=self._failed,
            label="Checking the mailbox",
            write=False,
        )
        return True

    def _done(self, result: PollResult) -> None:
        self.running = False
        self.interval_minutes = result.interval_minutes
        self.timer.start(self.interval_minutes * 60_000)
        self.synced.emit(result.report)

    def _failed(self, error: BaseException) -> None:
        self.running = False
        log.error("mailbox poll failed", exc_info=error)
        self.timer.start(self.interval_minutes * 60_000)
        self.failed.emit(str(error))
