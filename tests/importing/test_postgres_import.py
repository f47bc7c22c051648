"""Team mode: the same import, re-import and undo on a real PostgreSQL server."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from leaddesk.clock import FixedClock
from leaddesk.db import migrate
from leaddesk.db.models import Activity, Lead
from leaddesk.importing import ImportOptions, open_import, run_import, undo_batch
from tests.support.postgres import postgres_server


def test_import_reimport_and_undo_on_postgres(tmp_path: Path, clock: FixedClock) -> None:
    """Bulk inserts, JSON custom fields, activities and undo work on PostgreSQL as on SQLite."""
    path = tmp_path / "l.csv"
    rows = "".join(f"p{i}@example.com,P{i} Last,Booth {i % 3}\n" for i in range(300))
    path.write_text("Email,Name,Booth\n" + rows + "P1@EXAMPLE.com,,\n", encoding="utf-8")
    with postgres_server() as url:
        db = migrate.open_database(url)
        table, mapping = open_import(db, path, source="Expo")
        options = ImportOptions(source="Expo", tags=("expo",))
        first = run_import(db, table, mapping, options, now=clock.now())
        assert (first.counts["imported"], first.counts["merged"]) == (300, 1)
        again = run_import(db, table, mapping, options, now=clock.now())
        assert again.counts["imported"] == 0 and again.counts["updated"] == 0
        with db.session() as session:
            lead = session.scalar(select(Lead).where(Lead.email_key == "p1@example.com"))
            assert lead is not None and lead.custom_fields == {"Booth": "Booth 1"}
            assert lead.last_activity_at == clock.now()
            assert session.scalar(select(func.count(Activity.id))) == 300
        with db.write() as session:
            assert undo_batch(session, first.batch_id or 0, clock.now()).removed == 300
        with db.session() as session:
            assert session.scalar(select(func.count(Lead.id))) == 0
        db.dispose()
