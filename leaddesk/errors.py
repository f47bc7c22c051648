"""Database errors the user can act on (no SQLAlchemy import: the CLI catches them cheaply)."""

from __future__ import annotations

from datetime import datetime

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


class EditConflict(Exception):
    """Someone else saved the record after this form loaded it; the message says who and when."""

    def __init__(self, fields: list[str], by: str, when: datetime | None) -> None:
        who = by or "someone else"
        at = f" at {when.astimezone():%H:%M}" if when is not None else ""
        super().__init__(
            f"{', '.join(fields)} changed by {who}{at} while you were editing: reload to see "
            "their version, or overwrite it with yours"
        )
        self.fields, self.by, self.when = fields, by, when


def lost_connection(error: BaseException) -> str | None:
    """The sentence for a team database that cannot be reached (None: not that kind of error).

    Checked by name, so the CLI needs no SQLAlchemy import to tell this case from others.
    """
    if type(error).__name__ not in ("OperationalError", "InterfaceError"):
        return None
    original = getattr(error, "orig", None)
    if not type(original).__module__.startswith("psycopg"):
        return None  # SQLite's OperationalError (locked, disk full) is another story
    detail = str(original).strip().splitlines()[0] if str(original).strip() else "no answer"
    return (
        f"The team database cannot be reached ({detail}). Nothing was written; LeadDesk tries "
        "again by itself (or run the command again once the server or network is back)."
    )
