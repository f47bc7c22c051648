"""Catch-up after sleep: missed sends are re-planned into windows and spread by rate limits."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from leaddesk.clock import FixedClock
from leaddesk.db.models import Lead, OutboundMessage, OutboxState, SequenceVersion
from leaddesk.sequences.enrollment import enroll_leads
from leaddesk.sequences.pacing import DAY, HOUR, MINUTE, RateBook
from leaddesk.sequences.scheduler import run_due
from leaddesk.sequences.timing import SendWindow, in_window, resolve_zone
from leaddesk.settings import POSTAL_ADDRESS, set_setting
from tests.sequences.sequence_helpers import (
    POSTAL,
    add_account,
    add_lead,
    email,
    make_sequence,
    wait,
)

ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo")
LIMITS = {"per_minute": 2, "per_hour": 20, "per_day": 60}


def max_in_span(moments: list[datetime], span: timedelta) -> int:
    """The most moments found in any half-open span of length ``span``."""
    ordered = sorted(moments)
    best = 0
    for index, start in enumerate(ordered):
        best = max(best, sum(1 for m in ordered[index:] if m < start + span))
    return best


def test_rate_book_spreads_bookings() -> None:
    """A book with 2/minute and 3/hour puts the fourth booking an hour after the first."""
    book = RateBook.for_account(2, 3, None)
    start = datetime.fromisoformat("2026-03-02T10:00:00+00:00")
    slots = []
    for _ in range(4):
        slot = book.earliest(start)
        book.book(slot)
        slots.append(slot)
    assert slots[1] - slots[0] >= MINUTE / 2 and slots[1] - slots[0] >= HOUR / 3
    assert slots[3] >= slots[0] + HOUR
    assert max_in_span(slots, HOUR) <= 3


def test_three_day_sleep_catches_up_within_limits(db, clock: FixedClock) -> None:
    """After a 3-day sleep, 45 overdue first emails are spread over windows, never a burst."""
    with db.write() as session:
        set_setting(session, POSTAL_ADDRESS, POSTAL)
        add_account(session, **LIMITS)
        sequence = make_sequence(
            session, [email(), wait(days=1), email("Second note")], daily_cap=50
        )
        leads = [
            add_lead(session, f"lead{i}@example.com", timezone=ZONES[i % 3]) for i in range(45)
        ]
        enroll_leads(session, sequence, [lead.id for lead in leads], now=clock.now())
    clock.advance(timedelta(days=3))  # the laptop slept from Monday to Thursday
    result = run_due(db, clock.now())
    assert result.messages == 45
    with db.session() as session:
        messages = list(session.scalars(select(OutboundMessage)))
        version = session.scalars(select(SequenceVersion)).one()
        window = SendWindow.parse(version.send_days, version.window_start, version.window_end)
        zone_of = {lead.id: resolve_zone(lead.timezone) for lead in session.scalars(select(Lead))}
        assert {m.state for m in messages} == {OutboxState.SCHEDULED}
        assert len({m.enrollment_id for m in messages}) == 45  # one (first) step per lead
        due = [m.due_at for m in messages]
        assert min(due) >= clock.now()  # nothing planned in the past
        for message in messages:
            assert in_window(message.due_at, window, zone_of[message.lead_id])
    assert len(set(due)) == 45
    assert max_in_span(due, MINUTE) <= LIMITS["per_minute"]
    assert max_in_span(due, HOUR) <= LIMITS["per_hour"]
    assert max_in_span(due, DAY) <= 50  # the sequence's daily cap (below the account's 60)
    assert max(due) - min(due) > timedelta(hours=2)  # spread out, not a burst

    # Keep ticking every hour for a week: second emails join the same calm flow.
    for _ in range(24 * 7):
        clock.advance(timedelta(hours=1))
        run_due(db, clock.now())
    with db.session() as session:
        every = [m.due_at for m in session.scalars(select(OutboundMessage))]
    assert len(every) == 90
    assert max_in_span(every, MINUTE) <= LIMITS["per_minute"]
    assert max_in_span(every, HOUR) <= LIMITS["per_hour"]
    assert max_in_span(every, DAY) <= 50


@settings(max_examples=60, deadline=None)
@given(
    offsets=st.lists(st.integers(0, 3 * 86400), min_size=1, max_size=80),
    per_minute=st.integers(1, 5),
    per_hour=st.integers(3, 40),
    per_day=st.integers(5, 60),
)
def test_any_booking_order_keeps_every_limit(
    offsets: list[int], per_minute: int, per_hour: int, per_day: int
) -> None:
    """Whatever order requests arrive in, booked slots never break a minute/hour/day limit."""
    book = RateBook.for_account(per_minute, per_hour, per_day)
    start = datetime.fromisoformat("2026-03-02T00:00:00+00:00")
    for offset in offsets:
        slot = book.earliest(start + timedelta(seconds=offset))
        assert slot >= start + timedelta(seconds=offset)
        book.book(slot)
    assert max_in_span(book.booked, MINUTE) <= per_minute
    assert max_in_span(book.booked, HOUR) <= per_hour
    assert max_in_span(book.booked, DAY) <= per_day
    gaps = [b - a for a, b in zip(book.booked, book.booked[1:], strict=False)]
    assert all(gap >= book.min_gap for gap in gaps)
