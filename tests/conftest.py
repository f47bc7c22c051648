"""Shared fixtures: an isolated LeadDesk home, a migrated SQLite database, a fixed clock."""

from __future__ import annotations

import os
from pathlib import Path

# Qt aborts without a display unless the platform is chosen before any QApplication exists.
# The offscreen screen defaults to 800×600, smaller than LeadDesk's minimum window: use a
# laptop-sized virtual screen so window geometry behaves as it does for users.
_SCREEN = Path(__file__).resolve().parent / "offscreen-screen.json"
os.environ.setdefault("QT_QPA_PLATFORM", f"offscreen:configfile={_SCREEN}")

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.migrate import open_database


@pytest.fixture(autouse=True)
def leaddesk_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data, settings and log folders."""
    home = tmp_path / "home"
    monkeypatch.setenv("LEADDESK_HOME", str(home))
    monkeypatch.delenv("LEADDESK_DB", raising=False)
    return home


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the test's SQLite database file lives."""
    return tmp_path / "leads.sqlite3"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    """A real SQLite file migrated to the newest schema."""
    database = open_database(str(db_path))
    yield database
    database.dispose()


@pytest.fixture
def clock() -> FixedClock:
    """A clock fixed at Monday 2026-03-02 10:00 UTC; tests move it explicitly."""
    return FixedClock(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
