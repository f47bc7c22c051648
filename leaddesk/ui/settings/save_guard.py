"""Compare-and-set for settings forms: a save that lost a race says who won, never overwrites.

A form reads :meth:`SaveGuard.remember` with its values; its save runs :meth:`SaveGuard.check`
first, in the same write transaction, then :meth:`SaveGuard.saved`. When another copy of
LeadDesk (or another window) saved the same settings meanwhile, the check raises
:class:`~leaddesk.errors.EditConflict` and the form asks: reload their version, or overwrite it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QWidget
from sqlalchemy import update
from sqlalchemy.orm import Session

from leaddesk.db.engine import Database
from leaddesk.db.models import AppSetting
from leaddesk.errors import EditConflict
from leaddesk.handoff.identity import current_member
from leaddesk.settings import ensure_settings_unchanged, settings_snapshot
from leaddesk.ui.dialogs.edit_conflict import ask_reload_or_overwrite


class SaveGuard:
    """What one settings form loaded (``keys`` of ``app_settings``), checked when it saves.

    ``remember`` and ``saved`` run inside the form's background job, before its ``on_done``;
    the GUI thread reads the snapshot only when it starts the next save.
    """

    def __init__(self, db: Database, what: str, keys: tuple[str, ...]) -> None:
        self.db, self.what, self.keys = db, what, keys
        self.loaded: dict[str, Any] | None = None

    def remember(self, session: Session) -> None:
        """Note the stored values the form is about to show."""
        self.loaded = settings_snapshot(session, self.keys)

    def check(self, session: Session, loaded: dict[str, Any] | None) -> None:
        """Refuse the save when the settings changed since ``loaded`` (None: overwrite)."""
        if loaded is not None:
            ensure_settings_unchanged(session, loaded, self.what)

    def saved(self, session: Session) -> None:
        """Sign the saved settings with this copy's member and remember them as loaded."""
        session.flush()
        me = current_member(session, self.db)
        session.execute(
            update(AppSetting)
            .where(AppSetting.key.in_(self.keys))
            .values(updated_by=me.name if me is not None else "")
        )
        self.loaded = settings_snapshot(session, self.keys)

    def resolve(
        self,
        parent: QWidget,
        error: BaseException,
        *,
        reload: Callable[[], None],
        overwrite: Callable[[], None],
    ) -> bool:
        """Ask about a lost race (True: handled); any other error is the caller's."""
        if not isinstance(error, EditConflict):
            return False
        choice = ask_reload_or_overwrite(parent, self.what, error)
        if choice == "reload":
            reload()
        elif choice == "overwrite":
            overwrite()
        return True
