"""The cron tick's hourly decay pass writes only the score changes a person can see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from leaddesk.db.engine import Database
from leaddesk.db.models import Lead
from leaddesk.scoring import rescore_all
from leaddesk.tick import run_decay_if_due
from tests.scoring.scoring_helpers import add_activity, add_lead, engagement_rule, use_model

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def test_the_hourly_tick_leaves_unseen_decay_alone_and_writes_a_point_lost(db: Database) -> None:
    """An hour later the tick's pass moves the lead that drops below 45 points and leaves the
    lead whose whole points stay as it was; within the same hour it does not run again."""
    with db.write() as session:
        use_model(session, [engagement_rule("replied", 50, half_life=30)])
        slow, edge = add_lead(session, "slow@example.com"), add_lead(session, "edge@example.com")
        add_activity(session, slow, "replied", NOW, days_ago=4)
        add_activity(session, edge, "replied", NOW, days_ago=30 * 0.151_99)
        rescore_all(session, NOW)
        ids = slow.id, edge.id
    with db.session() as session:
        before = {i: session.get_one(Lead, i).score for i in ids}
    assert run_decay_if_due(db, NOW) is not None  # never ran: runs now
    summary = run_decay_if_due(db, NOW + timedelta(hours=1))
    assert summary is not None and summary.changed == 1
    with db.session() as session:
        assert session.get_one(Lead, ids[0]).score == before[ids[0]]
        assert int(session.get_one(Lead, ids[1]).score) == 44
    assert run_decay_if_due(db, NOW + timedelta(hours=1, minutes=20)) is None
