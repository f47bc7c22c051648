"""The optimised scoring passes leave what the simple implementation leaves.

* :func:`score_everyone` (the column-wise reader of the full re-score and the decay pass) gives
  exactly the results of the simple reader, ``stream_leads`` + ``evaluate``;
* :func:`decay_scores` (writes only changes a person can see) leaves, after any series of passes,
  the shown figures, bands and crossings that the simple pass — :func:`score_loaded_lead` on
  every lead, one by one — leaves, and a lead it writes stores the simple pass's figures exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from leaddesk.db.engine import Database
from leaddesk.db.migrate import open_database
from leaddesk.db.models import Activity, Lead, LeadTag
from leaddesk.scoring import ScoringConfig, decay_scores, rescore_all, save_config
from leaddesk.scoring.compute import evaluate
from leaddesk.scoring.display import shown_figures
from leaddesk.scoring.everyone import score_everyone
from leaddesk.scoring.facts import Needs, stream_leads
from leaddesk.scoring.rescore import score_loaded_lead
from leaddesk.scoring.rules import BAND_KINDS, Rule
from leaddesk.scoring.store import compiled_config
from tests.scoring.scoring_helpers import add_activity, add_lead, engagement_rule, use_model
from tests.scoring.test_scoring_property import (
    activities,
    engagement_rules,
    fit_rules_on,
    models,
)

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
TITLES = ["CEO", "VP Sales", "Student", "Head of IT", "", None]
FIT_FIELDS = ["title", "country", "email_domain", "custom:Badge", "tags"]
fit_rules = fit_rules_on(
    FIT_FIELDS, ["CEO", "VP, Head of", "Germany", "gold", "rival.example", "vip"]
)
any_models = st.builds(
    lambda rules, fit_cap: ScoringConfig(
        rules=tuple(rules), fit_cap=fit_cap, engagement_cap=100 - fit_cap
    ),
    st.lists(st.one_of(fit_rules, engagement_rules), max_size=8),
    st.integers(0, 100),
)
logs = activities  # each lead's log: (kind, days ago, page)


def _clear_of_reset(person: dict[str, Any]) -> bool:
    """No activity within a second of the engagement reset: the every-lead readers compare
    ages rounded to the millisecond, the one-lead query compares the moments themselves, and
    an activity logged within a millisecond of a reset can fall either side."""
    since = person["since_days"]
    return since is None or all(abs(age - since) > 1 / 86_400 for _, age, _ in person["log"])


people = st.lists(
    st.fixed_dictionaries(
        {
            "title": st.sampled_from(TITLES),
            "country": st.sampled_from(["Germany", "Japan", None]),
            "domain": st.sampled_from(["rival.example", "acme.example"]),
            "badge": st.sampled_from([None, "gold", 3]),
            "tags": st.lists(st.sampled_from(["vip", "expo"]), unique=True),
            "since_days": st.one_of(st.none(), st.floats(0, 400)),
            "log": logs,
        }
    ).filter(_clear_of_reset),
    min_size=1,
    max_size=6,
)
# Pass moments in hours after NOW: hourly passes, a day asleep, a clock set back.
pass_hours = st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0, 24.0, 25.0, 400.0]), max_size=4)
SLOW_OK = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


@pytest.fixture
def reference_db(tmp_path: Path) -> Iterator[Database]:
    """A second migrated database, for the simple implementation's run."""
    database = open_database(str(tmp_path / "reference.sqlite3"))
    yield database
    database.dispose()


def simple_pass(session: Session, now: datetime) -> None:
    """The simple implementation: every lead re-scored one by one, the one-lead path."""
    for lead in session.scalars(select(Lead).order_by(Lead.id)).all():
        score_loaded_lead(session, lead, now)
    session.flush()


def _fill(db: Database, model: ScoringConfig, leads: list[dict[str, Any]]) -> None:
    with db.write() as session:
        for table in (Activity, LeadTag, Lead):
            session.execute(delete(table))
        session.expunge_all()
        save_config(session, model)
        for index, person in enumerate(leads):
            since = person["since_days"]
            lead = add_lead(
                session,
                f"p{index}@{person['domain']}",
                title=person["title"],
                country=person["country"],
                custom_fields={} if person["badge"] is None else {"Badge": person["badge"]},
                engagement_since=None if since is None else NOW - timedelta(days=since),
            )
            session.add_all(LeadTag(lead_id=lead.id, tag=tag) for tag in person["tags"])
            rows = [
                {"lead_id": lead.id, "kind": kind, "occurred_at": NOW - timedelta(days=days),
                 "recorded_at": NOW, "origin": "test", "payload": {"page": page} if page else {}}
                for kind, days, page in person["log"]
            ]  # fmt: skip
            if rows:
                session.execute(insert(Activity), rows)


