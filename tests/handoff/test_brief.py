"""The lead brief: why now, who, where from, what they did, what we sent, how to open."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from leaddesk.activities import ActivityKind
from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import Activity
from leaddesk.handoff.brief import build_brief
from leaddesk.handoff.brief_render import brief_html, brief_text
from tests.handoff.conftest import event, new_lead


def test_brief_tells_the_story_of_a_qualified_lead(
    db: Database, team: dict[str, int], clock: FixedClock
) -> None:
    """Score reasons, the tipping event, downloads with names, webinar minutes and the opener."""
    start = clock.now() - timedelta(days=10)
    with db.write() as session:
        lead = new_lead(session, "anna@acme.example")
        event(session, lead, ActivityKind.WHITEPAPER_DOWNLOAD, start, asset="Route planning 101")
        event(session, lead, ActivityKind.WEBINAR_ATTENDED, start + timedelta(days=3),
              minutes=42, webinar="Scaling logistics")  # fmt: skip
        event(session, lead, ActivityKind.CONSULTATION_REQUESTED, clock.now())
        brief = build_brief(session, lead.id, clock.now(), viewer_zone="America/New_York")
    assert brief.owner == "Tom Okoro"
    assert brief.tipping.startswith("Requested a consultation")
    assert "crossed the sales-ready threshold" in brief.qualified_why
    assert any(text.startswith("Consultation request") for text, _ in brief.reasons)
    consumed = [f"{line.label}: {line.detail}" for line in brief.consumed]
    assert "Downloaded a whitepaper: Route planning 101" in consumed
    assert "Attended a webinar: Scaling logistics (42 min)" in consumed
    assert brief.opener.startswith("They asked for a consultation")
    assert brief.local_time == "Mon 11:00" and brief.time_note == "6 h ahead of you"
    assert brief.due_at == clock.now() + timedelta(hours=24)


def test_brief_html_escapes_lead_data(
    db: Database, team: dict[str, int], clock: FixedClock
) -> None:
    """A name with markup is shown as text in the HTML brief and the text version."""
    with db.write() as session:
        lead = new_lead(session, "x@acme.example", first_name="<script>alert(1)</script>")
        event(session, lead, ActivityKind.DEMO_REQUESTED, clock.now())
        brief = build_brief(session, lead.id, clock.now())
        stored = session.scalars(select(Activity).where(Activity.lead_id == lead.id)).all()
    markup = brief_html(brief)
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    assert "<script>alert(1)</script>" in brief_text(brief)
    assert stored  # the brief itself wrote nothing but read everything
