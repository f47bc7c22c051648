"""For random models and activity logs, the stored score is the sum of the breakdown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete
from sqlalchemy.orm import Session

from leaddesk.activities import ActivityEvent, record_activity
from leaddesk.db.engine import Database
from leaddesk.db.models import Activity, Lead
from leaddesk.scoring import ScoringConfig, explain_lead, rescore_all, save_config
from leaddesk.scoring.compute import CompiledConfig
from leaddesk.scoring.fresh import NewLeadScorer
from leaddesk.scoring.rules import Operator, Rule
from tests.scoring.scoring_helpers import add_lead

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
KINDS = ["whitepaper_download", "webinar_attended", "replied", "website_visit"]
TITLES = ["CEO", "VP Sales", "Student", "Head of IT", ""]

fit_rules = st.builds(
    Rule,
    part=st.just("fit"),
    name=st.just("fit"),
    points=st.floats(-40, 40, allow_nan=False).map(lambda p: round(p, 3)),
    field=st.just("title"),
    operator=st.sampled_from([Operator.CONTAINS_ANY, Operator.IN_LIST, Operator.IS_NOT_EMPTY]),
    value=st.sampled_from(["CEO", "VP, Head of", "Student", "CEO, Student"]),
)
engagement_rules = st.builds(
    Rule,
    part=st.just("engagement"),
    name=st.just("engagement"),
    points=st.floats(-30, 60, allow_nan=False).map(lambda p: round(p, 3)),
    activity_kind=st.sampled_from(KINDS),
    max_count=st.one_of(st.none(), st.integers(1, 4)),
    half_life_days=st.one_of(st.none(), st.floats(0.5, 400)),
    field=st.sampled_from(["", "page"]),
    operator=st.just(Operator.CONTAINS_ANY),
    value=st.sampled_from(["pricing", "blog"]),
)
models = st.builds(
    lambda rules, fit_cap, warm, gap: ScoringConfig(
        rules=tuple(rules),
        fit_cap=fit_cap,
        engagement_cap=100 - fit_cap,
        warm_threshold=warm,
        sales_ready_threshold=min(100, warm + gap),
    ),
    st.lists(st.one_of(fit_rules, engagement_rules), max_size=6),
    st.integers(0, 100),
    st.integers(1, 60),
    st.integers(1, 40),
)
activities = st.lists(
    st.tuples(
        st.sampled_from([*KINDS, "email_sent"]),
        st.floats(-2, 500),
        st.sampled_from([None, "/pricing", "/blog/x"]),
    ),
    max_size=12,
)
leads = st.lists(st.tuples(st.sampled_from(TITLES), activities), min_size=1, max_size=3)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(model=models, people=leads)
def test_stored_score_is_sum_of_breakdown(
    db: Database, model: ScoringConfig, people: list[tuple[str, list[tuple[str, float, str]]]]
) -> None:
    """Per-event re-scoring, the bulk pass and the breakdown all agree with the item sum."""
    with db.write() as session:
        _reset(session)
        save_config(session, model)
        created = []
        for index, (title, log) in enumerate(people):
            lead = add_lead(session, f"p{index}@example.com", title=title)
            for kind, days_ago, page in log:
                event = ActivityEvent(
                    lead.id, kind, occurred_at=NOW - timedelta(days=days_ago),
                    payload={"page": page} if page else {},
                )  # fmt: skip
                record_activity(session, event, now=NOW)
            created.append(lead)
        per_event = {lead.id: lead.score for lead in created}
        rescore_all(session, NOW)
        for lead in created:
            breakdown = explain_lead(session, lead.id, NOW)
            assert lead.score == breakdown.total
            assert abs(sum(item.points_now for item in breakdown.items) - breakdown.total) < 1e-9
            assert 0 <= breakdown.total <= 100
            assert lead.score == per_event[lead.id] or not people[created.index(lead)][1]
            assert lead.score_band == model.band(lead.score)


def _reset(session: Session) -> None:
    session.execute(delete(Activity))
    session.execute(delete(Lead))
    session.expunge_all()


FIT_FIELDS = ["title", "country", "source", "email_domain", "custom:Badge"]
TEXTS = ["CEO", "VP Sales", "Germany", "Expo", "gold", "", "rival.example"]


def fit_rules_on(fields: list[str], values: list[str]) -> st.SearchStrategy[Rule]:
    """Fit rules of any operator testing one of ``fields`` against one of ``values``."""
    return st.builds(
        Rule,
        part=st.just("fit"),
        name=st.just("fit"),
        points=st.floats(-40, 40, allow_nan=False),
        field=st.sampled_from(fields),
        operator=st.sampled_from([Operator.CONTAINS_ANY, Operator.IN_LIST, Operator.IS_NOT_EMPTY]),
        value=st.sampled_from(values),
    )


any_fit_rules = fit_rules_on(
    FIT_FIELDS, ["CEO", "VP, Head of", "Germany", "Expo, gold", "rival.example"]
)


@settings(max_examples=150, deadline=None)
@given(
    rules=st.lists(st.one_of(any_fit_rules, engagement_rules), max_size=8),
    fit_cap=st.integers(0, 100),
    leads=st.lists(st.lists(st.sampled_from(TEXTS), min_size=5, max_size=5), max_size=12),
)
def test_batch_scores_of_new_leads_equal_one_by_one_scores(
    rules: list[Rule], fit_cap: int, leads: list[list[str]]
) -> None:
    """An import's column-wise scores of new leads are exactly the one-lead-at-a-time scores."""
    config = ScoringConfig(rules=tuple(rules), fit_cap=fit_cap, engagement_cap=100 - fit_cap)
    scorer = NewLeadScorer(CompiledConfig(config))
    started = scorer.only_activity("imported", {"source": "Expo"})
    by_field = [dict(zip(FIT_FIELDS, texts, strict=True)) for texts in leads]
    columns = [[lead[name] for lead in by_field] for name in scorer.fit_fields]
    one_by_one = [
        scorer.score(
            {**lead, "custom_fields": {"Badge": lead["custom:Badge"]}},
            started,
        )
        for lead in by_field
    ]
    assert scorer.by_fit_columns(started)(columns, len(leads)) == one_by_one
