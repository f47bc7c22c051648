"""The schedule can be previewed before sending is set up: every step at its planned time,
inside the send window, with the subject as the lead gets it, marked as held."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from leaddesk.db.models import Lead, SequenceVersion
from leaddesk.sequences.enrollment import enroll_leads
from leaddesk.sequences.planner import window_of
from leaddesk.sequences.presets import load_preset, sequence_from_document
from leaddesk.sequences.simulate import simulate
from leaddesk.sequences.timing import in_window, resolve_zone

NOW = datetime(2026, 3, 6, 21, 30, tzinfo=UTC)  # a Friday evening in Berlin


def test_a_blocked_plan_still_shows_every_step_in_the_window(db) -> None:
    """No account and no postal address: all four emails and the call task are listed, each
    email inside the window, held for both reasons, addressed to Wei by name."""
    with db.write() as session:
        sequence = sequence_from_document(session, load_preset("tradeshow"))
        lead = Lead(email="wei@brightline.example", email_key="wei@brightline.example",
                    first_name="Wei", custom_fields={}, timezone="Europe/Berlin")  # fmt: skip
        session.add(lead)
        session.flush()
        enroll_leads(session, sequence, [lead.id], now=NOW)
        version_id = sequence.versions[0].id
    with db.session() as session:
        items = simulate(session, NOW, until=NOW + timedelta(days=40))
        window = window_of(session.get_one(SequenceVersion, version_id))
    emails = [i for i in items if i.kind == "email"]
    assert [i.step for i in emails] == [1, 3, 7, 9]
    assert any(i.kind == "task" for i in items)
    zone = resolve_zone("Europe/Berlin")
    for item in emails:
        assert item.status == "blocked: no postal address, no sender account"
        assert in_window(item.utc, window, zone), item.local_time
    assert emails[0].title == "Email: Thanks for stopping by our booth, Wei"
    assert emails[0].utc > NOW  # Friday 22:30 local is outside the window: Monday morning
