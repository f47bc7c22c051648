"""Band changes no reaction acts on are written in bulk, with the same result as one by one."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from leaddesk.activities import door
from leaddesk.db.engine import Database
from leaddesk.db.migrate import open_database
from leaddesk.db.models import Activity, Enrollment, Handoff, Lead
from leaddesk.handoff.team import add_member
from leaddesk.scoring import rescore, rescore_all
from tests.scoring.scoring_helpers import add_lead, fit_rule, use_model
from tests.sequences.sequence_helpers import email, make_sequence

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
TITLES = ["CEO", "VP Sales", "Analyst", "Student", ""]


def _outcome(db: Database, leads: list[str], warm_sequence: bool) -> dict[str, Any]:
    """Score a fresh set of leads for the first time; everything a person could look at."""
    with db.write() as session:
        rules = [
            fit_rule("title", "equals", "CEO", 45),
            fit_rule("title", "equals", "VP Sales", 75),
        ]
        use_model(session, rules, fit_cap=80, engagement_cap=20, warm=40, sales_ready=70)
        add_member(session, "Tom Okoro", "tom@team.example", role="sales_rep")
        sequence = make_sequence(session, [email()], name="Warm leads")
        sequence.auto_enroll = {"became_warm": True} if warm_sequence else {}
        for number, title in enumerate(leads):
            add_lead(session, f"lead{number}@example.com", title=title)
        rescore_all(session, NOW)
    with db.session() as session:
        return {
            "activities": sorted(
                (a.lead_id, a.kind, a.occurred_at, a.origin, sorted(a.payload.items()))
                for a in session.scalars(select(Activity))
            ),
            "leads": sorted(
                tuple(row)
                for row in session.execute(
                    select(Lead.id, Lead.score, Lead.score_band, Lead.status, Lead.last_activity_at)
                )
            ),
            "enrolled": sorted(e.lead_id for e in session.scalars(select(Enrollment))),
            "handed": sorted(h.lead_id for h in session.scalars(select(Handoff))),
        }


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(TITLES), min_size=1, max_size=12), st.booleans())
def test_the_first_full_score_leaves_what_recording_each_change_would(
    tmp_path_factory: pytest.TempPathFactory, titles: list[str], warm_sequence: bool
) -> None:
    """Random leads becoming warm or sales-ready, with and without a sequence enrolling warm
    leads: the same activities, scores, enrolments and hand-offs as when every band change
    goes through the door one object at a time."""
    folder: Path = tmp_path_factory.mktemp("quiet")
    fast = open_database(str(folder / "fast.sqlite3"))
    simple = open_database(str(folder / "simple.sqlite3"))
    try:
        with pytest.MonkeyPatch.context() as patch:  # the simple path: every change reacts
            patch.setattr(rescore, "any_reaction_to", lambda _session, _kind: True)
            expected = _outcome(simple, titles, warm_sequence)
        assert _outcome(fast, titles, warm_sequence) == expected
    finally:
        fast.dispose()
        simple.dispose()


def test_a_warm_crossing_is_quiet_only_while_no_sequence_enrols_warm_leads(db: Database) -> None:
    """Becoming warm sets nothing in motion until a sequence enrols warm leads; becoming
    sales-ready always may (hand-off, sequence exits)."""
    with db.write() as session:
        assert not door.any_reaction_to(session, "became_warm")
        assert door.any_reaction_to(session, "became_sales_ready")
        sequence = make_sequence(session, [email()], name="Warm leads")
        sequence.auto_enroll = {"became_warm": True}
        session.flush()
        assert door.any_reaction_to(session, "became_warm")
