"""Re-scoring follows every event, bulk change and profile edit; history comes from the log."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from leaddesk.activities import ActivityEvent, leads_changed, record_activity
from leaddesk.clock import FixedClock
from leaddesk.scoring import explain_lead, rescore_lead, score_history
from leaddesk.scoring.rules import Operator
from tests.scoring.scoring_helpers import (
    add_activity,
    add_lead,
    engagement_rule,
    fit_rule,
    use_model,
)


def test_new_activity_rescores_its_lead(session: Session, clock: FixedClock) -> None:
    """Recording a webinar attendance through the door updates the stored score at once."""
    use_model(session, [engagement_rule("webinar_attended", 25)])
    lead = add_lead(session)
    add_activity(session, lead, "webinar_attended", clock.now())
    assert (lead.score, lead.engagement_score, lead.score_updated_at) == (25, 25, clock.now())


def test_bulk_changes_rescore_once(session: Session, clock: FixedClock) -> None:
    """An import that records with react=False is scored by one leads_changed call."""
    use_model(session, [engagement_rule("webinar_attended", 25, max_count=None)], warm=30)
    leads = [add_lead(session, f"l{i}@example.com") for i in range(3)]
    for lead in leads:
        for _ in range(2):
            event = ActivityEvent(lead.id, "webinar_attended", occurred_at=clock.now())
            record_activity(session, event, now=clock.now(), react=False)
    assert [lead.score for lead in leads] == [0, 0, 0]
    leads_changed(session, [lead.id for lead in leads], clock.now())
    assert [(lead.score, lead.score_band) for lead in leads] == [(50, "warm")] * 3


def test_profile_edit_rescores(session: Session, clock: FixedClock) -> None:
    """Changing a lead's title to VP and calling rescore_lead adds the fit points."""
    use_model(session, [fit_rule("title", Operator.CONTAINS_ANY, "VP", 15)])
    lead = add_lead(session, title="Analyst")
    rescore_lead(session, lead.id, clock.now())
    assert lead.score == 0
    lead.title = "VP Finance"
    result = rescore_lead(session, lead.id, clock.now())
    assert result.total == 15 and lead.fit_score == 15


def test_score_history_from_the_activity_log(session: Session, clock: FixedClock) -> None:
    """The chart's series rises at each activity, decays between, and ends at today's score."""
    use_model(session, [engagement_rule("replied", 40, max_count=None, half_life=10)])
    lead = add_lead(session)
    start = clock.now()
    add_activity(session, lead, "replied", start, days_ago=30)
    add_activity(session, lead, "replied", start, days_ago=10)
    history = score_history(session, lead.id, start, points=31)
    moments = [point.at for point in history]
    assert moments == sorted(moments) and moments[-1] == start
    assert history[-1].score == explain_lead(session, lead.id, start).total
    at = {point.at: point.score for point in history}
    assert at[start - timedelta(days=30)] == 40
    assert at[start - timedelta(days=20)] == 20
    assert at[start - timedelta(days=10)] == 10 + 40
