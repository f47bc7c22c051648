"""The shipped default model, restoring it, and export/import of the model as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import ScoringRule
from leaddesk.scoring import (
    ScoringModelError,
    default_config,
    explain_lead,
    export_model,
    import_model,
    load_config,
    restore_defaults,
)
from tests.scoring.scoring_helpers import add_activity, add_lead, engagement_rule, use_model


def test_default_model_is_seeded_lazily(db: Database, clock: FixedClock) -> None:
    """A new database scores with the shipped figures: webinar 25, consultation 50, VP fit."""
    with db.write() as session:
        assert session.scalar(select(func.count(ScoringRule.id))) == 0
        lead = add_lead(session, title="VP Operations", industry="Software")
        add_activity(session, lead, "webinar_attended", clock.now())
        add_activity(session, lead, "consultation_requested", clock.now())
        breakdown = explain_lead(session, lead.id, clock.now())
        assert load_config(session) == default_config()
    points = {item.rule: item.points_now for item in breakdown.items}
    assert points == {
        "VP, director or head of": 15,
        "Target industry": 10,
        "Webinar attendance": 25,
        "Consultation request": 50,
        "Engagement capped at 60": -15,
    }
    assert breakdown.total == 85 and breakdown.band == "sales_ready"


def test_default_figures() -> None:
    """The engagement preset is 5 / 10 / 15 / 25 / 50 and thresholds are 40 and 70."""
    config = default_config()
    by_kind = {r.activity_kind: r.points for r in config.rules if not r.is_fit and not r.field}
    assert by_kind["whitepaper_download"] == 5
    assert by_kind["case_study_download"] == 10
    assert by_kind["webinar_registered"] == 15
    assert by_kind["webinar_attended"] == 25
    assert by_kind["consultation_requested"] == 50
    assert by_kind["unsubscribed"] < 0 and by_kind["bounced"] < 0
    assert (config.warm_threshold, config.sales_ready_threshold) == (40, 70)
    assert config.fit_cap + config.engagement_cap == 100


def test_emptied_model_stays_empty_and_defaults_restore(db: Database, clock: FixedClock) -> None:
    """Removing every rule is respected; "restore defaults" brings them back and re-scores."""
    with db.write() as session:
        lead = add_lead(session)
        add_activity(session, lead, "webinar_attended", clock.now())
        use_model(session, [])
        assert load_config(session).rules == ()
        assert explain_lead(session, lead.id, clock.now()).total == 0
        summary = restore_defaults(session, clock.now())
        assert summary.changed == 1
        assert lead.score == 25
        assert load_config(session) == default_config()


def test_export_import_round_trip(db: Database, clock: FixedClock, tmp_path: Path) -> None:
    """A model exported to JSON and imported again scores the same."""
    path = tmp_path / "model.json"
    with db.write() as session:
        use_model(session, [engagement_rule("replied", 33, half_life=10)], warm=20)
        exported = export_model(session, path)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["thresholds"] == {"warm": 20, "sales_ready": 70}
    with db.write() as session:
        restore_defaults(session, clock.now())
        lead = add_lead(session)
        add_activity(session, lead, "replied", clock.now())
        import_model(session, path, clock.now())
        assert load_config(session) == exported
        assert lead.score == 33 and lead.score_band == "warm"


def test_import_refuses_bad_files(db: Database, clock: FixedClock, tmp_path: Path) -> None:
    """A non-JSON or foreign file is refused with a reason and the model stays unchanged."""
    bad = tmp_path / "bad.json"
    bad.write_text("not json", encoding="utf-8")
    with db.write() as session:
        before = load_config(session)
        with pytest.raises(ScoringModelError, match="not a JSON file"):
            import_model(session, bad, clock.now())
        bad.write_text('{"format": "leaddesk-scoring-model", "version": 1}', encoding="utf-8")
        with pytest.raises(ScoringModelError, match="incomplete"):
            import_model(session, bad, clock.now())
        assert load_config(session) == before
