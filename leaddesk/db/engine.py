"""Engines and sessions for SQLite (the default) and PostgreSQL (team mode).

SQLite connections get WAL, foreign keys, a generous busy timeout and ``synchronous=FULL``
on every connect. Transactions are begun explicitly so that writers can take the write lock
up front (``BEGIN IMMEDIATE``) instead of failing half-way when another process writes.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

from leaddesk.errors import DatabaseBusy
from leaddesk.paths import DB_ENV, default_database_path

BUSY_TIMEOUT_MS = 10_000
# How long a writer keeps retrying while another program holds SQLite's write lock (seconds).
WRITE_PATIENCE = 120.0
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=FULL",
)
_BEGIN_OPTION = "leaddesk_begin"
# PostgreSQL: writers take this transaction-level advisory lock first, so (as on SQLite) one
# write transaction runs at a time across every copy: no deadlocks between writers, and the
# read-then-write steps written for SQLite's single writer stay correct on a team server.
_WRITE_OPTION = "leaddesk_write"
WRITE_LOCK_KEY = 0x1EAD_D81B
_log = logging.getLogger(__name__)
_T = TypeVar("_T")
# PostgreSQL NOTIFY channel: every committed write says "changed" (payload: the writer copy).
CHANGES_CHANNEL = "leaddesk_changes"


_CHANGED = "leaddesk_changed"  # set on a connection that ran INSERT/UPDATE/DELETE
_DML = ("INSERT", "UPDATE", "DELETE")


def _install_change_tracking(engine: Engine) -> None:
    """Mark connections that changed rows, so only real changes notify other copies."""

    @event.listens_for(engine, "before_cursor_execute")
    def _seen(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip()[:6].upper() in _DML:
            connection.info[_CHANGED] = True

    @event.listens_for(engine, "rollback")
    def _undone(connection: Any) -> None:
        connection.info.pop(_CHANGED, None)


def _team_default() -> str | None:
    from leaddesk.db.team_server import active_url

    return active_url()


def resolve_database_url(value: str | None = None) -> str:
    """Turn ``--db``/``LEADDESK_DB``/the default into a SQLAlchemy URL.

    A value with ``://`` is a URL (``postgresql://`` gets the psycopg driver); anything else is a
    file path for SQLite. The default is the team server chosen in Settings → Team server when
    there is one (see :mod:`leaddesk.db.team_server`), else the local file.
    """
    raw = value or os.environ.get(DB_ENV) or _team_default() or str(default_database_path())
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
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_MS)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def _is_locked(error: OperationalError) -> bool:
    text = str(error.orig).lower()
    return any(
        words in text for words in ("database is locked", "database is busy", "lock timeout")
    )


def _install_write_lock(db: Database, engine: Engine) -> None:
    """On PostgreSQL, a writer's transaction waits for :data:`WRITE_LOCK_KEY` at its start, for
    at most the database's ``write_patience`` (then "lock timeout": :class:`DatabaseBusy`)."""

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if not connection.get_execution_options().get(_WRITE_OPTION):
            return
        patience_ms = max(1, int(db.write_patience * 1000))
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = {patience_ms}")
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
        connection.exec_driver_sql("SET LOCAL lock_timeout = DEFAULT")


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
        self.write_patience = WRITE_PATIENCE
        self.lock_waited = 0.0  # seconds spent waiting for the write lock, all writers
        self.origin = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"  # this copy, in change notices
        writer: Engine = self.engine
        if self.is_sqlite:
            _install_sqlite_hooks(self.engine)
            writer = self.engine.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})
        else:
            _install_change_tracking(self.engine)
            _install_write_lock(self, self.engine)
            writer = self.engine.execution_options(**{_WRITE_OPTION: True})
        self._writer_engine = writer
        self._makers: tuple[sessionmaker[Session], sessionmaker[Session]] | None = None

    def _sessions(self) -> tuple[sessionmaker[Session], sessionmaker[Session]]:
        """(reader, writer) session factories, made on first use: a command that only runs
        Core SQL (``leaddesk info``) never imports the ORM."""
        if self._makers is None:
            from sqlalchemy.orm import sessionmaker

            self._makers = (
                sessionmaker(self.engine, expire_on_commit=False),
                sessionmaker(self._writer_engine, expire_on_commit=False),
            )
        return self._makers

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A short session for reading (and small writes); committed on success."""
        with self._sessions()[0]() as session, session.begin():
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session that takes the write lock at its start (``BEGIN IMMEDIATE`` on SQLite, an
        advisory lock on PostgreSQL).

            Use it for every read-then-write operation so concurrent writers queue instead of
            failing with "database is locked" half-way through: the lock is taken before the body
            runs, retried for ``write_patience`` seconds while another program holds it, and
            :class:`DatabaseBusy` (nothing written) is raised after that.
        """
        with self._locked_writer() as session:
            try:
                yield session
                if not self.is_sqlite:
                    self._notify_if_changed(session)
            except BaseException:
                session.rollback()
                raise
            session.commit()

    def _notify_if_changed(self, session: Session) -> None:
        """On PostgreSQL, tell other copies (LISTEN ``leaddesk_changes``) that rows changed;
        the notice is delivered only if this transaction commits."""
        session.flush()  # pending ORM changes run their DML now, not at commit
        if session.connection().info.pop(_CHANGED, False):
            session.execute(
                text("SELECT pg_notify(:channel, :origin)"),
                {"channel": CHANGES_CHANNEL, "origin": self.origin},
            )

    def _locked_writer(self) -> Session:
        """A writer session that already holds the write lock (SQLite); see :meth:`write`."""

        def attempt() -> Session:
            session = self._sessions()[1]()
            try:
                session.connection()  # begins; on SQLite BEGIN IMMEDIATE waits the busy timeout
            except BaseException:
                session.close()
                raise
            return session

        return self.patiently(attempt)

    def writer_connection(self) -> Connection:
        """A Core connection whose transactions take the write lock at their start.

        For small, frequent writes on prebuilt statements (the sender's per-message marks),
        where an ORM session per write costs more than the write itself; begin each
        transaction with ``db.patiently(connection.begin)``. The caller closes it.
        """
        return self._writer_engine.connect()

    def patiently(self, attempt: Callable[[], _T]) -> _T:
        """``attempt()``, retried while SQLite says the database is locked, for at most
        ``write_patience`` seconds (then :class:`DatabaseBusy`); the wait adds to
        ``lock_waited``."""
        started = time.monotonic()
        while True:
            try:
                result = attempt()
            except OperationalError as error:
                waited = time.monotonic() - started
                if not _is_locked(error):
                    raise
                if waited >= self.write_patience:
                    raise DatabaseBusy(waited) from error
                _log.warning("database busy for %.0f s; still waiting to write", waited)
                continue
            self.lock_waited += time.monotonic() - started
            return result

    def describe(self) -> str:
        """A human-readable name for the database (a path or the URL without password)."""
        if self.path is not None:
            return str(self.path)
        return make_url(self.url).render_as_string(hide_password=True)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