def _scores(db: Database) -> dict[int, tuple[Any, ...]]:
    with db.session() as session:
        query = select(
            Lead.id, Lead.fit_score, Lead.engagement_score, Lead.score, Lead.score_band,
            Lead.score_updated_at,
        )  # fmt: skip
        return {row[0]: tuple(row[1:]) for row in session.execute(query)}


def _crossings(db: Database) -> list[tuple[Any, ...]]:
    with db.session() as session:
        query = (
            select(Activity.lead_id, Activity.kind, Activity.occurred_at, Activity.payload)
            .where(Activity.kind.in_(sorted(BAND_KINDS)))
            .order_by(Activity.lead_id, Activity.id)  # each lead's in order (leads write apart)
        )
        return [tuple(row) for row in session.execute(query)]


@settings(max_examples=60, deadline=None, suppress_health_check=SLOW_OK)
@given(model=any_models, leads=people, hours=st.sampled_from([0.0, 1.0, 30.0]))
def test_column_wise_reader_equals_simple_reader(
    db: Database, model: ScoringConfig, leads: list[dict[str, Any]], hours: float
) -> None:
    """score_everyone gives every lead exactly the stored and new figures of the simple reader."""
    _fill(db, model, leads)
    now = NOW + timedelta(hours=hours)
    with db.session() as session:
        compiled = compiled_config(session)
        simple = [
            (lead_id, stored, evaluate(compiled, fields, activities))
            for lead_id, fields, stored, activities in stream_leads(
                session, Needs.of(compiled), now
            )
        ]
        assert list(score_everyone(session, compiled, now)) == simple


@settings(max_examples=40, deadline=None, suppress_health_check=SLOW_OK)
@given(model=models, leads=people, hours=pass_hours)
def test_decay_passes_leave_what_the_simple_pass_leaves(
    db: Database,
    reference_db: Database,
    model: ScoringConfig,
    leads: list[dict[str, Any]],
    hours: list[float],
) -> None:
    """After each decay pass, shown figures, bands and crossings equal the simple pass's."""
    _fill(db, model, leads)
    _fill(reference_db, model, leads)
    for hour in [0.0, *hours]:
        now = NOW + timedelta(hours=hour)
        with db.write() as session:
            summary = decay_scores(session, now)
        with reference_db.write() as session:
            simple_pass(session, now)
        fast, simple = _scores(db), _scores(reference_db)
        assert fast.keys() == simple.keys()
        for lead_id, (fit, engagement, total, band, stamp) in fast.items():
            expected = simple[lead_id]
            assert shown_figures(fit, engagement, total, band) == shown_figures(*expected[:4])
            assert fit == expected[0]
            if stamp == now:  # written by this pass: the simple pass's figures, exactly
                assert (fit, engagement, total, band) == expected[:4]
        assert _crossings(db) == _crossings(reference_db)
        bands = [row[3] for row in simple.values()]
        assert summary.bands == {band: bands.count(band) for band in summary.bands}


def test_an_hourly_pass_writes_only_leads_whose_shown_score_changes(session: Session) -> None:
    """An hour of decay that leaves the whole points alone writes nothing; crossing 45→44 does."""
    use_model(session, [engagement_rule("replied", 50, half_life=30)])
    slow = add_lead(session, "slow@example.com")
    edge = add_lead(session, "edge@example.com")
    add_activity(session, slow, "replied", NOW, days_ago=4)  # 45.6 points, 0.04 an hour
    # 45.0003 points now: below 45 within the hour
    add_activity(session, edge, "replied", NOW, days_ago=30 * 0.151_99)
    rescore_all(session, NOW)
    before = {lead.id: (lead.score, lead.score_updated_at) for lead in (slow, edge)}
    summary = decay_scores(session, NOW + timedelta(hours=1))
    session.expire_all()
    assert (slow.score, slow.score_updated_at) == before[slow.id]
    assert int(edge.score) == 44 and edge.score_updated_at == NOW + timedelta(hours=1)
    assert summary.changed == 1 and summary.leads == 2


def test_a_stale_fit_part_is_put_right_exactly(session: Session) -> None:
    """A fit part changed behind the scorer's back is rewritten even when it reads the same."""
    use_model(session, [Rule(part="fit", name="CEO", field="title", value="CEO", points=10.25)])
    lead = add_lead(session, "ceo@example.com", title="CEO")
    rescore_all(session, NOW)
    session.execute(update(Lead).values(fit_score=10.2, score=10.2))
    decay_scores(session, NOW + timedelta(hours=1))
    session.expire_all()
    assert (lead.fit_score, lead.score) == (10.25, 10.25)
