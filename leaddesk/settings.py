"""Team-wide settings stored in the database (shared by every laptop in team mode).

Per-user window preferences live in QSettings in the GUI; these are the settings that change
what LeadDesk does, such as the sender's postal address required in every email footer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.db.models import AppSetting

POSTAL_ADDRESS = "postal_address"
SENDING_PAUSED = "sending_paused"


def get_setting(session: Session, key: str, default: Any = None) -> Any:
    """The stored value of ``key``, or ``default`` when it was never set."""
    row = session.get(AppSetting, key)
    if row is None:
        return default
    return row.value.get("value", default)


def set_setting(session: Session, key: str, value: Any, *, by: str = "") -> None:
    """Store ``value`` (anything JSON can hold) under ``key``; ``by`` names who saved it."""
    row = session.get(AppSetting, key)
    if row is None:
        session.add(AppSetting(key=key, value={"value": value}, updated_by=by))
    else:
        row.value = {"value": value}
        row.updated_by = by
    session.flush()


def settings_snapshot(session: Session, keys: Iterable[str]) -> dict[str, Any]:
    """The stored values of ``keys`` as a form loads them (``None`` for one never set), to be
    handed back to :func:`ensure_settings_unchanged` when the form saves."""
    wanted = list(keys)
    rows = {r.key: r for r in session.scalars(select(AppSetting).where(AppSetting.key.in_(wanted)))}
    return {key: rows[key].value.get("value") if key in rows else None for key in wanted}


def ensure_settings_unchanged(session: Session, loaded: Mapping[str, Any], what: str) -> None:
    """Raise :class:`~leaddesk.errors.EditConflict` (who, when) when a setting is no longer
    what a form loaded: someone saved it meanwhile. On PostgreSQL the rows stay locked until
    the caller's save commits; on SQLite the write transaction already excludes every other."""
    from leaddesk.errors import EditConflict

    rows = {
        r.key: r
        for r in session.scalars(
            select(AppSetting)
            .where(AppSetting.key.in_(list(loaded)))
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    }
    for key, expected in loaded.items():
        row = rows.get(key)
        current = row.value.get("value") if row is not None else None
        if current != expected:
            raise EditConflict(
                [what],
                row.updated_by if row is not None else "",
                row.updated_at if row is not None else None,
            )


def postal_address(session: Session) -> str:
    """The sender's postal address for email footers ("" until set in Settings)."""
    return str(get_setting(session, POSTAL_ADDRESS, "") or "").strip()
