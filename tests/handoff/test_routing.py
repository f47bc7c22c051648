"""Assignment rules: first match wins, pools share by load and capacity, owners are kept."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import Handoff, TeamMember
from leaddesk.handoff.routing import (
    AssignmentRule,
    Condition,
    RoutingConfig,
    RoutingError,
    export_document,
    load_routing,
    preview_assignments,
    read_document,
    save_routing,
)
from leaddesk.handoff.service import hand_off
from leaddesk.handoff.team import MemberValues, TeamError, add_member, edit_member
from tests.handoff.conftest import new_lead


def _owner(db: Database, clock: FixedClock, email: str, **fields: object) -> str:
    with db.write() as session:
        lead = new_lead(session, email, **fields)
        result = hand_off(session, lead, trigger="threshold", now=clock.now())
        assert result is not None
        return result.owner_name


def test_country_rule_then_round_robin(
    db: Database, team: dict[str, int], clock: FixedClock
) -> None:
    """A German lead goes to Tom by rule; others to the rep with fewer open, then longest idle."""
    assert _owner(db, clock, "de@acme.example") == "Tom Okoro"
    owners = [_owner(db, clock, f"us{n}@acme.example", country="United States") for n in range(4)]
    assert owners == ["Sofia Reyes", "Tom Okoro", "Sofia Reyes", "Tom Okoro"]


def test_capacity_skips_a_full_rep(db: Database, team: dict[str, int], clock: FixedClock) -> None:
    """With Tom at his capacity of 1, the next German lead goes to the default pool's Sofia."""
    with db.write() as session:
        edit_member(session, session.get_one(TeamMember, team["tom"]), MemberValues(capacity=1))
    assert _owner(db, clock, "de1@acme.example") == "Tom Okoro"
    assert _owner(db, clock, "de2@acme.example") == "Sofia Reyes"


def test_a_lead_keeps_its_active_sales_owner(
    db: Database, team: dict[str, int], clock: FixedClock
) -> None:
    """A German lead Sofia already owns stays with Sofia."""
    assert _owner(db, clock, "de@acme.example", owner_id=team["sofia"]) == "Sofia Reyes"


def test_conditions_on_tags_band_and_custom_fields(
    db: Database, team: dict[str, int], clock: FixedClock
) -> None:
    """Rules can test the score band and a custom field; all conditions must hold."""
    with db.write() as session:
        rule = AssignmentRule(
            "Key accounts",
            (
                Condition("custom:Tier", "equals", "Gold"),
                Condition("industry", "in_list", "Logistics, Retail"),
            ),
            (team["maya"],),
        )
        save_routing(session, RoutingConfig((rule,), ()))
    assert _owner(db, clock, "gold@acme.example", custom_fields={"Tier": "gold"}) == "Maya Lindgren"
    assert _owner(db, clock, "silver@acme.example", custom_fields={"Tier": "Silver"}) != (
        "Maya Lindgren"
    )


def test_bad_rules_are_refused_and_nothing_changes(db: Database, team: dict[str, int]) -> None:
    """An inactive member, nobody, an unknown field or a missing value each say what is wrong."""
    with db.write() as session:
        session.get_one(TeamMember, team["sofia"]).active = False
    cases = [
        (AssignmentRule("US", (), (team["sofia"],)), "inactive"),
        (AssignmentRule("Nobody", (), ()), "nobody"),
        (AssignmentRule("Odd", (Condition("shoe_size", "equals", "9"),), (team["tom"],)), "field"),
        (AssignmentRule("Empty", (Condition("country", "equals", " "),), (team["tom"],)), "value"),
    ]
    for rule, message in cases:
        with db.write() as session, pytest.raises(RoutingError, match=message):
            save_routing(session, RoutingConfig((rule,), ()))
    with db.session() as session:
        assert [r.name for r in load_routing(session).rules] == ["DACH"]


def test_rules_round_trip_through_a_document(db: Database, team: dict[str, int]) -> None:
    """Export names members by email; importing that file gives the same rules."""
    with db.session() as session:
        config = load_routing(session)
        document = export_document(session, config)
        assert document["rules"][0]["assign_to"] == ["tom@team.example"]
        assert read_document(session, document) == config
        with pytest.raises(RoutingError, match="not a LeadDesk"):
            read_document(session, {"rules": []})


def test_preview_shows_who_gets_the_next_leads_and_writes_nothing(
    db: Database, team: dict[str, int], clock: FixedClock
) -> None:
    """The preview lists leads with their would-be rep and counts, without a hand-off."""
    with db.write() as session:
        for n in range(3):
            new_lead(session, f"de{n}@acme.example", score=90 - n)
        new_lead(session, "us@acme.example", country="Canada", score=50)
    with db.session() as session:
        rows, counts = preview_assignments(session, load_routing(session), clock.now())
        assert session.scalar(select(func.count(Handoff.id))) == 0
    assert [r.member for r in rows] == ["Tom Okoro"] * 3 + ["Sofia Reyes"]
    assert counts == {"Tom Okoro": 3, "Sofia Reyes": 1}


def test_with_no_reps_nobody_is_chosen_and_the_handoff_waits(
    db: Database, clock: FixedClock
) -> None:
    """A team with only marketing leaves the hand-off unassigned (status stays sales-ready)."""
    with db.write() as session:
        add_member(session, "Mia Marketing", "mia@team.example", role="marketing")
        lead = new_lead(session, "de@acme.example")
        result = hand_off(session, lead, trigger="threshold", now=clock.now())
        assert result is not None and result.owner_id is None
        assert lead.status == "sales_ready"


def test_marketing_never_gets_leads(db: Database, team: dict[str, int], clock: FixedClock) -> None:
    """A rule naming a marketing member is refused; a rep with open hand-offs keeps the role."""
    with db.write() as session:
        mia = add_member(session, "Mia Marketing", "mia@team.example", role="marketing")
        with pytest.raises(RoutingError, match="works in marketing"):
            save_routing(session, RoutingConfig((), (mia.id,)))
    assert _owner(db, clock, "de@acme.example") == "Tom Okoro"
    with db.write() as session, pytest.raises(TeamError, match="move them first"):
        tom = session.get_one(TeamMember, team["tom"])
        edit_member(session, tom, MemberValues(role="marketing"))
