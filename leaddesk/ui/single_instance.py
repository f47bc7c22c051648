"""One LeadDesk window per database on this computer (QLockFile next to the database)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QLockFile

from leaddesk.db.engine import Database
from leaddesk.paths import config_dir


def lock_path_for(db: Database) -> Path:
    """``<database>.lock`` for SQLite; a per-server lock in the config folder otherwise."""
    if db.path is not None:
        return db.path.with_name(db.path.name + ".lock")
    digest = hashlib.sha256(db.describe().encode()).hexdigest()[:16]
    return config_dir() / f"server-{digest}.lock"


class InstanceLock:
    """Held for the life of the window; a second LeadDesk on the same database is refused."""

    def __init__(self, db: Database) -> None:
        self.path = lock_path_for(db)
        self._lock = QLockFile(str(self.path))
        self._lock.setStaleLockTime(0)  # a crashed instance's lock is reclaimed by PID check

    def acquire(self) -> bool:
        """Take the lock; False when another running LeadDesk holds it."""
        return self._lock.tryLock(200)

    def holder_pid(self) -> int | None:
        """The process id of the LeadDesk that holds the lock, when known."""
        info = self._lock.getLockInfo()  # (pid, hostname, appname); pid 0 when unknown
        pid = info[0] if isinstance(info, tuple) and info else 0
        return int(pid) if pid else None

    def release(self) -> None:
        """Give the lock back (on exit)."""
        self._lock.unlock()
