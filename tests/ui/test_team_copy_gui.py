"""File → Copy this database to a team server: a real PostgreSQL receives the demo data."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from leaddesk.db import migrate
from leaddesk.db.engine import Database
from leaddesk.db.models import Lead
from leaddesk.demo import load_demo_data
from leaddesk.ui.context import AppContext
from leaddesk.ui.dialogs.team_copy import TeamCopyDialog, start_team_copy
from tests.support.postgres import postgres_server


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL cluster for this module (the test fails if it cannot start)."""
    with postgres_server() as url:
        yield url


def test_the_dialog_copies_the_demo_data_and_reports_it(
    qtbot: QtBot, db: Database, context: AppContext, postgres_url: str, monkeypatch: Any
) -> None:
    """Copy is offered only for a PostgreSQL address; the copy runs in the background, the user
    is told it verified, and the server holds the same leads; a second copy is refused."""
    load_demo_data(db)
    dialog = TeamCopyDialog()
    qtbot.addWidget(dialog)
    copy_button = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    dialog.url_edit.setText("/home/me/leads.sqlite3")
    assert not copy_button.isEnabled()
    dialog.url_edit.setText(postgres_url)
    assert copy_button.isEnabled()
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, t, m: shown.append((t, m)))
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, t, m: shown.append((t, m)))
    finished: list[object] = []
    start_team_copy(dialog, context, postgres_url, False, finished.append)
    qtbot.waitUntil(lambda: bool(finished), timeout=60_000)
    assert shown[0][0] == "Copied to the team server" and "checksum match" in shown[0][1]
    team = migrate.open_database(postgres_url)
    with db.session() as a, team.session() as b:
        assert a.scalar(select(func.count(Lead.id))) == b.scalar(select(func.count(Lead.id))) > 0
    team.dispose()
    start_team_copy(dialog, context, postgres_url, False, finished.append)
    qtbot.waitUntil(lambda: len(finished) == 2, timeout=60_000)
    assert "already holds data" in shown[1][1] and shown[1][1].startswith("Nothing was copied")
