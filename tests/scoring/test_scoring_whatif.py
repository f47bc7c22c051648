"""What-if previews a model change on the real database and changes nothing until saved."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import Activity, Lead, ScoringModel, ScoringRule
from leaddesk.scoring import apply_config, load_config, what_if
from tests.scoring.scoring_helpers import add_activity, add_lead, engagement_rule, use_model


def _snapshot(session: Session) -> tuple[object, ...]:
    leads = session.execute(
        select(Lead.id, Lead.score, Lead.score_band, Lead.score_updated_at, Lead.updated_at)
    ).all()
    activities = session.execute(select(Activity.id, Activity.kind)).all()
    rules = session.execute(select(ScoringRule.id, ScoringRule.points)).all()
    model = session.execute(select(ScoringModel.updated_at, ScoringModel.warm_threshold)).all()
    return (leads, activities, rules, model)


def test_what_if_counts_bands_and_lists_movers(db: Database, clock: FixedClock) -> None:
    """Lowering sales-ready to 40 shows 2 leads moving up a band, with their scores."""
    with db.write() as session:
        use_model(
            session, [engagement_rule("webinar_attended", 25), engagement_rule("replied", 45)]
        )
        hot, mild, cold = (add_lead(session, f"{n}@example.com", first_name=n) for n in "abc")
        add_activity(session, hot, "replied", clock.now())
        add_activity(session, mild, "webinar_attended", clock.now())
        add_activity(session, cold, "email_sent", clock.now())
    with db.session() as session:
        proposal = load_config(session).with_changes(warm_threshold=10, sales_ready_threshold=40)
        before = _snapshot(session)
        result = what_if(session, proposal, clock.now())
        assert _snapshot(session) == before
        assert not session.dirty and not session.new
    assert result.bands_now == {"cold": 2, "warm": 1, "sales_ready": 0}
    assert result.bands_proposed == {"cold": 1, "warm": 1, "sales_ready": 1}
    assert result.changed == 2
    assert [(c.email, c.band_now, c.band_proposed) for c in result.changes] == [
        ("a@example.com", "warm", "sales_ready"),
        ("b@example.com", "cold", "warm"),
    ]
    assert result.changes[0].name == "a"
    with db.write() as session:
        summary = apply_config(session, proposal, clock.now())
    assert summary.bands == result.bands_proposed


def test_what_if_of_new_rules_writes_nothing(db: Database, clock: FixedClock) -> None:
    """Adding a rule in the preview touches no lead, rule or activity row."""
    with db.write() as session:
        lead = add_lead(session)
        add_activity(session, lead, "meeting", clock.now())
    with db.session() as session:
        before = _snapshot(session)
        current = load_config(session)
        proposal = current.with_changes(rules=[*current.rules, engagement_rule("meeting", 45)])
        result = what_if(session, proposal, clock.now())
        assert _snapshot(session) == before
    assert result.changed == 1
