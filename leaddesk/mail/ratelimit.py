"""Per-account sending caps over rolling windows, with sends spread out a little.

A per-minute cap also paces the sends (one every 60/cap seconds, plus up to 25 % jitter) so a
backlog never leaves in a burst; per-hour and per-day caps are hard rolling windows.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.db.models import OutboundMessage, OutboxState, SenderAccount

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
MAX_JITTER = 0.25
COUNTED = (
    OutboxState.SENDING,
    OutboxState.SENT,
    OutboxState.UNKNOWN,
    OutboxState.DEFERRED,
    OutboxState.FAILED,
)


@dataclass
class AccountPace:
    """The recent submissions of one account and its caps."""

    per_minute: int | None
    per_hour: int | None
    per_day: int | None
    times: deque[datetime] = field(default_factory=deque)

    @classmethod
    def load(cls, session: Session, account: SenderAccount, now: datetime) -> AccountPace:
        """The account's caps and its submissions of the last 24 hours from the database."""
        moments = session.scalars(
            select(OutboundMessage.claimed_at)
            .where(OutboundMessage.account_id == account.id)
            .where(OutboundMessage.claimed_at > now - DAY)
            .where(OutboundMessage.state.in_(COUNTED))
            .order_by(OutboundMessage.claimed_at)
        )
        pace = cls(account.per_minute, account.per_hour, account.per_day)
        pace.times.extend(m for m in moments if m is not None)
        return pace

    def _in_window(self, now: datetime, window: timedelta) -> list[datetime]:
        return [t for t in self.times if t > now - window]

    def _forget_old(self, now: datetime) -> None:
        while self.times and self.times[0] <= now - DAY:
            self.times.popleft()

    def next_slot(self, now: datetime) -> datetime | None:
        """The earliest moment a hard (hour/day) window has room again (``None``: now)."""
        latest: datetime | None = None
        for cap, window in ((self.per_hour, HOUR), (self.per_day, DAY)):
            if cap is None:
                continue
            recent = self._in_window(now, window)
            if len(recent) >= cap:
                free_at = recent[len(recent) - cap] + window
                latest = free_at if latest is None or free_at > latest else latest
        return latest

    def delay_before_next(self, now: datetime, rng: random.Random) -> float | None:
        """Seconds to wait before the next send, or ``None`` when the hour/day cap is full."""
        self._forget_old(now)
        if self.next_slot(now) is not None:
            return None
        if self.per_minute is None:
            return 0.0
        delay = 0.0
        recent = self._in_window(now, MINUTE)
        if len(recent) >= self.per_minute:
            free_at = recent[len(recent) - self.per_minute] + MINUTE
            delay = (free_at - now).total_seconds()
        if self.times:
            gap = 60.0 / self.per_minute * (1.0 + rng.uniform(0.0, MAX_JITTER))
            delay = max(delay, gap - (now - self.times[-1]).total_seconds())
        return max(0.0, delay)

    def room(self, now: datetime) -> int:
        """How many sends the hour/day windows still allow right now."""
        room = 1_000_000
        for cap, window in ((self.per_hour, HOUR), (self.per_day, DAY)):
            if cap is not None:
                room = min(room, cap - len(self._in_window(now, window)))
        return max(0, room)

    def record(self, moment: datetime) -> None:
        """Remember a submission made at ``moment``."""
        self.times.append(moment)
