"""Team-wide settings stored in the database (shared by every laptop in team mode).

Per-user window preferences live in QSettings in the GUI; these are the settings that change
what LeadDesk does, such as the sender's postal address required in every email footer.
"""

from __future__ import annotations

from typing import Any

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


def set_setting(session: Session, key: str, value: Any) -> None:
    """Store ``value`` (anything JSON can hold) under ``key``."""
    row = session.get(AppSetting, key)
    if row is None:
        session.add(AppSetting(key=key, value={"value": value}))
    else:
        row.value = {"value": value}
    session.flush()


def postal_address(session: Session) -> str:
    """The sender's postal address for email footers ("" until set in Settings)."""
    return str(get_setting(session, POSTAL_ADDRESS, "") or "").strip()
