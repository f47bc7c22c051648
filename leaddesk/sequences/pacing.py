"""Spreading sends out under a mailbox's rate limits and a sequence's daily cap.

A :class:`RateBook` holds the moments already booked (planned or sent) for one sender account
or one sequence and answers "what is the earliest moment at or after ``t`` that keeps every
limit?". The scheduler books every new message, so a queue of missed sends after the laptop
slept is laid out calmly over the next windows instead of leaving as a burst.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
DEFAULT_GAP = timedelta(seconds=30)  # never two messages from one mailbox closer than this
_MAX_STEPS = 10_000


@dataclass(frozen=True)
class RateLimit:
    """At most ``count`` bookings in any span of length ``span``."""

    span: timedelta
    count: int


@dataclass
class RateBook:
    """Booked moments plus the limits and the minimum gap that new bookings must respect."""

    limits: list[RateLimit] = field(default_factory=list)
    min_gap: timedelta = timedelta(0)
    booked: list[datetime] = field(default_factory=list)
    _run_ends: dict[datetime, datetime] = field(default_factory=dict, repr=False)

    @classmethod
    def for_account(
        cls,
        per_minute: int | None,
        per_hour: int | None,
        per_day: int | None,
        booked: Iterable[datetime] = (),
    ) -> RateBook:
        """A book for one mailbox: its per-minute/hour/day caps, and an even minimum gap."""
        limits = [
            RateLimit(span, count)
            for span, count in ((MINUTE, per_minute), (HOUR, per_hour), (DAY, per_day))
            if count and count > 0
        ]
        gaps = [DEFAULT_GAP]
        if per_minute and per_minute > 0:
            gaps.append(MINUTE / per_minute)
        if per_hour and per_hour > 0:
            gaps.append(HOUR / per_hour)
        return cls(limits, max(gaps), sorted(booked))

    @classmethod
    def for_daily_cap(cls, cap: int | None, booked: Iterable[datetime] = ()) -> RateBook:
        """A book for one sequence's daily cap (no limit when ``cap`` is empty)."""
        limits = [RateLimit(DAY, cap)] if cap and cap > 0 else []
        return cls(limits, timedelta(0), sorted(booked))

    def book(self, moment: datetime) -> None:
        """Record a booking at ``moment``."""
        insort(self.booked, moment)

    def _count(self, start: datetime, end: datetime) -> int:
        """Bookings in ``[start, end)``."""
        return bisect_left(self.booked, end) - bisect_left(self.booked, start)

    def _blocked_until(self, moment: datetime) -> datetime | None:
        """None when ``moment`` may be booked, else a later moment worth trying."""
        booked = self.booked
        if self.min_gap:
            low = bisect_right(booked, moment - self.min_gap)
            high = bisect_left(booked, moment + self.min_gap)
            if high > low:
                # Skip the whole run of closely packed bookings in one go; runs only grow, so
                # the end found last time for the same first booking is a safe place to resume.
                key = booked[low]
                candidate = max(self._run_ends.get(key, moment), booked[high - 1] + self.min_gap)
                index = bisect_right(booked, candidate - self.min_gap)
                while index < len(booked) and booked[index] < candidate + self.min_gap:
                    candidate = booked[index] + self.min_gap
                    index += 1
                self._run_ends[key] = candidate
                return candidate
        last = bisect_right(booked, moment)
        for limit in self.limits:
            first = bisect_right(booked, moment - limit.span)
            if last == len(booked):
                # Nothing booked later: the fullest span ending at ``moment`` is the only risk.
                if last - first + 1 > limit.count:
                    return booked[last - limit.count] + limit.span
                continue
            # The fullest span containing ``moment`` starts at ``moment`` or at a booking before
            # it. A start at booking i holds ``cap`` bookings exactly when booking i + cap - 1
            # is less than a span after it, so each start is one comparison; and when fewer
            # than ``cap`` bookings lie within a span either side of ``moment``, no span
            # containing it can be full (a day's cap can mean thousands of starts).
            span, cap = limit.span, limit.count
            near = bisect_left(booked, moment + span) - first
            if near < cap:
                continue
            for index in range(first, min(last, len(booked) - cap + 1)):
                stop = booked[index] + span
                if booked[index + cap - 1] < stop:
                    return stop
            if self._count(moment, moment + span) + 1 > cap:
                return moment + span
        return None

    def allows(self, moment: datetime) -> bool:
        """True when booking ``moment`` keeps every limit and the gap."""
        return self._blocked_until(moment) is None

    def earliest(self, moment: datetime) -> datetime:
        """The earliest moment at or after ``moment`` this book allows."""
        return earliest_slot(moment, [self], lambda t: t)


def earliest_slot(
    moment: datetime, books: list[RateBook], fit: Callable[[datetime], datetime]
) -> datetime:
    """The earliest moment ≥ ``moment`` that ``fit`` accepts unchanged and every book allows.

    ``fit`` moves a moment into the next allowed send window (identity when it already is).
    """
    candidate = fit(moment)
    for _ in range(_MAX_STEPS):
        later = [b for b in (book._blocked_until(candidate) for book in books) if b is not None]
        if not later:
            return candidate
        candidate = fit(max(later))
    raise RuntimeError("could not find a send slot within the rate limits")
