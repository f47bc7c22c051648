"""Old engagement fades by its half-life, and caps keep each part and the total in range."""

from __future__ import annotations

import math

import pytest
from sqlalchemy.orm import Session

from leaddesk.clock import FixedClock
from leaddesk.scoring import explain_lead
from leaddesk.scoring.compute import decay_factor
from leaddesk.scoring.rules import Operator
from tests.scoring.scoring_helpers import (
    add_activity,
    add_lead,
    engagement_rule,
    fit_rule,
    use_model,
)


@pytest.mark.parametrize(
    ("days_ago", "expected"),
    [(0, 25.0), (15, 25 / math.sqrt(2)), (30, 12.5), (60, 6.25), (90, 3.125), (300, 25 / 1024)],
)
def test_decay_at_several_ages(
    session: Session, clock: FixedClock, days_ago: float, expected: float
) -> None:
    """A 25-point webinar with a 30-day half-life is worth 25 × 0.5^(age/30) today."""
    use_model(session, [engagement_rule("webinar_attended", 25, half_life=30)])
    lead = add_lead(session)
    add_activity(session, lead, "webinar_attended", clock.now(), days_ago=days_ago)
    item = explain_lead(session, lead.id, clock.now()).items[0]
    assert item.decay_factor == pytest.approx(0.5 ** (days_ago / 30), rel=1e-12)
    assert item.points_now == pytest.approx(expected, rel=1e-12)


def test_exact_half_lives() -> None:
    """Whole half-lives give exact powers of two; no decay and future dates give 1."""
    assert decay_factor(30.0, 30.0) == 0.5
    assert decay_factor(60.0, 30.0) == 0.25
    assert decay_factor(120.0, 60.0) == 0.25
    assert decay_factor(1000.0, None) == 1.0
    assert decay_factor(-3.0, 30.0) == 1.0


def test_no_decay_keeps_full_points(session: Session, clock: FixedClock) -> None:
    """A rule without a half-life counts an activity from two years ago in full."""
    use_model(session, [engagement_rule("consultation_requested", 50)])
    lead = add_lead(session)
    add_activity(session, lead, "consultation_requested", clock.now(), days_ago=730)
    assert explain_lead(session, lead.id, clock.now()).total == 50


def test_score_decays_as_time_passes(session: Session, clock: FixedClock) -> None:
    """Re-scoring a month later halves a 30-day half-life contribution."""
    use_model(session, [engagement_rule("replied", 40, half_life=30)])
    lead = add_lead(session)
    add_activity(session, lead, "replied", clock.now())
    assert lead.score == 40
    from datetime import timedelta

    clock.advance(timedelta(days=30))
    assert explain_lead(session, lead.id, clock.now()).total == pytest.approx(20)
    assert lead.score == pytest.approx(20)


def test_part_caps_are_shown_as_items(session: Session, clock: FixedClock) -> None:
    """Fit above its cap is cut by a visible cap line; the lines still add up to the total."""
    use_model(
        session,
        [
            fit_rule("title", Operator.CONTAINS_ANY, "CEO", 30),
            fit_rule("country", Operator.EQUALS, "Germany", 30),
            engagement_rule("webinar_attended", 25, max_count=3),
        ],
        fit_cap=40,
        engagement_cap=60,
    )
    lead = add_lead(session, title="CEO", country="Germany")
    for _ in range(3):
        add_activity(session, lead, "webinar_attended", clock.now())
    breakdown = explain_lead(session, lead.id, clock.now())
    caps = [item for item in breakdown.items if item.part == "cap"]
    assert [(c.rule, c.points_now) for c in caps] == [
        ("Fit capped at 40", -20),
        ("Engagement capped at 60", -15),
    ]
    assert (breakdown.fit, breakdown.engagement, breakdown.total) == (40, 60, 100)
    assert sum(item.points_now for item in breakdown.items) == breakdown.total


def test_total_never_below_zero(session: Session, clock: FixedClock) -> None:
    """Negative rules can bring a lead to 0 but not below; a floor line explains it."""
    use_model(session, [fit_rule("title", Operator.CONTAINS_ANY, "Student", -20)])
    lead = add_lead(session, title="Student")
    breakdown = explain_lead(session, lead.id, clock.now())
    assert breakdown.total == 0
    assert breakdown.items[-1].rule == "Score cannot go below 0"
    assert sum(item.points_now for item in breakdown.items) == 0
    assert breakdown.points_to_sales_ready == 70
