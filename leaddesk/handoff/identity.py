"""Who this copy of LeadDesk acts as: one team member per database, kept in local preferences.

Chosen on first run (the first person added to a database is you), changeable in Settings and
with ``leaddesk team me``. It lives in a small JSON file in LeadDesk's config folder, keyed by
the database it applies to — on a shared team database each laptop says which member it is.
``LEADDESK_ME`` (an email address) overrides it for one process, e.g. a rep's cron job.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leaddesk.db.engine import Database
from leaddesk.db.models import TeamMember
from leaddesk.paths import config_dir

IDENTITY_FILE = "identity.json"
ME_ENV = "LEADDESK_ME"


def _path() -> Path:
    return config_dir() / IDENTITY_FILE


def _read() -> dict[str, Any]:
    try:
        data = json.loads(_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(data: dict[str, Any]) -> None:
    path = _path()
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(temporary, path)  # atomic: a crash never leaves half a file


def database_key(db: Database) -> str:
    """What identifies ``db`` in the preferences (its path, or its URL without password)."""
    return db.describe()


def my_email(db: Database) -> str | None:
    """The email of the member this copy acts as on ``db`` (None: not chosen yet)."""
    override = os.environ.get(ME_ENV, "").strip()
    if override:
        return override.lower()
    value = _read().get("members", {}).get(database_key(db))
    return str(value).lower() if value else None


def set_me(db: Database, email: str | None) -> None:
    """Act as the member with ``email`` on ``db`` from now on (None: nobody)."""
    data = _read()
    members = data.setdefault("members", {})
    if email:
        members[database_key(db)] = email.strip().lower()
    else:
        members.pop(database_key(db), None)
    _write(data)


def adopt_if_unset(db: Database, email: str) -> bool:
    """Make ``email`` "me" on ``db`` unless someone already is; True when it was set."""
    if my_email(db) is not None:
        return False
    set_me(db, email)
    return True


def current_member(session: Session, db: Database) -> TeamMember | None:
    """The member this copy acts as, when chosen and still on the team."""
    email = my_email(db)
    if not email:
        return None
    return session.scalar(select(TeamMember).where(func.lower(TeamMember.email) == email))
