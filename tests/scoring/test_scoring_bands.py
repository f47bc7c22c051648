"""Crossing a threshold records exactly one activity per crossing, through the event door."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.clock import FixedClock
from leaddesk.db.models import Activity
from leaddesk.scoring import apply_config, load_config, rescore_all, rescore_lead
from tests.scoring.scoring_helpers import (
    add_activity,
    add_lead,
    engagement_rule,
    kinds_of,
    use_model,
)


def test_one_activity_per_crossing(session: Session, clock: FixedClock) -> None:
    """cold→warm→sales-ready gives became_warm then became_sales_ready, never twice."""
    use_model(session, [engagement_rule("webinar_attended", 25, max_count=None)])
    lead = add_lead(session)
    now = clock.now()
    add_activity(session, lead, "webinar_attended", now)  # 25: cold
    add_activity(session, lead, "webinar_attended", now)  # 50: warm
    add_activity(session, lead, "webinar_attended", now)  # 75 -> capped 50: still warm
    assert lead.score_band == "warm"
    rescore_lead(session, lead.id, now)
    rescore_all(session, now)
    assert kinds_of(session, lead).count("became_warm") == 1
    use_model(session, [engagement_rule("webinar_attended", 25, max_count=None)],
              engagement_cap=80, fit_cap=20)  # fmt: skip
    rescore_all(session, now)
    rescore_all(session, now)
    crossings = [kind for kind in kinds_of(session, lead) if kind.startswith("became_")]
    assert crossings[-1] == "became_sales_ready"  # (then the lead is handed off to sales)
    assert kinds_of(session, lead).count("became_sales_ready") == 1
    crossing = session.scalars(select(Activity).where(Activity.kind == "became_sales_ready")).one()
    assert crossing.payload == {"from": "warm", "to": "sales_ready", "score": 75.0}
    assert crossing.origin == "scoring"


def test_jumping_two_bands_is_one_crossing(session: Session, clock: FixedClock) -> None:
    """A consultation request that takes a cold lead straight to sales-ready records one event."""
    use_model(session, [engagement_rule("consultation_requested", 80)], engagement_cap=100,
              fit_cap=0)  # fmt: skip
    lead = add_lead(session)
    add_activity(session, lead, "consultation_requested", clock.now())
    # (and the crossing hands the lead to sales)
    assert kinds_of(session, lead) == ["consultation_requested", "became_sales_ready", "handed_off"]


def test_crossing_is_dated_by_the_event_that_caused_it(session: Session, clock: FixedClock) -> None:
    """An old event recorded now (an import, the demo) dates the crossing it causes, not now."""
    use_model(session, [engagement_rule("webinar_attended", 50, half_life=None)])
    lead = add_lead(session)
    visit = add_activity(session, lead, "webinar_attended", clock.now(), days_ago=5)
    crossing = session.scalars(select(Activity).where(Activity.kind == "became_warm")).one()
    assert crossing.occurred_at == visit.occurred_at == clock.now() - timedelta(days=5)
    assert crossing.recorded_at == clock.now()


def test_decay_cools_a_lead_once(session: Session, clock: FixedClock) -> None:
    """When old engagement fades below warm, the periodic pass records became_cold once."""
    use_model(session, [engagement_rule("replied", 45, half_life=30)])
    lead = add_lead(session)
    add_activity(session, lead, "replied", clock.now())
    assert lead.score_band == "warm"
    clock.advance(timedelta(days=10))
    summary = rescore_all(session, clock.now())
    assert summary.crossings == {"became_cold": 1}
    assert rescore_all(session, clock.now()).crossings == {}
    assert kinds_of(session, lead) == ["replied", "became_warm", "became_cold"]


def test_threshold_change_moves_leads(session: Session, clock: FixedClock) -> None:
    """Lowering the sales-ready threshold re-scores every lead and records their crossings."""
    use_model(session, [engagement_rule("webinar_attended", 25)])
    leads = [add_lead(session, f"l{i}@example.com") for i in range(3)]
    for lead in leads[:2]:
        add_activity(session, lead, "webinar_attended", clock.now())
    config = load_config(session).with_changes(warm_threshold=10, sales_ready_threshold=20)
    summary = apply_config(session, config, clock.now())
    assert summary.crossings == {"became_sales_ready": 2}
    assert summary.bands == {"cold": 1, "warm": 0, "sales_ready": 2}
    assert [lead.score_band for lead in leads] == ["sales_ready", "sales_ready", "cold"]
