"""A big import pauses the search-index trigger and rebuilds the index: search still finds all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from leaddesk.cli import main
from leaddesk.db.bulk import BIG_LOAD_ROWS
from leaddesk.db.engine import Database
from leaddesk.inbox.search import matching_ids


def test_big_import_is_searchable_and_trigger_restored(
    db: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """After a 20k-row import every lead is in the search index and later edits still index."""
    rows = BIG_LOAD_ROWS
    lines = ["Email,First Name,Last Name,Company"]
    lines += [
        f"p{i}@firm{i % 97}.example,Person{i},Surname{i % 13},Firm {i % 97}" for i in range(rows)
    ]
    csv_path = tmp_path / "big.csv"
    csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["--db", str(db_path), "import", str(csv_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["imported"] == rows
    with db.write() as session:
        assert len(matching_ids(session, f"Person{rows - 1}")) == 1
        assert len(matching_ids(session, "Surname7")) == len(range(7, rows, 13))
        session.execute(text("INSERT INTO leads_fts(leads_fts) VALUES ('integrity-check')"))
        triggers = (
            session.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'leads'")
            )
            .scalars()
            .all()
        )
        assert "leads_fts_after_insert" in triggers
        session.execute(
            text(
                "INSERT INTO leads (email, email_key, first_name, last_name, company, title, "
                "phone, industry, company_size, country, city, timezone, source, status, "
                "email_state, custom_fields, score, fit_score, engagement_score, score_band, "
                "created_at, updated_at) VALUES ('z@z.example', 'z@z.example', 'Zebulon', '', "
                "'', '', '', '', '', '', '', '', '', 'new', 'ok', '{}', 0, 0, 0, 'cold', "
                "'2026-01-01', '2026-01-01')"
            )
        )
        assert len(matching_ids(session, "Zebulon")) == 1
