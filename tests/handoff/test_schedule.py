"""Follow-up deadlines: wall clock, or the rep's working hours across weekends and DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaddesk.handoff.schedule import (
    ScheduleError,
    WorkSchedule,
    add_working_time,
    follow_up_deadline,
    parse_days,
    sla_working_amount,
    working_time_between,
)

BERLIN = ZoneInfo("Europe/Berlin")
ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"]


def test_friday_afternoon_lead_is_due_monday_afternoon() -> None:
    """With 9–17 Mon–Fri, a lead handed over Friday 16:00 is due Monday 16:00 (24 h SLA)."""
    schedule = WorkSchedule.parse("Europe/Berlin", "mon-fri", "09:00", "17:00")
    start = datetime(2026, 3, 6, 16, 0, tzinfo=BERLIN)
    due = follow_up_deadline(start, 24, schedule, working_hours=True)
    assert due.astimezone(BERLIN) == datetime(2026, 3, 9, 16, 0, tzinfo=BERLIN)


def test_deadline_across_the_spring_dst_change_keeps_local_time() -> None:
    """Friday 16:00 before Berlin's clocks go forward is still due Monday 16:00 local time."""
    schedule = WorkSchedule.parse("Europe/Berlin")
    start = datetime(2026, 3, 27, 16, 0, tzinfo=BERLIN)  # DST starts Sunday 29 March
    due = follow_up_deadline(start, 24, schedule, working_hours=True)
    assert due.astimezone(BERLIN) == datetime(2026, 3, 30, 16, 0, tzinfo=BERLIN)
    assert due - start == timedelta(days=3, hours=-1)  # one real hour fewer


def test_wall_clock_sla_ignores_working_hours() -> None:
    """Without the working-hours option a 24 h SLA is 24 real hours, weekend or not."""
    start = datetime(2026, 3, 6, 15, 0, tzinfo=UTC)
    schedule = WorkSchedule.parse("Europe/Berlin")
    assert follow_up_deadline(start, 24, schedule, working_hours=False) == start + timedelta(1)


def test_a_shorter_sla_is_a_part_of_the_working_day() -> None:
    """12 h from Monday 09:00 (9–17) is half a working day: Monday 13:00, never later than 24 h."""
    schedule = WorkSchedule.parse("Europe/Berlin")
    start = datetime(2026, 3, 9, 9, 0, tzinfo=BERLIN)
    due = follow_up_deadline(start, 12, schedule, working_hours=True)
    assert due.astimezone(BERLIN) == datetime(2026, 3, 9, 13, 0, tzinfo=BERLIN)
    assert follow_up_deadline(start, 24, schedule, working_hours=True) > due


def test_bad_schedules_are_refused_with_a_reason() -> None:
    """Unknown zones, days, times and an end before the start each get a clear message."""
    with pytest.raises(ScheduleError, match="unknown time zone"):
        WorkSchedule.parse("Mars/Olympus")
    with pytest.raises(ScheduleError, match="unknown day"):
        parse_days("mon,funday")
    with pytest.raises(ScheduleError, match="not a time of day"):
        WorkSchedule.parse("UTC", "mon", "9am", "17:00")
    with pytest.raises(ScheduleError, match="end after it starts"):
        WorkSchedule.parse("UTC", "mon", "17:00", "09:00")


def test_day_ranges_wrap_round_the_week() -> None:
    """'fri-mon' means Friday, Saturday, Sunday and Monday."""
    assert parse_days("fri-mon") == frozenset({4, 5, 6, 0})


schedules = st.builds(
    WorkSchedule.parse,
    st.sampled_from(ZONES),
    st.sets(st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]), min_size=1).map(
        ",".join
    ),
    st.sampled_from(["00:00", "07:30", "09:00", "13:00"]),
    st.sampled_from(["14:00", "17:00", "18:45", "23:59"]),
)
moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)


@settings(max_examples=300, deadline=None)
@given(schedule=schedules, start=moments, hours=st.floats(0.25, 24 * 7))
def test_working_time_to_the_deadline_equals_the_sla(
    schedule: WorkSchedule, start: datetime, hours: float
) -> None:
    """Exactly the SLA's working time lies between the hand-off and the deadline, in any zone."""
    due = follow_up_deadline(start, hours, schedule, working_hours=True)
    assert due >= start
    amount = sla_working_amount(hours, schedule)
    assert abs(working_time_between(start, due, schedule) - amount) < timedelta(seconds=1)


@settings(max_examples=300, deadline=None)
@given(schedule=schedules, start=moments, hours=st.floats(0.25, 24 * 7))
def test_deadlines_fall_inside_working_hours(
    schedule: WorkSchedule, start: datetime, hours: float
) -> None:
    """A working-hours deadline is never on a day off or outside the rep's hours."""
    due = follow_up_deadline(start, hours, schedule, working_hours=True)
    local = due.astimezone(schedule.zone)
    assert local.weekday() in schedule.days
    just_before = due - timedelta(seconds=1)
    assert schedule.is_working(just_before) or just_before < start


@settings(max_examples=200, deadline=None)
@given(schedule=schedules, start=moments, a=st.floats(0.25, 200), b=st.floats(0.25, 200))
def test_a_longer_sla_never_ends_sooner(
    schedule: WorkSchedule, start: datetime, a: float, b: float
) -> None:
    """The deadline only moves later as the SLA grows."""
    short, long = sorted((a, b))
    first = follow_up_deadline(start, short, schedule, working_hours=True)
    assert first <= follow_up_deadline(start, long, schedule, working_hours=True)


@settings(max_examples=200, deadline=None)
@given(schedule=schedules, start=moments, a=st.floats(0.1, 100), b=st.floats(0.1, 100))
def test_working_time_adds_up(schedule: WorkSchedule, start: datetime, a: float, b: float) -> None:
    """Adding a then b hours of working time lands where adding a+b does."""
    first = add_working_time(start, timedelta(hours=a), schedule)
    both = add_working_time(first, timedelta(hours=b), schedule)
    assert abs(both - add_working_time(start, timedelta(hours=a + b), schedule)) < timedelta(
        seconds=1
    )
