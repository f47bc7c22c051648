"""One sender at a time per account: locks that die with their process.

The app's background sender and ``leaddesk send-due`` from cron may run at the same moment; only
the holder of an account's lock sends from it. Because the lock is released when the holder
dies (even by SIGKILL), whoever takes it next knows that any row of that account still
``sending`` is orphaned. SQLite (one computer) uses one lock file next to the database for
every account (:class:`SenderLock`); on PostgreSQL each account has its own session advisory
lock (:class:`AccountLocks`), so five laptops send from five accounts at once.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from sqlalchemy import text

from leaddesk.db.engine import Database

_ADVISORY_KEY = 0x1EAD_DE5C  # also the first half of each account's two-part key


class SenderLock:
    """A non-blocking exclusive lock; ``acquired`` says whether this process may send."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._handle: IO[bytes] | None = None
        self._connection: Any = None
        self.acquired = False

    def __enter__(self) -> SenderLock:
        self.acquired = self._acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()

    def _acquire(self) -> bool:
        if self._db.is_sqlite:
            path = lock_path(self._db)
            handle = path.open("a+b")
            if not _try_lock_file(handle):
                handle.close()
                return False
            self._handle = handle
            return True
        connection = self._db.engine.connect()
        got = bool(
            connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": _ADVISORY_KEY})
        )
        if not got:
            connection.close()
            return False
        self._connection = connection
        return True

    def release(self) -> None:
        """Give the lock back (idempotent)."""
        if self._handle is not None:
            _unlock_file(self._handle)
            self._handle.close()
            self._handle = None
        if self._connection is not None:
            self._connection.execute(
                text("SELECT pg_advisory_unlock(:key)"), {"key": _ADVISORY_KEY}
            )
            self._connection.close()
            self._connection = None
        self.acquired = False


class AccountLocks:
    """PostgreSQL: try the lock of each account in ``account_ids``; ``held`` is what we got.

    The locks live on one connection that stays open (outside any transaction) until
    :meth:`release`; a crash closes it and so frees them.
    """

    def __init__(self, db: Database, account_ids: Iterable[int]) -> None:
        self._db = db
        self._wanted = sorted(set(account_ids))
        self._connection: Any = None
        self.held: frozenset[int] = frozenset()

    def __enter__(self) -> AccountLocks:
        if not self._wanted:
            return self
        connection = self._db.engine.connect()
        held = set()
        for account_id in self._wanted:
            got = connection.scalar(
                text("SELECT pg_try_advisory_lock(:key, :account)"),
                {"key": _ADVISORY_KEY, "account": account_id},
            )
            if got:
                held.add(account_id)
        connection.commit()  # session locks outlive the transaction; no snapshot is kept
        if held:
            self._connection, self.held = connection, frozenset(held)
        else:
            connection.close()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()

    def release(self) -> None:
        """Give every held lock back (idempotent)."""
        if self._connection is not None:
            for account_id in sorted(self.held):
                self._connection.execute(
                    text("SELECT pg_advisory_unlock(:key, :account)"),
                    {"key": _ADVISORY_KEY, "account": account_id},
                )
            self._connection.commit()
            self._connection.close()
            self._connection = None
        self.held = frozenset()


def lock_path(db: Database) -> Path:
    """The lock file of a SQLite database (``leads.sqlite3.sender-lock``)."""
    assert db.path is not None
    return db.path.with_name(db.path.name + ".sender-lock")


if sys.platform == "win32":  # pragma: no cover - exercised on Windows CI only
    import msvcrt

    def _try_lock_file(handle: IO[bytes]) -> bool:
        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock_file(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock_file(handle: IO[bytes]) -> bool:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    def _unlock_file(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
