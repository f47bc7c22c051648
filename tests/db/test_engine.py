"""SQLite connection settings and database URL resolution."""

from __future__ import annotations

from pathlib import Path

import pytest

from leaddesk.db.engine import Database, resolve_database_url


def test_pragmas_on_a_real_file(db: Database, db_path: Path) -> None:
    """Every connection runs WAL, foreign keys, synchronous=FULL and a busy timeout >= 5 s."""
    with db.engine.connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("synchronous") == 2
        assert pragma("busy_timeout") >= 5000
    assert db_path.exists()
    assert Path(f"{db_path}-wal").exists()


def test_foreign_keys_are_enforced(db: Database) -> None:
    """A row pointing at a missing lead is refused by the database itself."""
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), db.session() as session:
        session.connection().exec_driver_sql(
            "INSERT INTO lead_tags (lead_id, tag) VALUES (999, 'ghost')"
        )


def test_url_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--db wins over LEADDESK_DB, which wins over the default; postgres gets psycopg."""
    monkeypatch.setenv("LEADDESK_DB", str(tmp_path / "env.sqlite3"))
    assert resolve_database_url(str(tmp_path / "arg.sqlite3")).endswith("arg.sqlite3")
    assert resolve_database_url(None).endswith("env.sqlite3")
    monkeypatch.delenv("LEADDESK_DB")
    assert resolve_database_url(None).endswith("leaddesk.sqlite3")
    url = resolve_database_url("postgresql://u:p@localhost/leads")
    assert url.startswith("postgresql+psycopg://")


def test_write_session_takes_the_lock_up_front(db: Database) -> None:
    """A write session holds SQLite's write lock from its first statement."""
    with db.write() as session:
        session.connection().exec_driver_sql("SELECT 1")
        other = Database(db.url)
        with pytest.raises(Exception, match="locked"), other.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA busy_timeout=50")
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        other.dispose()
