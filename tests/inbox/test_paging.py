"""Paging equals the simple full query: windows, counts and searches on random inboxes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select

from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import Enrollment, Lead, LeadTag, Sequence, SequenceVersion, TeamMember
from leaddesk.inbox.paging import PagingCache, all_ids, count_matching, positions, window_ids
from leaddesk.inbox.query import InboxQuery, SortField, lead_ids_statement
from leaddesk.inbox.search import has_search_index

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
WORDS = ["", "anna", "Anna", "ANNA", "ben", "Bo", "zoe", "Ärger", "a b", "x"]
STATUSES = ["new", "nurturing", "customer"]
TIMES = [None, NOW - timedelta(days=3), NOW - timedelta(days=1), NOW]

leads = st.lists(
    st.fixed_dictionaries(
        {
            "first_name": st.sampled_from(WORDS),
            "last_name": st.sampled_from(WORDS),
            "company": st.sampled_from(WORDS),
            "title": st.sampled_from(WORDS),
            "source": st.sampled_from(WORDS),
            "score": st.sampled_from([0.0, 12.5, 50.0, 99.9]),
            "status": st.sampled_from(STATUSES),
            "owner": st.sampled_from([None, 0, 1, 2]),
            "last_activity_at": st.sampled_from(TIMES),
            "created_at": st.sampled_from(TIMES[1:]),
            "due": st.sampled_from(TIMES),
            "tag": st.sampled_from([None, "vip"]),
        }
    ),
    max_size=40,
)
queries = st.builds(
    InboxQuery,
    search=st.one_of(st.just(""), st.sampled_from(["a", "an", "b", "zo", "x anna"])),
    status=st.sampled_from([None, "nurturing"]),
    owner=st.sampled_from([None, "none"]),
    tag=st.sampled_from([None, "vip"]),
    sort=st.sampled_from(list(SortField)),
    descending=st.booleans(),
)


def _fill(db: Database, rows: list[dict[str, Any]]) -> None:
    with db.write() as session:
        for table in (Enrollment, LeadTag, Lead, SequenceVersion, Sequence, TeamMember):
            session.execute(delete(table))
        owners = [
            session.execute(
                insert(TeamMember).values(name=name, email=f"{name.lower()}@team.example")
            ).inserted_primary_key[0]
            for name in ("maya", "Tom", "ann")
        ]
        sequence = session.execute(
            insert(Sequence).values(name="Drip", status="active")
        ).inserted_primary_key[0]
        version = session.execute(
            insert(SequenceVersion).values(sequence_id=sequence, number=1, created_at=NOW)
        ).inserted_primary_key[0]
        for number, row in enumerate(rows):
            email = f"lead{number}@example.org"
            values = {k: v for k, v in row.items() if k not in ("owner", "due", "tag")}
            owner = None if row["owner"] is None else owners[row["owner"]]
            lead_id = session.execute(
                insert(Lead).values(
                    email=email, email_key=email, owner_id=owner, updated_at=NOW, **values
                )
            ).inserted_primary_key[0]
            if row["tag"]:
                session.execute(insert(LeadTag).values(lead_id=lead_id, tag=row["tag"]))
            if row["due"] is not None:
                session.execute(
                    insert(Enrollment).values(
                        lead_id=lead_id,
                        sequence_id=sequence,
                        version_id=version,
                        state="active",
                        enrolled_at=NOW,
                        next_due_at=row["due"],
                        origin="test",
                    )
                )


def _simple(db: Database, query: InboxQuery) -> list[int]:
    """The plain full query: every id in one SELECT, text sorted by ``lower()``."""
    with db.session() as session:
        statement = lead_ids_statement(query, now=NOW, use_index=has_search_index(session))
        return list(session.execute(statement).scalars())


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=leads, query=queries, sizes=st.lists(st.integers(1, 7), min_size=1, max_size=12))
def test_windows_join_up_to_the_full_query(
    db: Database, clock: FixedClock, rows: list[dict[str, Any]], query: InboxQuery, sizes: list[int]
) -> None:
    """Windows of any sizes, read in any order, join up to exactly the full query's ids."""
    _fill(db, rows)
    expected = _simple(db, query)
    cache = PagingCache()
    with db.session() as session:
        total = count_matching(session, query, now=NOW, cache=cache)
        assert total == len(expected)
        starts, offset = [], 0
        while offset < total:
            size = sizes[len(starts) % len(sizes)]
            starts.append((offset, size))
            offset += size
        found: dict[int, list[int]] = {}
        for start, size in reversed(starts):  # from the end first: the backwards reads
            found[start] = window_ids(
                session, query, now=NOW, offset=start, limit=size, total=total, cache=cache
            )
        joined = [lead for start, _ in starts for lead in found[start]]
        assert joined == expected
        assert all_ids(session, query, now=NOW, cache=PagingCache()) == expected


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=leads, query=queries, picks=st.sets(st.integers(0, 39), max_size=5))
def test_positions_find_selected_leads_where_the_full_query_lists_them(
    db: Database, clock: FixedClock, rows: list[dict[str, Any]], query: InboxQuery, picks: set[int]
) -> None:
    """A selection is found again at the rows where the full query lists each lead."""
    _fill(db, rows)
    expected = _simple(db, query)
    with db.session() as session:
        every = list(session.scalars(select(Lead.id)))
        chosen = {every[p] for p in picks if p < len(every)}
        found, listed = positions(session, query, chosen, now=NOW, cache=PagingCache())
    assert listed == expected
    assert found == {lead: row for row, lead in enumerate(expected) if lead in chosen}
