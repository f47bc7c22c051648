"""Team mode: scoring gives the same numbers on a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from leaddesk.db import migrate
from leaddesk.scoring import explain_lead, rescore_all, save_config, what_if
from leaddesk.scoring.rules import Operator
from tests.scoring.scoring_helpers import (
    add_activity,
    add_lead,
    engagement_rule,
    fit_rule,
    use_model,
)
from tests.support.postgres import postgres_server

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL cluster for this module (the test fails if it cannot start)."""
    with postgres_server() as url:
        yield url


def test_decay_payload_rules_and_bulk_pass_on_postgres(postgres_url: str) -> None:
    """Half-life maths, payload conditions, the bulk pass and what-if agree on PostgreSQL."""
    db = migrate.open_database(postgres_url)
    with db.write() as session:
        config = use_model(
            session,
            [
                fit_rule("title", Operator.CONTAINS_ANY, "VP", 15),
                engagement_rule("webinar_attended", 40, half_life=30),
                engagement_rule("website_visit", 5, field="page", value="pricing"),
            ],
        )
        lead = add_lead(session, "vp@example.com", title="VP Sales")
        add_activity(session, lead, "webinar_attended", NOW, days_ago=30)
        add_activity(session, lead, "website_visit", NOW, payload={"page": "/pricing"})
        breakdown = explain_lead(session, lead.id, NOW)
        assert [item.points_now for item in breakdown.items] == [15, 5, pytest.approx(20)]
        assert rescore_all(session, NOW).changed == 0
        assert lead.score == breakdown.total
        preview = what_if(
            session, config.with_changes(warm_threshold=20, sales_ready_threshold=40), NOW
        )
        assert preview.changed == 1 and preview.changes[0].email == "vp@example.com"
        later = NOW + timedelta(days=30)
        summary = rescore_all(session, later)
        assert (summary.changed, summary.crossings) == (1, {"became_cold": 1})
        assert lead.score == explain_lead(session, lead.id, later).total == pytest.approx(30)
        save_config(session, config)
    db.dispose()
