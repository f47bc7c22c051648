"""Calendar maths for sequences: waits, business days and send windows in a lead's time zone.

Every function takes and returns aware UTC datetimes. Local time is only used to decide *when*
inside a day something may happen; wall-clock arithmetic (``+ N days``) is done in the lead's
zone so that a 09:00 send stays at 09:00 across a daylight-saving change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
BUSINESS_DAYS = frozenset(range(5))  # Monday..Friday
_SEARCH_DAYS = 15  # a window with at least one allowed weekday always fits within two weeks


def resolve_zone(*names: str | None) -> ZoneInfo:
    """The first valid IANA zone among ``names`` (UTC when none is valid)."""
    for name in names:
        if not name:
            continue
        try:
            return ZoneInfo(name.strip())
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return ZoneInfo("UTC")


def is_valid_zone(name: str) -> bool:
    """True when ``name`` is an IANA time zone known to this machine."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def parse_days(value: str) -> frozenset[int]:
    """``"mon,tue,fri"`` → weekday numbers (Monday is 0); raises ValueError on unknown names."""
    days = set()
    for part in value.replace(" ", "").lower().split(","):
        if not part:
            continue
        if part[:3] not in DAY_NAMES:
            raise ValueError(f"unknown day {part!r}; use {', '.join(DAY_NAMES)}")
        days.add(DAY_NAMES.index(part[:3]))
    return frozenset(days)


def format_days(days: frozenset[int]) -> str:
    """Weekday numbers → ``"mon,tue,..."`` in week order."""
    return ",".join(DAY_NAMES[d] for d in sorted(days))


def parse_clock(value: str) -> time:
    """``"09:30"`` → a time; ``"24:00"`` means the end of the day."""
    hours, _, minutes = value.strip().partition(":")
    hour, minute = int(hours), int(minutes or 0)
    if (hour, minute) == (24, 0):
        return time.max
    return time(hour, minute)


@dataclass(frozen=True)
class SendWindow:
    """The weekdays and local hours in which a sequence may send or create tasks."""

    days: frozenset[int]
    start: time
    end: time

    @classmethod
    def parse(cls, days: str, start: str, end: str) -> SendWindow:
        """Build a window from the stored text settings; raises ValueError when it is empty."""
        window = cls(parse_days(days), parse_clock(start), parse_clock(end))
        if not window.days:
            raise ValueError("the send window has no days")
        if window.end <= window.start:
            raise ValueError("the send window ends before it starts")
        return window


ALWAYS = SendWindow(frozenset(range(7)), time(0, 0), time.max)


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone)


def _utc_at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock ``clock`` on ``day`` in ``zone``.

    A wall time that does not exist (the spring-forward gap) lands just after the gap; an
    ambiguous one (fall-back) takes its first occurrence.
    """
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def add_wait(
    moment: datetime, *, days: int = 0, hours: int = 0, business_days: bool = False, zone: ZoneInfo
) -> datetime:
    """``moment`` plus a wait: days keep the local wall-clock time, hours are elapsed time.

    With ``business_days`` each day counted must be a Monday–Friday in the lead's zone (a
    Friday plus one business day is the Monday).
    """
    local = _local(moment, zone)
    if business_days:
        remaining = days
        current = local
        while remaining > 0:
            current = current + timedelta(days=1)
            if current.weekday() in BUSINESS_DAYS:
                remaining -= 1
        local = current
    else:
        local = local + timedelta(days=days)
    # Wall-clock days, then elapsed hours; normalising through UTC resolves DST gaps.
    result = datetime.combine(local.date(), local.time(), tzinfo=zone).astimezone(UTC)
    return result + timedelta(hours=hours)


def fit_window(moment: datetime, window: SendWindow, zone: ZoneInfo) -> datetime:
    """The earliest instant at or after ``moment`` that lies inside ``window`` in ``zone``."""
    local = _local(moment, zone)
    for offset in range(_SEARCH_DAYS):
        day = local.date() + timedelta(days=offset)
        if day.weekday() not in window.days:
            continue
        opens = _utc_at(day, window.start, zone)
        closes = _utc_at(day, window.end, zone)
        if moment < closes:
            return max(moment, opens)
    raise ValueError("no allowed day in the send window")


def in_window(moment: datetime, window: SendWindow, zone: ZoneInfo) -> bool:
    """True when ``moment`` lies inside the window in ``zone``."""
    return fit_window(moment, window, zone) == moment


def local_label(moment: datetime, zone: ZoneInfo) -> str:
    """``"Tue 2026-03-10 09:00 CET"`` — how a planned moment reads for the lead."""
    local = _local(moment, zone)
    return local.strftime("%a %Y-%m-%d %H:%M ") + (local.tzname() or zone.key)
