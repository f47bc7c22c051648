"""Counting the selected rows from the selection's spans, without listing a million rows."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from leaddesk.ui.models.inbox_table import rows_in_spans

_SPAN = st.tuples(st.integers(0, 300), st.integers(0, 40)).map(lambda s: (s[0], s[0] + s[1]))


@given(st.lists(_SPAN, max_size=12))
def test_the_spans_count_each_row_once_as_listing_them_would(spans: list[tuple[int, int]]) -> None:
    """Overlapping, touching and repeated spans: the count of the rows they cover, once each."""
    assert rows_in_spans(spans) == len(
        {row for top, bottom in spans for row in range(top, bottom + 1)}
    )


def test_select_all_of_a_million_rows_is_counted_at_once() -> None:
    """One span over a million rows counts a million (no list of rows is built)."""
    assert rows_in_spans([(0, 999_999)]) == 1_000_000
