"""Bring a database to the newest schema, after backing up the SQLite file."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from leaddesk.db.engine import Database

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    """An Alembic configuration pointing at LeadDesk's bundled migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """The newest migration this version of LeadDesk knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("no migrations found")
    return head


def current_revision(db: Database) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def backup_sqlite(source: Path, destination_dir: Path, label: str) -> Path:
    """Copy a live SQLite database with SQLite's online backup API; returns the copy's path."""
    destination_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = destination_dir / f"{source.stem}-{label}-{stamp}.sqlite3"
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()
    return target


def upgrade(db: Database, *, backup_dir: Path | None = None, revision: str = "head") -> Path | None:
    """Migrate ``db`` to ``revision``; returns the backup taken first, if any.

    A backup is taken only for an existing SQLite database that holds tables and is behind:
    a new, empty database has nothing to lose.
    """
    current = current_revision(db)
    target = head_revision() if revision == "head" else revision
    if current == target:
        return None
    backup: Path | None = None
    if db.path is not None and db.path.exists() and _has_tables(db):
        folder = backup_dir or db.path.parent / "backups"
        backup = backup_sqlite(db.path, folder, f"before-{target}")
        log.info("backed up %s to %s before migrating", db.path, backup)
    _run(db, lambda cfg: command.upgrade(cfg, revision))
    log.info("database %s migrated from %s to %s", db.describe(), current, target)
    return backup


def _has_tables(db: Database) -> bool:
    with db.engine.connect() as connection:
        return bool(inspect(connection).get_table_names())


def downgrade(db: Database, revision: str) -> None:
    """Migrate ``db`` back to ``revision`` (``base`` empties it); used by tests and support."""
    _run(db, lambda cfg: command.downgrade(cfg, revision))


def _run(db: Database, action: object) -> None:
    config = alembic_config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        action(config)  # type: ignore[operator]


def open_database(url: str | None = None, *, backup_dir: Path | None = None) -> Database:
    """Open the database named by ``url``/``LEADDESK_DB``/the default and migrate it to head."""
    from leaddesk.paths import backup_dir as default_backup_dir

    db = Database(url)
    upgrade(db, backup_dir=backup_dir or (default_backup_dir() if db.path else None))
    return db
