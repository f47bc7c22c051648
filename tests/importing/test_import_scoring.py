"""New leads are scored while an import writes them: same figures as a re-score, same events."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from sqlalchemy import select

from leaddesk.activities import ActivityKind
from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import Activity, Enrollment, Lead
from leaddesk.scoring import rescore_all
from leaddesk.scoring.rules import Rule
from leaddesk.scoring.store import load_config, save_config
from leaddesk.settings import POSTAL_ADDRESS, set_setting
from tests.sequences.sequence_helpers import POSTAL, add_account, email, make_sequence

LIST = (
    "Email,First Name,Title,Industry,Company Size,Country,Tags,Badge Color\n"
    "ceo@big.example,Ada,CEO,Software,51-200,Germany,vip,gold\n"
    "cto@rival.example,Grace,CTO,Software,201-500,France,,\n"
    "intern@small.example,Alan,Intern,Farming,1-10,Mars,,\n"
    "nobody@plain.example,Bob,,,,,,\n"
)


def _with_derived_rules(db: Database) -> None:
    """Add fit rules on tags, a custom field, the email domain, status and city to the model."""
    with db.write() as session:
        config = load_config(session)
        extra = (
            Rule(part="fit", name="VIP", field="tags", operator="contains_any", value="vip",
                 points=10),
            Rule(part="fit", name="Gold badge", field="custom:Badge Color",
                 operator="contains_any", value="gold", points=5),
            Rule(part="fit", name="Rival", field="email_domain", operator="in_list",
                 value="rival.example", points=-50),
            Rule(part="fit", name="Still new", field="status", operator="equals", value="new",
                 points=1),
            Rule(part="fit", name="Berlin", field="city", operator="equals", value="",
                 points=0.1),
        )  # fmt: skip
        save_config(session, dataclasses.replace(config, rules=(*config.rules, *extra)))


def test_imported_scores_equal_a_full_rescore(
    db: Database, clock: FixedClock, tmp_path: Path, write_text: Any, do_import: Any
) -> None:
    """Scores stored by an import are exactly what a full re-score computes; nothing changes."""
    _with_derived_rules(db)
    path = write_text(tmp_path / "list.csv", LIST)
    do_import(db, path, clock, source="Expo Berlin", tags=("expo",))
    with db.session() as session:
        stored = {
            lead.email_key: (lead.score, lead.fit_score, lead.engagement_score, lead.score_band)
            for lead in session.scalars(select(Lead))
        }
    assert stored["ceo@big.example"][3] == "warm"
    assert stored["cto@rival.example"][3] == "cold"
    with db.write() as session:
        summary = rescore_all(session, clock.now())
        again = {
            lead.email_key: (lead.score, lead.fit_score, lead.engagement_score, lead.score_band)
            for lead in session.scalars(select(Lead))
        }
    assert (summary.changed, summary.crossings) == (0, {})
    assert again == stored


def test_new_warm_leads_get_their_crossing_and_auto_enrolment(
    db: Database, clock: FixedClock, tmp_path: Path, write_text: Any, do_import: Any
) -> None:
    """A new lead that starts warm gets one became_warm event (from cold) and is auto-enrolled."""
    with db.write() as session:
        set_setting(session, POSTAL_ADDRESS, POSTAL)
        add_account(session)
        sequence = make_sequence(session, [email()])
        sequence.auto_enroll = {"became_warm": True}
    path = write_text(tmp_path / "list.csv", LIST)
    do_import(db, path, clock)
    with db.session() as session:
        leads = {lead.email_key: lead for lead in session.scalars(select(Lead))}
        crossings = session.execute(
            select(Activity.lead_id, Activity.payload, Activity.origin).where(
                Activity.kind == ActivityKind.BECAME_WARM
            )
        ).all()
        enrolled = set(session.scalars(select(Enrollment.lead_id)))
    warm = [leads["ceo@big.example"], leads["cto@rival.example"]]
    assert [(c.lead_id, c.payload["from"], c.payload["to"], c.origin) for c in crossings] == [
        (lead.id, "cold", "warm", "scoring") for lead in warm
    ]
    assert [c.payload["score"] for c in crossings] == [lead.score for lead in warm]
    assert enrolled == {lead.id for lead in warm}
    assert warm[0].score_updated_at == clock.now()
    assert leads["nobody@plain.example"].score_updated_at is None
