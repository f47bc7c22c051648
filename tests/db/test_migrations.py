"""Migrations: empty → head, down and up again, and no drift between ORM and schema."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from leaddesk.db import migrate
from leaddesk.db.engine import Database
from leaddesk.db.migrations.env_filters import include_name
from leaddesk.db.models import Base


def test_upgrade_empty_database_to_head(tmp_path: Path) -> None:
    """A brand-new file is migrated to the newest revision with every table present."""
    db = Database(str(tmp_path / "new.sqlite3"))
    backup = migrate.upgrade(db)
    assert backup is None
    assert migrate.current_revision(db) == migrate.head_revision()
    assert set(Base.metadata.tables) <= set(inspect(db.engine).get_table_names())


def test_downgrade_and_upgrade_again(db: Database) -> None:
    """Downgrading to base empties the schema and upgrading restores it."""
    migrate.downgrade(db, "base")
    assert migrate.current_revision(db) is None
    assert "leads" not in inspect(db.engine).get_table_names()
    migrate.upgrade(db)
    assert migrate.current_revision(db) == migrate.head_revision()


def test_orm_matches_migrated_schema(db: Database) -> None:
    """Autogenerate finds nothing to change: the models and the migrations agree."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "render_as_batch": True,
                "include_name": include_name,
            },
        )
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_backup_taken_before_migrating_existing_file(tmp_path: Path) -> None:
    """A file that holds data and is behind head is copied with the backup API first."""
    path = tmp_path / "old.sqlite3"
    db = Database(str(path))
    with db.engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE notes_from_before (x INTEGER)")
        connection.exec_driver_sql("INSERT INTO notes_from_before VALUES (42)")
    backup = migrate.upgrade(db, backup_dir=tmp_path / "backups")
    assert backup is not None and backup.parent == tmp_path / "backups"
    with sqlite3.connect(backup) as copy:
        assert copy.execute("SELECT x FROM notes_from_before").fetchall() == [(42,)]
    copy.close()
    assert migrate.current_revision(db) == migrate.head_revision()
    assert migrate.upgrade(db, backup_dir=tmp_path / "backups") is None


def test_quick_head_check_agrees_with_alembic(tmp_path: Path, db: Database) -> None:
    """The head found by scanning the migration files is Alembic's; only head counts as current."""
    assert migrate.scanned_head() == migrate.head_revision()
    assert migrate.at_head(db)
    assert not migrate.at_head(Database(str(tmp_path / "empty.sqlite3")))
    migrate.downgrade(db, "base")
    assert not migrate.at_head(db)


