"""Database errors the user can act on (no SQLAlchemy import: the CLI catches them cheaply)."""

from __future__ import annotations

# Exit status for "try again later" (sysexits.h EX_TEMPFAIL): cron retries, scripts can tell.
TEMPORARY_FAILURE = 75


class DatabaseBusy(Exception):
    """Another program held the database's write lock for longer than LeadDesk waits."""

    def __init__(self, waited: float) -> None:
        super().__init__(
            f"The database stayed locked by another program for {waited:.0f} s, so nothing was "
            "written. Close other programs using it (another LeadDesk window, a backup or a "
            "database browser) and try again."
        )
        self.waited = waited


class SchemaError(RuntimeError):
    """The database's schema does not fit this LeadDesk, and this copy cannot change it."""
