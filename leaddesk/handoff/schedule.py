"""Working hours and follow-up deadlines, in a team member's own time zone.

An SLA of 24 hours either runs on the wall clock (the default) or, when the team counts only
working hours, on the rep's working time, where 24 hours of SLA are one working day of the rep
(their day's length of working time) and shorter or longer SLAs in proportion. So with 9–17,
Monday to Friday, a lead handed over on Friday at 16:00 is due on Monday at 16:00 (8 working
hours), and a 12-hour SLA from Monday 09:00 ends Monday at 13:00 (4 working hours). A shorter
SLA never ends later than a longer one.

Working intervals are built per local calendar day and converted to UTC with :mod:`zoneinfo`,
so a daylight-saving change moves them correctly; all arithmetic is on aware UTC datetimes.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAYS = "mon,tue,wed,thu,fri"
# A schedule with working days always finds one within a week; this bounds every walk.
_MAX_DAYS = 3700


class ScheduleError(ValueError):
    """Working days, hours or a time zone that cannot be used; the message says why."""


def parse_zone(name: str) -> ZoneInfo:
    """The time zone called ``name`` (empty: UTC); raises :class:`ScheduleError` if unknown."""
    text = (name or "").strip()
    if not text:
        return ZoneInfo("UTC")
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ScheduleError(
            f"unknown time zone {text!r}: use a name like Europe/Berlin or America/New_York"
        ) from error


def local_zone_name() -> str:
    """This computer's time zone as an IANA name (``UTC`` when it cannot be told)."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    try:
        target = str(Path("/etc/localtime").resolve())
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for name in candidates:
        if name:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
            return name
    return "UTC"


def parse_days(text: str) -> frozenset[int]:
    """Weekday numbers (Monday 0) from ``"mon,tue"`` or a range such as ``"mon-fri"``."""
    days: set[int] = set()
    for part in (text or "").replace(" ", "").lower().split(","):
        if not part:
            continue
        first, _, last = part.partition("-")
        try:
            start = DAY_NAMES.index(first[:3])
            end = DAY_NAMES.index(last[:3]) if last else start
        except ValueError as error:
            raise ScheduleError(
                f"unknown day {part!r}: use mon, tue, wed, thu, fri, sat, sun or a range "
                "like mon-fri"
            ) from error
        index = start
        while True:
            days.add(index)
            if index == end:
                break
            index = (index + 1) % 7
    if not days:
        raise ScheduleError("choose at least one working day")
    return frozenset(days)


def format_days(days: frozenset[int]) -> str:
    """The stored form of a set of weekdays: ``"mon,tue,wed,thu,fri"``."""
    return ",".join(DAY_NAMES[index] for index in sorted(days))


def parse_clock(text: str) -> time:
    """A time of day from ``"09:00"`` or ``"9"``; raises :class:`ScheduleError`."""
    value = (text or "").strip()
    hours, _, minutes = value.partition(":")
    try:
        moment = time(int(hours), int(minutes or 0))
    except ValueError as error:
        raise ScheduleError(f"{value!r} is not a time of day: use HH:MM, e.g. 09:00") from error
    return moment


@dataclass(frozen=True)
class WorkSchedule:
    """When someone works: weekdays and a daily start and end, in their time zone."""

    zone: ZoneInfo
    days: frozenset[int]
    start: time
    end: time

    @classmethod
    def parse(
        cls, zone: str, days: str = WEEKDAYS, start: str = "09:00", end: str = "17:00"
    ) -> WorkSchedule:
        """A schedule from stored text; raises :class:`ScheduleError` naming the bad part."""
        schedule = cls(parse_zone(zone), parse_days(days), parse_clock(start), parse_clock(end))
        if schedule.end <= schedule.start:
            raise ScheduleError(
                f"the working day must end after it starts ({start}–{end}); "
                "LeadDesk does not count shifts past midnight"
            )
        return schedule

    @property
    def day_length(self) -> timedelta:
        """A working day's length on the clock (``end - start``)."""
        today = date(2000, 1, 3)
        return datetime.combine(today, self.end) - datetime.combine(today, self.start)

    def intervals(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working intervals (UTC, start < end) from the local day of ``moment`` onwards."""
        local_day = moment.astimezone(self.zone).date() - timedelta(days=1)
        for offset in range(_MAX_DAYS):
            day = local_day + timedelta(days=offset)
            if day.weekday() not in self.days:
                continue
            begin = datetime.combine(day, self.start, self.zone).astimezone(UTC)
            finish = datetime.combine(day, self.end, self.zone).astimezone(UTC)
            if finish > begin:
                yield begin, finish

    def is_working(self, moment: datetime) -> bool:
        """True when ``moment`` falls inside working hours (start included, end excluded)."""
        for begin, finish in self.intervals(moment):
            if begin > moment:
                return False
            if moment < finish:
                return True
        return False


def add_working_time(start: datetime, amount: timedelta, schedule: WorkSchedule) -> datetime:
    """The moment when ``amount`` of working time has passed since ``start``."""
    remaining = amount
    if remaining <= timedelta(0):
        return start
    for begin, finish in schedule.intervals(start):
        begin = max(begin, start)
        if finish <= begin:
            continue
        if finish - begin >= remaining:
            return begin + remaining
        remaining -= finish - begin
    raise ScheduleError("no working time found in the next ten years")


def working_time_between(start: datetime, end: datetime, schedule: WorkSchedule) -> timedelta:
    """How much working time lies between ``start`` and ``end`` (zero when end <= start)."""
    total = timedelta(0)
    if end <= start:
        return total
    for begin, finish in schedule.intervals(start):
        if begin >= end:
            break
        overlap = min(finish, end) - max(begin, start)
        if overlap > timedelta(0):
            total += overlap
    return total


def sla_working_amount(hours: float, schedule: WorkSchedule) -> timedelta:
    """The working time an SLA of ``hours`` stands for: one working day per 24 hours."""
    return schedule.day_length * (float(hours) / 24.0)


def follow_up_deadline(
    start: datetime, hours: float, schedule: WorkSchedule | None, *, working_hours: bool
) -> datetime:
    """When the first follow-up attempt is due for a lead handed over at ``start``."""
    if not working_hours or schedule is None:
        return start + timedelta(hours=float(hours))
    return add_working_time(start, sla_working_amount(hours, schedule), schedule)
