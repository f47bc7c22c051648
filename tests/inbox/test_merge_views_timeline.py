"""Merging two leads, saved views, the timeline and quick logging."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import Activity, Enrollment, Lead, LeadTag, OutboundMessage, Task
from leaddesk.inbox.merge import merge_leads
from leaddesk.inbox.query import InboxQuery
from leaddesk.inbox.timeline import add_task, complete_task, lead_detail, log_activity, timeline
from leaddesk.inbox.views import delete_view, list_views, load_view, save_view
from tests.inbox.sample_inbox import Inbox


def test_merge_moves_everything_to_the_survivor(
    db: Database, clock: FixedClock, inbox: Inbox
) -> None:
    """Activities, tasks, tags and enrollments move; the other lead is gone."""
    with db.write() as s:
        s.add(Task(lead_id=inbox.ben, title="Send pricing"))
        s.add(Activity(lead_id=inbox.ben, kind="note", occurred_at=clock.now(), payload={}))
        s.get(Lead, inbox.clara).phone = "+1 555"  # type: ignore[union-attr]
    with db.write() as s:
        result = merge_leads(s, inbox.david, inbox.ben, now=clock.now())
    assert result.tags == 1 and result.enrollments == 1 and result.tasks == 1
    with db.session() as s:
        assert s.get(Lead, inbox.ben) is None
        assert set(s.scalars(select(LeadTag.tag).where(LeadTag.lead_id == inbox.david))) == {"expo"}
        assert s.scalar(select(func.count()).where(Task.lead_id == inbox.david)) == 2
        assert s.scalar(select(Enrollment.lead_id)) == inbox.david
        kinds = list(s.scalars(select(Activity.kind).where(Activity.lead_id == inbox.david)))
    assert "note" in kinds and kinds[-1] == "merged"


def _enrollment_with_planned_email(
    db: Database, inbox: Inbox, now: datetime, state: str, message_id: str
) -> None:
    """Anna in the sample sequence (``state``), with one email planned for tomorrow."""
    with db.write() as s:
        enrollment = Enrollment(
            lead_id=inbox.anna,
            sequence_id=inbox.sequence,
            version_id=inbox.version,
            enrolled_at=now,
            state=state,
        )
        s.add(enrollment)
        s.flush()
        s.add(
            OutboundMessage(
                lead_id=inbox.anna,
                enrollment_id=enrollment.id,
                message_id=message_id,
                to_address="anna@old.example",
                due_at=now + timedelta(days=1),
            )
        )


def test_merge_ends_a_clashing_enrollment(db: Database, clock: FixedClock, inbox: Inbox) -> None:
    """Both in one sequence: the merged lead's enrollment ends and its planned mail is cancelled."""
    now = clock.now()
    _enrollment_with_planned_email(db, inbox, now, "active", "<x@y>")
    with db.write() as s:
        merge_leads(s, inbox.ben, inbox.anna, now=now)
    with db.session() as s:
        states = sorted(s.scalars(select(Enrollment.state).where(Enrollment.lead_id == inbox.ben)))
        assert states == ["active", "exited"]
        assert s.scalar(select(OutboundMessage.state)) == "cancelled"
    with pytest.raises(ValueError), db.write() as s:
        merge_leads(s, inbox.ben, inbox.ben, now=now)


def test_merge_cancels_the_pending_last_email_of_a_completed_duplicate_enrollment(
    db: Database, clock: FixedClock, inbox: Inbox
) -> None:
    """The merged lead finished the survivor's sequence but its last email is still planned:
    merging cancels that email, so the person does not get that step a second time."""
    now = clock.now()
    _enrollment_with_planned_email(db, inbox, now, "completed", "<last@y>")
    with db.write() as s:
        merge_leads(s, inbox.ben, inbox.anna, now=now)
    with db.session() as s:
        states = sorted(s.scalars(select(Enrollment.state).where(Enrollment.lead_id == inbox.ben)))
        assert states == ["active", "completed"]
        last = s.scalars(select(OutboundMessage).where(OutboundMessage.message_id == "<last@y>"))
        assert [(m.state, m.finished_reason) for m in last] == [("cancelled", "merged")]


