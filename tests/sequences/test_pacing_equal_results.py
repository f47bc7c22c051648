"""The rate book's one-pass window check gives exactly the answers of the simple one it replaced."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from leaddesk.sequences.pacing import RateBook, RateLimit

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _simple_blocked_until(book: RateBook, moment: datetime) -> datetime | None:
    """The limits part of ``_blocked_until`` as it was: every start, two searches each."""
    booked = book.booked
    last = bisect_right(booked, moment)
    for limit in book.limits:
        first = bisect_right(booked, moment - limit.span)
        if last == len(booked):
            if last - first + 1 > limit.count:
                return booked[last - limit.count] + limit.span
            continue
        for start in [*booked[first:last], moment]:
            inside = bisect_left(booked, start + limit.span) - bisect_left(booked, start)
            if inside + 1 > limit.count:
                return start + limit.span
    return None


minutes = st.integers(min_value=0, max_value=3 * 24 * 60)
limits = st.lists(
    st.tuples(st.sampled_from([1, 5, 60, 24 * 60]), st.integers(min_value=1, max_value=40)),
    min_size=1,
    max_size=3,
)


@settings(max_examples=400, deadline=None)
@given(st.lists(minutes, max_size=300), limits, minutes)
def test_the_one_pass_check_answers_as_the_simple_one(
    booked: list[int], caps: list[tuple[int, int]], at: int
) -> None:
    """Random bookings (duplicates too), caps per minute/hour/day and a moment: same answer."""
    book = RateBook(
        [RateLimit(timedelta(minutes=span), count) for span, count in caps],
        timedelta(0),
        sorted(T0 + timedelta(minutes=m) for m in booked),
    )
    moment = T0 + timedelta(minutes=at)
    assert book._blocked_until(moment) == _simple_blocked_until(book, moment)
