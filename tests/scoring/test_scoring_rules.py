"""Each kind of scoring rule fires (or not) the way its editor wording says."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from leaddesk.clock import FixedClock
from leaddesk.db.models import LeadTag
from leaddesk.scoring import ScoringConfig, ScoringModelError, explain_lead, rescore_lead
from leaddesk.scoring.rules import Operator, Rule, make_matcher, validate_config
from tests.scoring.scoring_helpers import (
    add_activity,
    add_lead,
    engagement_rule,
    fit_rule,
    use_model,
)


@pytest.mark.parametrize(
    ("operator", "value", "text", "expected"),
    [
        (Operator.CONTAINS_ANY, "VP, Head of", "VP Operations", True),
        (Operator.CONTAINS_ANY, "VP, Head of", "head of sales", True),
        (Operator.CONTAINS_ANY, "CTO", "Director of IT", False),
        (Operator.CONTAINS_ANY, "Intern", "International Sales Lead", False),
        (Operator.CONTAINS_ANY, "", "anything", False),
        (Operator.CONTAINS_NONE, "Student, Intern", "Intern", False),
        (Operator.CONTAINS_NONE, "Student, Intern", "CEO", True),
        (Operator.EQUALS, "Germany", " germany ", True),
        (Operator.EQUALS, "Germany", "Germany East", False),
        (Operator.NOT_EQUALS, "Germany", "France", True),
        (Operator.IN_LIST, "51-200, 201-500", "201-500", True),
        (Operator.IN_LIST, "51-200, 201-500", "1-10", False),
        (Operator.IN_LIST, "", "", False),
        (Operator.NOT_IN_LIST, "Japan, Brazil", "Spain", True),
        (Operator.IS_EMPTY, "", "  ", True),
        (Operator.IS_NOT_EMPTY, "", "x", True),
    ],
)
def test_operators(operator: str, value: str, text: str, expected: bool) -> None:
    """Keywords match whole words case-insensitively; lists and equality ignore case and spaces."""
    assert make_matcher(operator, value)(text) is expected


def test_fit_rules_on_profile_fields(session: Session, clock: FixedClock) -> None:
    """Title, industry, size, country, source, email domain, tags and custom fields can score."""
    use_model(
        session,
        [
            fit_rule("title", Operator.CONTAINS_ANY, "VP", 15),
            fit_rule("industry", Operator.IN_LIST, "Software, Retail", 10),
            fit_rule("company_size", Operator.IN_LIST, "51-200", 5),
            fit_rule("country", Operator.EQUALS, "Germany", 4),
            fit_rule("source", Operator.CONTAINS_ANY, "Expo", 3),
            fit_rule("email_domain", Operator.IN_LIST, "rival.example", -50),
            fit_rule("tags", Operator.CONTAINS_ANY, "vip", 2),
            fit_rule("custom:Budget", Operator.EQUALS, "yes", 1),
            fit_rule("title", Operator.CONTAINS_ANY, "Student", -20),
        ],
        fit_cap=100,
        engagement_cap=0,
    )
    lead = add_lead(
        session, "ada@acme.example", title="VP Sales", industry="software",
        company_size="51-200", country="Germany", source="CloudOps Expo",
        custom_fields={"Budget": "Yes"},
    )  # fmt: skip
    lead.tags = [LeadTag(tag="vip")]
    session.flush()
    breakdown = explain_lead(session, lead.id, clock.now())
    assert [item.points_now for item in breakdown.items] == [15, 10, 5, 4, 3, 2, 1]
    assert breakdown.total == 40
    assert breakdown.items[0].reason == "Job title is “VP Sales”"
    rival = add_lead(session, "eve@rival.example", title="Student")
    assert rescore_lead(session, rival.id, clock.now()).total == 0
    assert explain_lead(session, rival.id, clock.now()).fit == -70


def test_engagement_rule_counts_its_kind_up_to_max_count(
    session: Session, clock: FixedClock
) -> None:
    """Only the newest max_count activities count; the rest are listed as not counted."""
    use_model(session, [engagement_rule("whitepaper_download", 5, max_count=2)])
    lead = add_lead(session)
    now = clock.now()
    for days in (3, 1, 2):
        add_activity(session, lead, "whitepaper_download", now, days_ago=days)
    add_activity(session, lead, "email_sent", now)
    breakdown = explain_lead(session, lead.id, now)
    counted = [item for item in breakdown.items if item.counted]
    skipped = [item for item in breakdown.items if not item.counted]
    assert breakdown.total == 10
    assert [item.occurred_at for item in counted] == [
        now - timedelta(days=1),
        now - timedelta(days=2),
    ]
    assert len(skipped) == 1 and skipped[0].points_now == 0
    assert "not counted" in skipped[0].reason


def test_unlimited_count_and_negative_points(session: Session, clock: FixedClock) -> None:
    """max_count None counts every activity; negative rules take points away."""
    use_model(
        session,
        [
            engagement_rule("website_visit", 2, max_count=None),
            engagement_rule("unsubscribed", -30),
            fit_rule("title", Operator.IS_NOT_EMPTY, "", 40),
        ],
    )
    lead = add_lead(session, title="CEO")
    now = clock.now()
    for _ in range(7):
        add_activity(session, lead, "website_visit", now)
    assert session.get(type(lead), lead.id).score == 40 + 14  # type: ignore[union-attr]
    add_activity(session, lead, "unsubscribed", now)
    assert explain_lead(session, lead.id, now).total == 40 + 14 - 30


def test_payload_condition(session: Session, clock: FixedClock) -> None:
    """An engagement rule can require a payload value, e.g. visits of the pricing page."""
    use_model(session, [engagement_rule("website_visit", 5, field="page", value="pricing")])
    lead = add_lead(session)
    now = clock.now()
    add_activity(session, lead, "website_visit", now, payload={"page": "/blog/post"})
    add_activity(session, lead, "website_visit", now, payload={"page": "/pricing"})
    breakdown = explain_lead(session, lead.id, now)
    assert breakdown.total == 5
    assert "(page: /pricing)" in breakdown.items[0].reason


def test_disabled_rules_do_not_count(session: Session, clock: FixedClock) -> None:
    """A rule switched off in the editor contributes nothing."""
    rule = fit_rule("title", Operator.CONTAINS_ANY, "CEO", 20)
    use_model(session, [Rule(**{**rule.to_dict(), "enabled": False})])
    lead = add_lead(session, title="CEO")
    assert explain_lead(session, lead.id, clock.now()).items == ()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"fit_cap": 60, "engagement_cap": 60}, "must not exceed 100"),
        ({"warm_threshold": 80}, "warm < sales-ready"),
        ({"rules": (fit_rule("shoe_size", Operator.EQUALS, "9", 1),)}, "unknown field"),
        ({"rules": (engagement_rule("became_warm", 5),)}, "band changes"),
        ({"rules": (engagement_rule("replied", 5, half_life=0),)}, "half-life"),
        ({"rules": (engagement_rule("replied", 5, max_count=0),)}, "at least once"),
    ],
)
def test_invalid_models_are_refused(change: dict[str, object], message: str) -> None:
    """Caps over 100, crossed thresholds, unknown fields and loops on band kinds are refused."""
    with pytest.raises(ScoringModelError, match=message):
        validate_config(ScoringConfig().with_changes(**change))


def test_document_round_trip() -> None:
    """The exported JSON reads back to the same model; foreign files are refused."""
    from leaddesk.scoring import default_config

    config = default_config()
    assert ScoringConfig.from_document(config.to_document()) == config
    with pytest.raises(ScoringModelError):
        ScoringConfig.from_document({"format": "something else"})
    broken = config.to_document()
    broken["rules"][0]["colour"] = "red"
    with pytest.raises(ScoringModelError, match="colour"):
        ScoringConfig.from_document(broken)
