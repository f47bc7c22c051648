"""One rounding rule for scores: whole points rounded down, parts that add up to the total."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from leaddesk.scoring.display import (
    display_parts,
    display_points_to_go,
    display_score,
    score_sum_text,
)


def test_scores_read_in_whole_points_rounded_down() -> None:
    """69.96 reads 69 (never the sales-ready 70); 91.7 reads 91; points to go round up."""
    assert display_score(69.96) == "69"
    assert display_score(91.7) == "91"
    assert display_score(70.0) == "70"
    assert display_points_to_go(0.04) == "1"
    assert display_points_to_go(8.0) == "8"


def test_the_example_from_the_issue_adds_up() -> None:
    """fit 40 + engagement 51.7 is shown as 91 = fit 40 + engagement 51, everywhere."""
    assert display_parts(40.0, 51.7) == ("40", "51")
    assert score_sum_text(40.0, 51.7, 91.7) == "fit 40 + engagement 51"
    assert score_sum_text(40.0, 70.0, 100.0) == "fit 40 + engagement 70, capped at 100"


@given(
    st.floats(min_value=0, max_value=40, allow_nan=False),
    st.floats(min_value=0, max_value=60, allow_nan=False),
)
def test_shown_parts_always_add_up_to_the_shown_score(fit: float, engagement: float) -> None:
    """Whatever the fractions, the two shown parts sum to the shown total."""
    shown_fit, shown_engagement = display_parts(fit, engagement)
    assert int(shown_fit) + int(shown_engagement) == int(display_score(fit + engagement))
    assert int(shown_engagement) >= 0