def test_saved_views(db: Database, clock: FixedClock) -> None:
    """A view saved with a name is listed, loaded, replaced by name and deleted."""
    hot = InboxQuery(band="sales_ready", owner="none", sort="name", descending=False)
    with db.write() as s:
        first = save_view(s, "Hot, unassigned", hot, now=clock.now())
        save_view(s, "Replied", InboxQuery(needs_attention=True), now=clock.now())
        assert (
            save_view(s, " Hot, unassigned ", hot.with_changes(tag="vip"), now=clock.now()) == first
        )
    with db.session() as s:
        views = list_views(s)
        assert [v.name for v in views] == ["Hot, unassigned", "Replied"]
        assert load_view(s, "Hot, unassigned") == hot.with_changes(tag="vip")
    with db.write() as s:
        assert delete_view(s, first)
        assert not delete_view(s, first)
        with pytest.raises(ValueError):
            save_view(s, "  ", hot, now=clock.now())
    with db.session() as s, pytest.raises(LookupError):
        load_view(s, "Hot, unassigned")


def test_timeline_newest_first_with_labels(db: Database, clock: FixedClock, inbox: Inbox) -> None:
    """Activities come newest first, labelled, with a short summary."""
    now = clock.now()
    with db.write() as s:
        log_activity(
            s,
            inbox.anna,
            "call",
            now=now,
            note="Wants a demo",
            outcome="Reached",
            occurred_at=now - timedelta(hours=2),
        )
        log_activity(s, inbox.anna, "meeting", now=now, occurred_at=now - timedelta(days=3))
        log_activity(s, inbox.anna, "note", now=now, note="Budget in Q3")
        with pytest.raises(ValueError):
            log_activity(s, inbox.anna, "email_sent", now=now)
    with db.session() as s:
        logged = ("note", "call", "meeting")  # scoring may add band changes in between
        entries = [e for e in timeline(s, inbox.anna) if e.kind in logged]
    assert [e.kind for e in entries] == ["note", "call", "meeting"]
    assert [e.label for e in entries] == ["Note", "Call", "Meeting"]
    assert entries[1].summary == "Reached — Wants a demo"


def test_tasks_and_detail(db: Database, clock: FixedClock, inbox: Inbox) -> None:
    """Tasks added and completed show on the detail panel and on the timeline."""
    now = clock.now()
    with db.write() as s:
        task = add_task(
            s, inbox.ben, "Send the case study", now=now, due_at=now + timedelta(days=1)
        )
        complete_task(s, task, now=now, outcome="sent")
    with db.session() as s:
        detail = lead_detail(s, inbox.ben)
    assert detail.profile["email"] == "ben.bauer@kestrel.example"
    assert detail.owner == "Tom Okoro" and detail.tags == ("expo",)
    assert [(t.title, t.outcome) for t in detail.tasks] == [("Send the case study", "sent")]
    assert [(e.sequence, e.state) for e in detail.enrollments] == [
        ("Tradeshow follow-up", "active")
    ]
    task_kinds = [e.kind for e in detail.timeline if e.kind.startswith("task_")]
    assert task_kinds == ["task_completed", "task_created"]


def test_imported_entry_names_source_and_batch(
    db: Database, clock: FixedClock, inbox: Inbox
) -> None:
    """An import shows its source and batch number on the timeline."""
    from leaddesk.activities import ActivityEvent, record_activity
    from leaddesk.db.models import ImportBatch

    with db.write() as s:
        batch = ImportBatch(filename="expo.csv", source="CloudOps Expo")
        s.add(batch)
        s.flush()
        event = ActivityEvent(
            inbox.clara,
            "imported",
            clock.now(),
            {"source": "CloudOps Expo"},
            origin="import",
            import_batch_id=batch.id,
        )
        record_activity(s, event, now=clock.now())
    with db.session() as s:
        entry = timeline(s, inbox.clara)[0]
    assert (entry.label, entry.summary) == ("Imported", f"CloudOps Expo — batch #{batch.id}")


def test_reply_entry_shows_subject_and_snippet() -> None:
    """A reply read from the mailbox shows its subject and the start of the text on the timeline."""
    from leaddesk.activities.kinds import ActivityKind
    from leaddesk.inbox.timeline import summarize

    line = summarize(
        ActivityKind.REPLIED,
        {"subject": "Re: Thanks for stopping by", "snippet": "Yes, let's talk on Thursday"},
    )
    assert line == "Re: Thanks for stopping by — Yes, let's talk on Thursday"
