"""Where LeadDesk keeps its data, settings, logs and bundled resources.

Everything lives in the platform's user directories (platformdirs). ``LEADDESK_HOME`` puts all
of them under one folder instead, which is what tests, demos and portable installs use.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from leaddesk import APP_NAME

_HOME_ENV = "LEADDESK_HOME"
DB_ENV = "LEADDESK_DB"
DB_FILENAME = "leaddesk.sqlite3"


def _home_override() -> Path | None:
    value = os.environ.get(_HOME_ENV)
    return Path(value).expanduser() if value else None


def _ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir() -> Path:
    """Folder for the default database and its backups."""
    home = _home_override()
    return _ensure(home / "data" if home else Path(platformdirs.user_data_dir(APP_NAME, False)))


def config_dir() -> Path:
    """Folder for user preferences (window layout, last page, remembered choices)."""
    home = _home_override()
    return _ensure(home / "config" if home else Path(platformdirs.user_config_dir(APP_NAME, False)))


def log_dir() -> Path:
    """Folder for the rotating log file."""
    home = _home_override()
    return _ensure(home / "logs" if home else Path(platformdirs.user_log_dir(APP_NAME, False)))


def backup_dir() -> Path:
    """Folder for database backups taken before migrations."""
    return _ensure(data_dir() / "backups")


def default_database_path() -> Path:
    """The SQLite file used when neither ``--db`` nor ``LEADDESK_DB`` names another."""
    return data_dir() / DB_FILENAME


def resources_dir() -> Path:
    """The bundled resources (templates, sample data, icons, styles), found as package data
    of ``leaddesk`` so they come along in a wheel, a pipx install or a frozen build."""
    from importlib.resources import files

    folder = files("leaddesk") / "resources"
    path = Path(str(folder))
    if not path.is_dir():
        raise FileNotFoundError("LeadDesk's resources folder is missing; reinstall the application")
    return path


def resource_path(*parts: str) -> Path:
    """Path of one bundled resource, e.g. ``resource_path("templates", "presets.json")``."""
    return resources_dir().joinpath(*parts)
