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


def _four_leads(db: Database) -> list[int]:
    with db.write() as session:
        leads = [Lead(email=f"{n}@example.com", email_key=f"{n}@example.com") for n in "abcd"]
        session.add_all(leads)
        session.flush()
        return [lead.id for lead in leads]


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


def test_one_event_for_many_leads_appends_what_one_event_each_does(
    db: Database, clock: FixedClock
) -> None:
    """The bulk "same event for many leads" entry stores the rows one event per lead stores."""
    from leaddesk.activities import append_activities, append_activity_for_leads

    ids = _four_leads(db)
    first, second = ids[:2], ids[2:]
    earlier = clock.now() - timedelta(days=1)
    payload = {"batch_id": 7, "source": "Expo"}
    with db.write() as session:
        append_activities(
            session,
            [
                ActivityEvent(i, ActivityKind.IMPORTED, earlier, payload, "import", None)
                for i in first
            ],
            now=clock.now(),
        )
        append_activity_for_leads(
            session,
            second,
            ActivityKind.IMPORTED,
            payload=payload,
            origin="import",
            occurred_at=earlier,
            now=clock.now(),
        )
    with db.session() as session:
        rows = session.execute(
            select(
                Activity.lead_id, Activity.kind, Activity.occurred_at, Activity.recorded_at,
                Activity.origin, Activity.payload, Activity.import_batch_id,
            ).order_by(Activity.id)
        ).all()  # fmt: skip
        touched = dict(session.execute(select(Lead.id, Lead.last_activity_at)).all())
    assert [tuple(r)[1:] for r in rows[:2]] == [tuple(r)[1:] for r in rows[2:]]
    assert [r.lead_id for r in rows] == [*first, *second]
    assert {touched[i] for i in [*first, *second]} == {earlier}


def test_bulk_recording_stores_what_record_activities_stores(
    db: Database, clock: FixedClock
) -> None:
    """record_activities_bulk writes the rows and last activity times record_activities does."""
    from leaddesk.activities import record_activities, record_activities_bulk

    ids = _four_leads(db)
    earlier, later = clock.now() - timedelta(days=2), clock.now() - timedelta(days=1)

    def events(pair: list[int]) -> list[ActivityEvent]:
        return [
            ActivityEvent(pair[0], ActivityKind.ENROLLED, later, {"sequence": "S"}, "auto"),
            ActivityEvent(pair[0], ActivityKind.CALL, earlier, {}, "user"),
            ActivityEvent(pair[1], ActivityKind.BECAME_WARM, later, {"to": "warm"}, "scoring"),
        ]

    with db.write() as session:
        record_activities(session, events(ids[:2]), now=clock.now(), react=False)
        assert record_activities_bulk(session, events(ids[2:]), now=clock.now()) == 3
    with db.session() as session:
        rows = session.execute(
            select(
                Activity.lead_id, Activity.kind, Activity.occurred_at, Activity.recorded_at,
                Activity.origin, Activity.payload, Activity.import_batch_id,
            ).order_by(Activity.id)
        ).all()  # fmt: skip
        touched = dict(session.execute(select(Lead.id, Lead.last_activity_at)).all())
    assert [tuple(r)[1:] for r in rows[:3]] == [tuple(r)[1:] for r in rows[3:]]
    assert [touched[i] for i in ids] == [later, None, later, None]
