"""Engines and sessions for SQLite (the default) and PostgreSQL (team mode).

SQLite connections get WAL, foreign keys, a generous busy timeout and ``synchronous=FULL``
on every connect. Transactions are begun explicitly so that writers can take the write lock
up front (``BEGIN IMMEDIATE``) instead of failing half-way when another process writes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from leaddesk.paths import DB_ENV, default_database_path

BUSY_TIMEOUT_MS = 10_000
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
    "PRAGMA synchronous=FULL",
)
_BEGIN_OPTION = "leaddesk_begin"


def resolve_database_url(value: str | None = None) -> str:
    """Turn ``--db``/``LEADDESK_DB``/the default into a SQLAlchemy URL.

    A value with ``://`` is a URL (``postgresql://`` gets the psycopg driver); anything else is a
    file path for SQLite.
    """
    raw = value or os.environ.get(DB_ENV) or str(default_database_path())
    if "://" not in raw:
        path = Path(raw).expanduser().resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    url = make_url(raw)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def _install_sqlite_hooks(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's implicit BEGIN is buggy).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """One database: an engine plus short-lived sessions for reading and writing."""

    def __init__(self, url: str | None = None, *, echo: bool = False) -> None:
        self.url = resolve_database_url(url)
        parsed = make_url(self.url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        self.path: Path | None = (
            Path(parsed.database) if self.is_sqlite and parsed.database else None
        )
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine = create_engine(self.url, **kwargs)
        writer: Engine = self.engine
        if self.is_sqlite:
            _install_sqlite_hooks(self.engine)
            writer = self.engine.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = sessionmaker(writer, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A short session for reading (and small writes); committed on success."""
        with self._reader() as session, session.begin():
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session that takes the write lock at its start (``BEGIN IMMEDIATE`` on SQLite).

        Use it for every read-then-write operation so concurrent writers queue on the busy
        timeout instead of failing with "database is locked" half-way through.
        """
        with self._writer() as session, session.begin():
            yield session

    def describe(self) -> str:
        """A human-readable name for the database (a path or the URL without password)."""
        if self.path is not None:
            return str(self.path)
        return make_url(self.url).render_as_string(hide_password=True)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
