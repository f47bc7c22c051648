"""Bring a database to the newest schema, after backing up the SQLite file.

Alembic is imported only when a database is behind (or the quick check cannot tell): opening a
database that is already at head reads ``alembic_version`` and compares it with the head found
by scanning the migration files, which keeps every command's start-up short.
"""

from __future__ import annotations

import ast
import logging
import sqlite3
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from leaddesk.db.engine import Database
from leaddesk.errors import SchemaError

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    """An Alembic configuration pointing at LeadDesk's bundled migrations."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """The newest migration this version of LeadDesk knows."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("no migrations found")
    return head


def current_revision(db: Database) -> str | None:
    """The revision the database is at, or None for an empty database (read directly from
    Alembic's ``alembic_version`` table: no Alembic import, so ``leaddesk info`` stays quick)."""
    with db.engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
        found = list(versions)
    if len(found) > 1:  # branches: LeadDesk has none, but say so rather than pick one
        raise SchemaError(f"{db.describe()} has several schema heads: {', '.join(found)}")
    return found[0] if found else None


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
    from alembic import command

    _run(db, lambda cfg: command.upgrade(cfg, revision))
    log.info("database %s migrated from %s to %s", db.describe(), current, target)
    return backup


def _has_tables(db: Database) -> bool:
    with db.engine.connect() as connection:
        return bool(inspect(connection).get_table_names())


def downgrade(db: Database, revision: str) -> None:
    """Migrate ``db`` back to ``revision`` (``base`` empties it); used by tests and support."""
    from alembic import command

    _run(db, lambda cfg: command.downgrade(cfg, revision))


def _run(db: Database, action: object) -> None:
    """Run a migration in one transaction.

    On SQLite foreign keys are switched off for the migration (they can only be switched
    outside a transaction), as SQLite's documented way of changing a table requires: copying a
    table and dropping the old one would otherwise fire the ``ON DELETE`` actions of every table
    that references it. Before committing, ``foreign_key_check`` must find nothing broken.
    """
    config = alembic_config()
    with db.engine.connect() as connection:
        raw = connection.connection.driver_connection if db.is_sqlite else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                action(config)  # type: ignore[operator]
                if raw is not None:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


def open_database(url: str | None = None, *, backup_dir: Path | None = None) -> Database:
    """Open the database named by ``url``/``LEADDESK_DB``/the default and migrate it to head."""
    from leaddesk.paths import backup_dir as default_backup_dir

    db = Database(url)
    if at_head(db):
        return db
    try:
        _check_known(db)
        upgrade(db, backup_dir=backup_dir or (default_backup_dir() if db.path else None))
    except DBAPIError as error:
        db.dispose()
        if db.is_sqlite or not _lacks_privilege(error):
            raise
        raise SchemaError(
            f"{db.describe()} needs its schema upgraded for this version of LeadDesk, and "
            "this database user may not change the schema. Ask the person whose database "
            "user owns the LeadDesk tables to open LeadDesk (or run `leaddesk info`) once: "
            "that upgrades it for everyone."
        ) from error
    except BaseException:
        db.dispose()
        raise
    return db


def _check_known(db: Database) -> None:
    """Refuse a database upgraded by a newer LeadDesk (its revision is unknown here)."""
    from alembic.script import ScriptDirectory

    current = current_revision(db)
    if current is None:
        return
    script = ScriptDirectory.from_config(alembic_config())
    if current not in {rev.revision for rev in script.walk_revisions()}:
        raise SchemaError(
            f"{db.describe()} was upgraded by a newer version of LeadDesk (schema {current}); "
            "update LeadDesk on this computer to use it"
        )


def _lacks_privilege(error: DBAPIError) -> bool:
    code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return (
        code == "42501"
        or "permission denied" in str(error.orig).lower()
        or ("must be owner" in str(error.orig).lower())
    )


@lru_cache(maxsize=1)
def scanned_head() -> str | None:
    """The head revision read from the migration files' ``revision``/``down_revision`` lines.

    None when the files do not name exactly one head (then Alembic decides).
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        values = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                    try:
                        values[target.id] = ast.literal_eval(node.value)
                    except ValueError:
                        return None
        if "revision" not in values:
            continue
        revisions.add(str(values["revision"]))
        down = values.get("down_revision")
        parents.update([down] if isinstance(down, str) else list(down or ()))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def at_head(db: Database) -> bool:
    """True when the database is certainly at the newest revision (checked without Alembic)."""
    head = scanned_head()
    if head is None:
        return False
    try:
        with db.engine.connect() as connection:
            found = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    except DBAPIError:  # no version table yet: a new database
        return False
    return [row[0] for row in found] == [head]
