"""The one tick: every timer that is due, for ``leaddesk tick`` (cron) and the app's service.

In order: the hand-off timers (catch-up hand-offs, unassigned leads, missed deadlines and
escalation), recycle plans whose day came, the hourly re-engagement pass (when switched on), the
sequence steps that came due, the erasure of forgotten people that an open reader held up, the
hourly score decay when it is due, and finally sending what is due — drip emails and internal
alerts alike. Each part is idempotent
and safe beside other processes (one writer at a time; one sender at a time), so running the
tick twice, from two laptops, or after the clock jumped, never does anything twice.
"""

from __future__ import annotations

import logging
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from leaddesk.clock import Clock
from leaddesk.db.engine import Database

log = logging.getLogger(__name__)
DECAY_SETTING = "score_decay_last_run_at"
DECAY_INTERVAL = timedelta(minutes=60)
# A last run further in the future than this means the clock was set back: run again.
CLOCK_SLACK = timedelta(minutes=5)


@dataclass
class TickReport:
    """What one tick did, part by part (None: that part did not run)."""

    timers: TimerResults
    decay: Any | None
    sending: Any | None
    seconds: float = 0.0

    @property
    def handoff(self) -> Any:
        """The hand-off timers' report."""
        return self.timers.handoff

    @property
    def sequences(self) -> Any:
        """The sequence scheduler's result."""
        return self.timers.sequences

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return {
            **self.timers.as_dict(),
            "decay": self.decay.to_dict() if self.decay is not None else None,
            "sending": self.sending.as_dict() if self.sending is not None else None,
            "seconds": round(self.seconds, 3),
        }


def decay_due(last: datetime | None, now: datetime) -> bool:
    """True when the hourly decay pass should run (never ran, an hour passed, clock set back)."""
    return last is None or now - last >= DECAY_INTERVAL or last - now > CLOCK_SLACK


def note_decay_pass(session: Any, now: datetime) -> None:
    """Remember that a decay pass ran at ``now`` (the app's decay timer calls this too)."""
    from leaddesk.settings import set_setting

    set_setting(session, DECAY_SETTING, now.isoformat())


def run_decay_if_due(db: Database, now: datetime) -> Any | None:
    """Bring scores up to date (:func:`~leaddesk.scoring.decay_scores`: only changes people
    see are written) when the last pass is an hour old; returns its summary or None."""
    from leaddesk.scoring import decay_scores
    from leaddesk.settings import get_setting

    with db.write() as session:
        stored = get_setting(session, DECAY_SETTING, None)
        last = datetime.fromisoformat(stored) if stored else None
        if not decay_due(last, now):
            return None
        summary = decay_scores(session, now)
        note_decay_pass(session, now)
        return summary


@dataclass
class TimerResults:
    """What the timers did: hand-offs, recycle plans, re-engagement, sequence steps."""

    handoff: Any
    recycled: int
    reengagement: Any | None
    sequences: Any

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return {
            "handoff": self.handoff.as_dict(),
            "recycled": self.recycled,
            "reengagement": self.reengagement.as_dict() if self.reengagement else None,
            "sequences": self.sequences.as_dict(),
        }


def run_timers(db: Database, now: datetime) -> TimerResults:
    """Hand-off timers, recycle plans and re-engagement (one write), then due sequence steps.

    What the app's background sender runs before each sending pass (it has its own decay timer).
    """
    from leaddesk.handoff.timers import run_handoff_timers
    from leaddesk.outcomes.recycling import run_recycle_plans
    from leaddesk.outcomes.reengagement import run_reengagement_if_due
    from leaddesk.sequences.scheduler import run_due

    with db.write() as session:
        timers = run_handoff_timers(session, now)
        recycled = len(run_recycle_plans(session, now))
        reengaged = run_reengagement_if_due(session, now)
    results = TimerResults(timers, recycled, reengaged, run_due(db, now))
    if db.is_sqlite:
        from leaddesk.inbox.forget import complete_erasure, erasure_pending

        if erasure_pending(db):  # a forget that another reader kept from finishing
            complete_erasure(db)
    return results


def run_tick(
    db: Database,
    clock: Clock,
    *,
    send: bool = True,
    decay: bool = True,
    password_for: Any = None,
    tls_context: ssl.SSLContext | None = None,
    send_limit: int | None = None,
) -> TickReport:
    """Run every due timer once, then send what is due (unless ``send`` is False)."""
    import time

    started = time.perf_counter()
    timers = run_timers(db, clock.now())
    decayed = run_decay_if_due(db, clock.now()) if decay else None
    sending = None
    if send:
        from leaddesk.mail.accounts import account_password
        from leaddesk.mail.sender import send_due

        sending = send_due(
            db,
            clock,
            send_limit,
            password_for=password_for or account_password,
            tls_context=tls_context,
        )
    return TickReport(timers, decayed, sending, time.perf_counter() - started)
