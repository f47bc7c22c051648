"""The event door: every activity is logged once and keeps the lead's derived fields fresh."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from leaddesk.activities import ActivityEvent, ActivityKind, record_activity
from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import Activity, Lead


def _lead(db: Database) -> int:
    with db.write() as session:
        lead = Lead(email="ada@example.com", email_key="ada@example.com", first_name="Ada")
        session.add(lead)
        session.flush()
        return lead.id


def test_activity_is_appended_and_moves_last_activity(db: Database, clock: FixedClock) -> None:
    """Recording a call appends one activity and sets the lead's last activity to its time."""
    lead_id = _lead(db)
    when = clock.now() - timedelta(hours=2)
    with db.write() as session:
        record_activity(
            session, ActivityEvent(lead_id, ActivityKind.CALL, occurred_at=when), now=clock.now()
        )
    with db.session() as session:
        kinds = session.scalars(select(Activity.kind).where(Activity.lead_id == lead_id)).all()
        assert kinds.count(ActivityKind.CALL) == 1
        assert session.get(Lead, lead_id).last_activity_at == when


def test_score_band_events_do_not_count_as_lead_activity(db: Database, clock: FixedClock) -> None:
    """A derived "became warm" event shows on the timeline but leaves last activity alone."""
    lead_id = _lead(db)
    earlier = clock.now() - timedelta(days=3)
    with db.write() as session:
        record_activity(
            session, ActivityEvent(lead_id, ActivityKind.NOTE, occurred_at=earlier), now=earlier
        )
        record_activity(
            session,
            ActivityEvent(lead_id, ActivityKind.BECAME_WARM, origin="scoring"),
            now=clock.now(),
            react=False,
        )
    with db.session() as session:
        assert session.get(Lead, lead_id).last_activity_at == earlier