def test_opening_a_current_database_skips_alembic(db: Database, db_path: Path) -> None:
    """Opening a database already at head (every CLI command does) does not load Alembic."""
    import subprocess
    import sys

    code = (
        "import sys; from leaddesk.db.migrate import open_database; "
        f"open_database({str(db_path)!r}); print('alembic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_handoff_migration_keeps_every_link(tmp_path: Path) -> None:
    """0004 copies the outbox table with foreign keys off: owners, replies and roles survive."""
    db = Database(str(tmp_path / "old.sqlite3"))
    migrate.upgrade(db, revision="0003_lighter_indexes")
    with db.engine.begin() as connection:
        run = connection.exec_driver_sql
        run("INSERT INTO team_members (id, name, email, role, active, created_at, updated_at) "
            "VALUES (1, 'Tom', 'tom@x.example', 'rep', 1, '2026-01-01', '2026-01-01'), "
            "(2, 'Maya', 'maya@x.example', 'admin', 1, '2026-01-01', '2026-01-01')")  # fmt: skip
        run("INSERT INTO leads (id, email, email_key, first_name, last_name, company, title, "
            "phone, industry, company_size, country, city, timezone, source, owner_id, status, "
            "email_state, custom_fields, score, fit_score, engagement_score, score_band, "
            "created_at, updated_at) VALUES (1, 'a@x.example', 'a@x.example', '', '', '', '', "
            "'', '', '', '', '', '', '', 1, 'new', 'ok', '{}', 0, 0, 0, 'cold', '2026-01-01', "
            "'2026-01-01')")  # fmt: skip
        run("INSERT INTO sender_accounts (id, name, from_address, display_name, reply_to, "
            "provider, smtp_host, smtp_port, smtp_security, smtp_username, pause_reason, "
            "unsubscribe_mailto, unsubscribe_url, imap_host, imap_port, imap_security, "
            "imap_username, imap_folders, sent_folder, poll_minutes, last_sync_error, "
            "created_at, updated_at) VALUES (1, 'S', 's@x.example', '', '', 'custom', '', 587, "
            "'starttls', '', '', '', '', '', 993, 'ssl', '', '[]', 'Sent', 5, '', '2026-01-01', "
            "'2026-01-01')")  # fmt: skip
        run("INSERT INTO outbound_messages (id, lead_id, account_id, message_id, to_address, "
            "subject, unsubscribe_token, state, attempts, last_error, due_at, finished_reason, "
            "rendered, created_at, updated_at) VALUES (7, 1, 1, '<m@x>', 'a@x.example', 'Hi', "
            "'t', 'sent', 1, '', '2026-01-01', '', '{}', '2026-01-01', '2026-01-01')")  # fmt: skip
        run("INSERT INTO inbound_messages (id, account_id, fingerprint, folder, classification, "
            "lead_id, outbound_id, subject, processed_at) VALUES (1, 1, 'f', 'INBOX', 'reply', "
            "1, 7, 'Re: Hi', '2026-01-02')")  # fmt: skip
    migrate.upgrade(db)
    with db.engine.connect() as connection:
        run = connection.exec_driver_sql
        assert run("SELECT outbound_id FROM inbound_messages").scalar() == 7
        assert run("SELECT owner_id FROM leads").scalar() == 1
        assert run("SELECT purpose FROM outbound_messages").scalar() == "lead"
        roles = dict(run("SELECT name, role FROM team_members").all())
        assert roles == {"Tom": "sales_rep", "Maya": "sales_manager"}
        assert run("PRAGMA foreign_keys").scalar() == 1


def test_keyed_hash_migration_keeps_every_suppression_matching(tmp_path: Path) -> None:
    """Upgrading re-hashes kept addresses by mailbox with the new secret, merges two rows of
    one mailbox, and still matches a person forgotten under the old plain hash."""
    import hashlib

    from sqlalchemy import text

    from leaddesk.leads.suppression import suppressed_among

    db = Database(str(tmp_path / "old.sqlite3"))
    migrate.upgrade(db, revision="0008_outbox_handed_at")
    plain = {a: hashlib.sha256(a.encode()).hexdigest() for a in ("a@x.example", "a+b@x.example")}
    forgotten = hashlib.sha256(b"gone@x.example").hexdigest()
    with db.engine.begin() as connection:
        for address, digest in plain.items():
            connection.execute(
                text(
                    "INSERT INTO suppressions (email_key, email_hash, reason, note, created_at)"
                    " VALUES (:k, :h, 'unsubscribed', '', '2026-01-01 00:00:00')"
                ),
                {"k": address, "h": digest},
            )
        connection.execute(
            text(
                "INSERT INTO suppressions (email_key, email_hash, reason, note, created_at)"
                " VALUES (NULL, :h, 'forgotten', '', '2026-01-01 00:00:00')"
            ),
            {"h": forgotten},
        )
    migrate.upgrade(db)
    with db.session() as session:
        hashes = set(session.scalars(text("SELECT email_hash FROM suppressions")))
        assert len(hashes) == 2 and forgotten in hashes and not hashes & set(plain.values())
        found = suppressed_among(session, ["a+new@x.example", "gone@x.example", "c@x.example"])
    assert found == {"a+new@x.example", "gone@x.example"}
    db.dispose()
