"""The periodic decay pass: bring every stored score up to date on a timer as points fade.

Scores decay continuously but are stored, so the inbox can sort by them in SQL; this pass keeps
the stored column fresh (and records the "became cold" crossings decay causes). It runs on the
runner's single writer thread, at most one at a time.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from leaddesk.clock import Clock
from leaddesk.db.engine import Database
from leaddesk.scoring import RescoreSummary, decay_scores
from leaddesk.tasks.runner import TaskRunner
from leaddesk.tick import note_decay_pass

log = logging.getLogger(__name__)
DECAY_INTERVAL_MINUTES = 60
FIRST_PASS_DELAY_MS = 60_000  # after start-up work has settled


class ScoreDecayTimer(QObject):
    """Runs :func:`leaddesk.scoring.decay_scores` every ``interval_minutes``; never two at once."""

    rescored = Signal(object)  # RescoreSummary
    failed = Signal(str)

    def __init__(
        self,
        db: Database,
        runner: TaskRunner,
        clock: Clock,
        parent: QObject | None = None,
        *,
        interval_minutes: int = DECAY_INTERVAL_MINUTES,
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._runner = runner
        self._clock = clock
        self.interval_minutes = interval_minutes
        self.running = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.run_now)

    def start(self, first_delay_ms: int = FIRST_PASS_DELAY_MS) -> None:
        """Begin: the first pass after ``first_delay_ms``, then every interval."""
        self.timer.start(first_delay_ms)

    def stop(self) -> None:
        """Stop the timer (a pass already running finishes)."""
        self.timer.stop()

    def run_now(self) -> bool:
        """Start a pass now unless one is running; returns whether one was started."""
        if self.running:
            return False
        self.running = True
        db, now = self._db, self._clock.now()

        def job(_progress: Any) -> RescoreSummary:
            with db.write() as session:
                summary = decay_scores(session, now)
                note_decay_pass(session, now)  # `leaddesk tick` from cron skips the next hour
                return summary

        self._runner.run(
            job, on_done=self._done, on_error=self._failed, label="Updating scores", write=True
        )
        return True

    def _done(self, summary: RescoreSummary) -> None:
        self.running = False
        self.timer.start(self.interval_minutes * 60_000)
        self.rescored.emit(summary)

    def _failed(self, error: BaseException) -> None:
        self.running = False
        log.error("score decay pass failed", exc_info=error)
        self.timer.start(self.interval_minutes * 60_000)
        self.failed.emit(str(error))


def install_score_decay(window: Any, *, start: bool = True) -> ScoreDecayTimer:
    """Run the decay pass for ``window`` (a MainWindow: ``context`` and ``data_changed``).

    Pages reload after a pass that changed any score, so the inbox order stays true.
    """
    context = window.context
    decay = ScoreDecayTimer(context.db, context.runner, context.clock, window)

    def rescored(summary: RescoreSummary) -> None:
        if summary.changed:
            window.data_changed.emit()

    decay.rescored.connect(rescored)
    window.score_decay = decay
    if start:
        decay.start()
    return decay
