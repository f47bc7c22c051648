"""Send-window, business-day and daylight-saving maths."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from leaddesk.sequences.timing import SendWindow, add_wait, fit_window, in_window, resolve_zone

OFFICE = SendWindow.parse("mon,tue,wed,thu,fri", "09:00", "17:00")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def local(zone: ZoneInfo, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=zone).astimezone(UTC)


def test_before_the_window_waits_for_its_start() -> None:
    """A step due at 06:00 local goes out at 09:00 local the same day."""
    assert fit_window(local(BERLIN, 2026, 3, 3, 6, 0), OFFICE, BERLIN) == local(
        BERLIN, 2026, 3, 3, 9, 0
    )


def test_inside_the_window_is_kept() -> None:
    """A step due inside the window is not moved."""
    moment = local(BERLIN, 2026, 3, 3, 11, 15)
    assert fit_window(moment, OFFICE, BERLIN) == moment
    assert in_window(moment, OFFICE, BERLIN)


def test_after_friday_close_moves_to_monday_morning() -> None:
    """A step due Friday evening waits for Monday 09:00 local, skipping the weekend."""
    friday_evening = local(NEW_YORK, 2026, 3, 6, 18, 0)
    assert fit_window(friday_evening, OFFICE, NEW_YORK) == local(NEW_YORK, 2026, 3, 9, 9, 0)


def test_window_days_are_respected() -> None:
    """A Tuesday–Thursday window moves a Friday step to the next Tuesday."""
    window = SendWindow.parse("tue,wed,thu", "09:30", "16:00")
    assert fit_window(local(BERLIN, 2026, 3, 6, 10, 0), window, BERLIN) == local(
        BERLIN, 2026, 3, 10, 9, 30
    )


def test_window_is_in_the_leads_zone_not_utc() -> None:
    """The same UTC moment is inside Tokyo's day but before New York's morning."""
    moment = utc(2026, 3, 3, 2, 0)  # 11:00 in Tokyo, 21:00 the previous evening in New York
    tokyo = ZoneInfo("Asia/Tokyo")
    assert fit_window(moment, OFFICE, tokyo) == moment
    assert fit_window(moment, OFFICE, NEW_YORK) == local(NEW_YORK, 2026, 3, 3, 9, 0)


def test_business_days_skip_the_weekend() -> None:
    """Friday plus one business day is Monday; Thursday plus three is Tuesday."""
    friday = local(BERLIN, 2026, 3, 6, 10, 0)
    assert add_wait(friday, days=1, business_days=True, zone=BERLIN) == local(
        BERLIN, 2026, 3, 9, 10, 0
    )
    thursday = local(BERLIN, 2026, 3, 5, 10, 0)
    assert add_wait(thursday, days=3, business_days=True, zone=BERLIN) == local(
        BERLIN, 2026, 3, 10, 10, 0
    )
    assert add_wait(friday, days=1, zone=BERLIN) == local(BERLIN, 2026, 3, 7, 10, 0)


def test_hours_are_elapsed_time() -> None:
    """A wait in hours counts real hours (across the spring-forward night only 24 elapse)."""
    start = local(BERLIN, 2026, 3, 28, 12, 0)
    assert add_wait(start, hours=24, zone=BERLIN) - start == utc(2026, 1, 2) - utc(2026, 1, 1)
    assert add_wait(start, hours=24, zone=BERLIN).astimezone(BERLIN).hour == 13


@pytest.mark.parametrize(
    ("zone_name", "before", "after"),
    [
        ("America/New_York", (2026, 3, 6), (2026, 3, 13)),  # spring forward 8 March
        ("Europe/Berlin", (2026, 3, 27), (2026, 4, 3)),  # spring forward 29 March
        ("America/New_York", (2026, 10, 30), (2026, 11, 6)),  # fall back 1 November
        ("Europe/Berlin", (2026, 10, 23), (2026, 10, 30)),  # fall back 25 October
        ("Australia/Sydney", (2026, 4, 3), (2026, 4, 10)),  # fall back 5 April (south)
    ],
)
def test_a_week_later_keeps_the_local_hour_across_dst(
    zone_name: str, before: tuple[int, int, int], after: tuple[int, int, int]
) -> None:
    """Seven days after a 09:00 send is 09:00 local again, although the UTC hour moved."""
    zone = ZoneInfo(zone_name)
    start = local(zone, *before, 9, 0)
    planned = fit_window(add_wait(start, days=7, zone=zone), OFFICE, zone)
    assert planned == local(zone, *after, 9, 0)
    assert planned.astimezone(zone).hour == 9
    assert planned.hour != start.hour  # the UTC hour changed by the DST shift


def test_window_opening_inside_the_spring_gap_lands_after_it() -> None:
    """A window opening at 02:30 on the night clocks jump lands at 03:30, the first real time."""
    window = SendWindow.parse("sun", "02:30", "05:00")
    planned = fit_window(local(BERLIN, 2026, 3, 29, 0, 0), window, BERLIN)
    assert planned == utc(2026, 3, 29, 1, 30)
    assert planned.astimezone(BERLIN).strftime("%H:%M %Z") == "03:30 CEST"


def test_window_in_the_repeated_autumn_hour_takes_the_first() -> None:
    """A window opening at 01:30 on the night clocks fall back uses the first 01:30."""
    window = SendWindow.parse("sun", "01:30", "05:00")
    planned = fit_window(local(NEW_YORK, 2026, 11, 1, 0, 0), window, NEW_YORK)
    assert planned == utc(2026, 11, 1, 5, 30)  # 01:30 EDT, not 01:30 EST


def test_unknown_zones_fall_back() -> None:
    """A lead with a misspelt zone uses the sequence's fallback, then UTC."""
    assert resolve_zone("Mars/Olympus", "Europe/Berlin").key == "Europe/Berlin"
    assert resolve_zone("", None, "nope").key == "UTC"


def test_broken_windows_are_rejected() -> None:
    """A window with no days or ending before it starts is refused with a reason."""
    with pytest.raises(ValueError, match="no days"):
        SendWindow.parse("", "09:00", "17:00")
    with pytest.raises(ValueError, match="ends before"):
        SendWindow.parse("mon", "17:00", "09:00")
