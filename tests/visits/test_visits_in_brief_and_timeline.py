"""What a rep reads about a lead's clicks and pages: the timeline line and the brief."""

from __future__ import annotations

from datetime import timedelta

from leaddesk.activities import ActivityEvent, ActivityKind, record_activity
from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.handoff.brief import build_brief
from leaddesk.inbox.timeline import timeline
from tests.handoff.conftest import new_lead


def test_clicks_and_pages_read_plainly_in_the_timeline_and_the_brief(
    db: Database, clock: FixedClock
) -> None:
    """The timeline says which page and which email; the brief lists them as things the lead
    looked at and suggests opening with the pricing page they viewed."""
    with db.write() as session:
        lead = new_lead(session, "anna@logistics.example")
        click = {"path": "/pricing", "url": "/pricing?plan=team", "step": "Expo, step 2"}
        for kind, payload, minutes in (
            (ActivityKind.CLICKED_LINK, click, 0),
            (ActivityKind.VISITED_PAGE, {"path": "/pricing/enterprise",
                                         "url": "/pricing/enterprise"}, 5),
        ):  # fmt: skip
            moment = clock.now() + timedelta(minutes=minutes)
            event = ActivityEvent(lead.id, kind, moment, payload, origin="web log")
            record_activity(session, event, now=moment)
        lead_id = lead.id
    with db.session() as session:
        lines = {(entry.label, entry.summary) for entry in timeline(session, lead_id)}
        brief = build_brief(session, lead_id, clock.now() + timedelta(hours=1))
    assert ("Clicked a link in an email", "/pricing?plan=team — from Expo, step 2") in lines
    assert ("Viewed a page of your site", "/pricing/enterprise") in lines
    consumed = [(line.label, line.detail) for line in brief.consumed]
    assert ("Viewed a page of your site", "/pricing/enterprise") in consumed
    assert ("Clicked a link in an email", "/pricing?plan=team in Expo, step 2") in consumed
    assert "looked at pricing" in brief.opener
