"""The team: members are validated, "me" is the first one added, nobody's leads are orphaned."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import Handoff, Lead, TeamMember
from leaddesk.handoff.identity import adopt_if_unset, current_member, my_email, set_me
from leaddesk.handoff.routing import RoutingConfig, save_routing
from leaddesk.handoff.service import hand_off
from leaddesk.handoff.team import (
    MemberValues,
    TeamError,
    add_member,
    deactivate_member,
    edit_member,
    find_member,
    list_members,
    remove_member,
)
from tests.handoff.conftest import new_lead


def test_members_are_validated(db: Database) -> None:
    """A bad email, a duplicate, an unknown role or zone, and odd hours are refused."""
    with db.write() as session:
        add_member(session, "Tom", "tom@team.example")
        for kwargs, message in (
            ({"email": "not-an-email"}, "not a valid email"),
            ({"email": "TOM@team.example"}, "already uses"),
            ({"email": "x@team.example", "role": "cfo"}, "unknown role"),
            ({"email": "x@team.example", "timezone": "Moon/Base"}, "unknown time zone"),
            ({"email": "x@team.example", "work_start": "18:00"}, "end after it starts"),
            ({"email": "x@team.example", "capacity": 0}, "capacity"),
        ):
            with pytest.raises(TeamError, match=message):
                add_member(session, "Someone", **kwargs)  # type: ignore[arg-type]
    with db.session() as session:
        assert [m.name for m in list_members(session)] == ["Tom"]


def test_edit_changes_only_what_is_given(db: Database) -> None:
    """Editing a member's hours keeps their name, email and role."""
    with db.write() as session:
        member = add_member(session, "Tom Okoro", "tom@team.example", timezone="Europe/Berlin")
        edit_member(session, member, MemberValues(work_days="mon-thu", work_end="16:30"))
        info = list_members(session)[0]
    assert (info.name, info.email, info.role) == ("Tom Okoro", "tom@team.example", "sales_rep")
    assert info.hours_label == "mon, tue, wed, thu 09:00–16:30 (Europe/Berlin)"


def test_first_member_added_is_me_and_later_ones_are_not(db: Database) -> None:
    """adopt_if_unset makes the first person "me" on this database and leaves it after that."""
    with db.write() as session:
        first = add_member(session, "Ana", "ana@team.example")
        second = add_member(session, "Ben", "ben@team.example")
        assert adopt_if_unset(db, first.email) is True
        assert adopt_if_unset(db, second.email) is False
        assert current_member(session, db) is first
    set_me(db, "ben@team.example")
    assert my_email(db) == "ben@team.example"


def test_me_can_be_overridden_per_process(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """LEADDESK_ME names the member for one process (a rep's cron job on a shared database)."""
    set_me(db, "ana@team.example")
    monkeypatch.setenv("LEADDESK_ME", "Ben@Team.example")
    assert my_email(db) == "ben@team.example"


def test_deactivating_a_member_with_open_handoffs_asks_where_they_go(
    db: Database, team: dict[str, int], clock: FixedClock
) -> None:
    """Without a destination nothing changes; with one, every open hand-off moves there."""
    with db.write() as session:
        for n in range(3):
            hand_off(session, new_lead(session, f"lead{n}@acme.example"), trigger="threshold",
                     now=clock.now())  # fmt: skip
    with db.write() as session:
        tom = session.get_one(TeamMember, team["tom"])
        with pytest.raises(TeamError, match="has 3 open hand-offs"):
            deactivate_member(session, tom, now=clock.now())
    with db.write() as session:
        tom = session.get_one(TeamMember, team["tom"])
        assert tom.active
        sofia = session.get_one(TeamMember, team["sofia"])
        handover = deactivate_member(session, tom, reassign_to=sofia, now=clock.now())
    assert handover.moved_to == {"Sofia Reyes": 3}
    assert handover.rules == ("DACH", "the default pool")  # the user is told to edit them
    with db.session() as session:
        assert set(session.scalars(select(Handoff.owner_id))) == {team["sofia"]}
        assert set(session.scalars(select(Lead.owner_id))) == {team["sofia"]}
        assert not session.get_one(TeamMember, team["tom"]).active


def test_deactivating_by_the_rules_never_picks_the_leaver(
    db: Database, team: dict[str, int], clock: FixedClock
) -> None:
    """ "By the rules" moves a German lead off Tom to the default pool's other rep."""
    with db.write() as session:
        hand_off(session, new_lead(session, "anna@acme.example"), trigger="threshold",
                 now=clock.now())  # fmt: skip
        tom = session.get_one(TeamMember, team["tom"])
        handover = deactivate_member(session, tom, automatic=True, now=clock.now())
    assert handover.moved_to == {"Sofia Reyes": 1}


def test_a_member_named_in_a_rule_cannot_be_removed(
    db: Database, team: dict[str, int], clock: FixedClock
) -> None:
    """Removing Tom while the DACH rule names him is refused and says which rule."""
    with db.write() as session:
        tom = session.get_one(TeamMember, team["tom"])
        with pytest.raises(TeamError, match="'DACH'"):
            remove_member(session, tom, now=clock.now())
    with db.write() as session:
        save_routing(session, RoutingConfig((), (team["sofia"],)))
        tom = session.get_one(TeamMember, team["tom"])
        lead = new_lead(session, "owned@acme.example", owner_id=tom.id)
        handover = remove_member(session, tom, now=clock.now())
        assert handover.leads_unowned == 1
        assert session.get_one(Lead, lead.id).owner_id is None


def test_members_are_found_by_id_email_or_name(db: Database, team: dict[str, int]) -> None:
    """find_member takes an id, an email in any case, or a name; unknown ones get a hint."""
    with db.session() as session:
        assert find_member(session, str(team["tom"])).name == "Tom Okoro"
        assert find_member(session, "SOFIA@team.example").name == "Sofia Reyes"
        assert find_member(session, "maya lindgren").name == "Maya Lindgren"
        with pytest.raises(TeamError, match="team list"):
            find_member(session, "nobody")
