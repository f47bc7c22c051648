"""Team mode: the inbox query, search fallback, edits and forget on a real PostgreSQL server."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from leaddesk.clock import FixedClock
from leaddesk.db import migrate
from leaddesk.db.models import Activity, Lead, Suppression
from leaddesk.inbox.bulk import set_status
from leaddesk.inbox.export import export_leads
from leaddesk.inbox.forget import forget_person
from leaddesk.inbox.query import InboxQuery, query_lead_ids
from leaddesk.inbox.rows import fetch_rows
from tests.inbox.sample_inbox import build_sample_inbox
from tests.support.postgres import postgres_server


def test_inbox_on_postgres(clock: FixedClock, tmp_path: Path) -> None:
    """Search (ILIKE), filters, sorts, bulk edits, export and forget work on PostgreSQL."""
    with postgres_server() as url:
        db = migrate.open_database(url)
        inbox = build_sample_inbox(db, clock)
        now = clock.now()

        def ids(**spec: object) -> list[int]:
            with db.session() as session:
                return query_lead_ids(session, InboxQuery(**spec), now=now)  # type: ignore[arg-type]

        assert ids() == [inbox.anna, inbox.ben, inbox.david, inbox.clara]
        assert ids(search="KESTR") == [inbox.ben]
        assert ids(search="anna northwind") == [inbox.anna]
        assert ids(search="100%_") == []
        assert ids(status="nurturing", sort="name", descending=True) == [inbox.david, inbox.ben]
        assert ids(owner="none") == [inbox.clara]
        assert ids(tag="vip") == [inbox.anna]
        assert ids(sequence_state="none") == [inbox.anna, inbox.david, inbox.clara]
        assert ids(needs_attention=True) == [inbox.anna, inbox.david, inbox.clara]
        assert ids(sort="next_step", descending=False)[0] == inbox.ben
        assert ids(sort="owner", descending=False)[:2] == [inbox.anna, inbox.ben]
        with db.session() as session:
            assert (
                fetch_rows(session, [inbox.ben])[inbox.ben].next_sequence == "Tradeshow follow-up"
            )
        with db.write() as session:
            assert set_status(session, [inbox.clara], "disqualified", now=now) == 1
        with db.session() as session:
            assert export_leads(session, ids(), tmp_path / "all.csv") == 4
        report = forget_person(db, "ben.bauer@kestrel.example")
        assert report.leads == 1
        with db.session() as session:
            assert session.scalar(select(func.count()).select_from(Lead)) == 3
            assert session.scalar(select(func.count()).where(Activity.lead_id == inbox.ben)) == 0
            assert session.scalar(select(Suppression.email_key)) is None
        db.dispose()
