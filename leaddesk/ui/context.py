"""What every screen needs: the database, the task runner, the clock and the preferences."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSettings

from leaddesk.clock import Clock, SystemClock
from leaddesk.db.engine import Database
from leaddesk.paths import config_dir
from leaddesk.tasks import TaskRunner


def user_preferences() -> QSettings:
    """Per-user window preferences, stored as an INI file in LeadDesk's config folder."""
    return QSettings(str(config_dir() / "leaddesk.ini"), QSettings.Format.IniFormat)


@dataclass
class AppContext:
    """Services handed to the main window and every page."""

    db: Database
    runner: TaskRunner
    preferences: QSettings
    clock: Clock

    @classmethod
    def create(cls, db: Database, runner: TaskRunner | None = None) -> AppContext:
        """A context with a new runner, the real clock and the user's preferences file."""
        return cls(db, runner or TaskRunner(), user_preferences(), SystemClock())
