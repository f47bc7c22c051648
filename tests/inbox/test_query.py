"""The inbox query: search, each filter, sorting, and the search index staying in step."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import Activity, Lead
from leaddesk.inbox.query import InboxQuery, count_leads, lead_ids_statement, query_lead_ids
from tests.inbox.sample_inbox import Inbox, make_lead


def ids(db: Database, clock: FixedClock, **spec: object) -> list[int]:
    with db.session() as session:
        return query_lead_ids(session, InboxQuery(**spec), now=clock.now())  # type: ignore[arg-type]


def test_default_order_is_score_high_to_low(db: Database, clock: FixedClock, inbox: Inbox) -> None:
    """With no filter every lead is listed, the highest score first."""
    assert ids(db, clock) == [inbox.anna, inbox.ben, inbox.david, inbox.clara]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ann", ["anna"]),
        ("ANDERSEN", ["anna"]),
        ("kestrel", ["ben"]),
        ("ben.bauer@kes", ["ben"]),
        ("harbor.example", ["david"]),
        ("intern", ["clara"]),
        ("c", ["ben", "david", "clara"]),
        ("anna northwind", ["anna"]),
        ("anna kestrel", []),
        ('"OR -:*', []),
    ],
)
def test_search_as_you_type(
    db: Database, clock: FixedClock, inbox: Inbox, text: str, expected: list[str]
) -> None:
    """Typed words match the start of words in name, email, company or title."""
    found = ids(db, clock, search=text)
    assert found == [getattr(inbox, name) for name in expected]


def test_search_without_index_finds_the_same(db: Database, clock: FixedClock, inbox: Inbox) -> None:
    """The ILIKE fallback (PostgreSQL) finds what the FTS index finds for whole words."""
    for text in ("anna", "kestrel", "ben.bauer", "cfo", "dubois harbor"):
        with db.session() as session:
            indexed = (
                session.execute(
                    lead_ids_statement(InboxQuery(search=text), now=clock.now(), use_index=True)
                )
                .scalars()
                .all()
            )
            plain = (
                session.execute(
                    lead_ids_statement(InboxQuery(search=text), now=clock.now(), use_index=False)
                )
                .scalars()
                .all()
            )
        assert indexed == plain and indexed


def test_search_index_follows_edits_and_deletes(
    db: Database, clock: FixedClock, inbox: Inbox
) -> None:
    """A renamed lead is found by its new name only; a deleted lead is not found at all."""
    with db.write() as session:
        session.execute(update(Lead).where(Lead.id == inbox.clara).values(title="Founder"))
        new = make_lead(session, "eve@example.org", first_name="Evelyn")
        session.execute(Lead.__table__.delete().where(Lead.id == inbox.david))
    assert ids(db, clock, search="founder") == [inbox.clara]
    assert ids(db, clock, search="intern") == []
    assert ids(db, clock, search="evel") == [new]
    assert ids(db, clock, search="dubois") == []


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"status": "nurturing"}, ["ben", "david"]),
        ({"band": "cold"}, ["david", "clara"]),
        ({"source": "CloudOps Expo"}, ["anna", "ben"]),
        ({"tag": "vip"}, ["anna"]),
        ({"tag": "expo"}, ["anna", "ben"]),
        ({"sequence_state": "active"}, ["ben"]),
        ({"sequence_state": "none"}, ["anna", "david", "clara"]),
        ({"needs_attention": True}, ["anna", "david", "clara"]),
        ({"status": "nurturing", "search": "dav"}, ["david"]),
    ],
)
def test_each_filter(
    db: Database, clock: FixedClock, inbox: Inbox, spec: dict[str, object], expected: list[str]
) -> None:
    """Each filter keeps exactly the leads it describes, still sorted by score."""
    assert ids(db, clock, **spec) == [getattr(inbox, name) for name in expected]
    with db.session() as session:
        assert count_leads(session, InboxQuery(**spec), now=clock.now()) == len(expected)  # type: ignore[arg-type]


def test_owner_filter(db: Database, clock: FixedClock, inbox: Inbox) -> None:
    """Filtering by owner lists that member's leads; "none" lists unassigned leads."""
    assert ids(db, clock, owner=inbox.tom) == [inbox.ben, inbox.david]
    assert ids(db, clock, owner="none") == [inbox.clara]


def test_reply_stops_needing_attention_once_answered(
    db: Database, clock: FixedClock, inbox: Inbox
) -> None:
    """A reply needs attention until a user logs something after it (or it is 14 days old)."""
    with db.write() as session:
        session.add(
            Activity(lead_id=inbox.clara, kind="call", occurred_at=clock.now(), origin="user")
        )
    assert inbox.clara not in ids(db, clock, needs_attention=True)


@pytest.mark.parametrize(
    ("sort", "descending", "expected"),
    [
        ("name", False, ["anna", "ben", "clara", "david"]),
        ("company", False, ["clara", "david", "ben", "anna"]),
        ("score", False, ["clara", "david", "ben", "anna"]),
        ("owner", False, ["anna", "ben", "david", "clara"]),
        ("next_step", False, ["ben", "anna", "clara", "david"]),
        ("email", True, ["david", "clara", "ben", "anna"]),
    ],
)
def test_sorting(
    db: Database,
    clock: FixedClock,
    inbox: Inbox,
    sort: str,
    descending: bool,
    expected: list[str],
) -> None:
    """Sorting runs in SQL on any column; empty owners and next steps come last."""
    order = ids(db, clock, sort=sort, descending=descending)
    if sort in ("owner", "next_step"):
        head = [getattr(inbox, n) for n in expected[: 2 if sort == "owner" else 1]]
        assert order[: len(head)] == head
        assert order[-1] == getattr(inbox, expected[-1]) or sort == "next_step"
    else:
        assert order == [getattr(inbox, name) for name in expected]


def test_unknown_values_are_refused() -> None:
    """A typo in a sort field, status or sequence state is an error, not an empty list."""
    with pytest.raises(ValueError, match="sort field"):
        InboxQuery(sort="colour").validate()
    with pytest.raises(ValueError, match="status"):
        InboxQuery(status="hot").validate()


def test_query_round_trips_through_a_dict() -> None:
    """A query saved as JSON comes back equal (unknown keys are ignored)."""
    query = InboxQuery(search="x", owner="none", tag="vip", sort="name", descending=False)
    assert InboxQuery.from_dict({**query.to_dict(), "later_field": 1}) == query
    assert query.with_changes(tag=None).tag is None
    assert timedelta(0) == timedelta(0)
