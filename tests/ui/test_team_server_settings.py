"""Settings → Team server: test a real PostgreSQL, switch to it, see it in the title bar."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import make_url

from leaddesk.db import migrate, team_server
from leaddesk.db.engine import Database, resolve_database_url
from leaddesk.ui.context import AppContext
from leaddesk.ui.settings.team_server import TeamServerSettings
from tests.support.postgres import postgres_server


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL cluster with LeadDesk's schema."""
    with postgres_server() as url:
        migrate.open_database(url).dispose()
        yield url


def test_test_then_use_the_server_and_back_to_the_local_file(
    qtbot: QtBot, context: AppContext, postgres_url: str, monkeypatch: Any
) -> None:
    """A wrong port is named; the right server tests fine; "Use this server" makes it the
    default database (password in the keyring, not in the file); "Use the local file" undoes."""
    monkeypatch.setattr(QMessageBox, "information", lambda *_a: None)
    parsed = make_url(postgres_url)
    tab = TeamServerSettings(context)
    qtbot.addWidget(tab)
    tab.host_edit.setText(parsed.host or "")
    tab.port_spin.setValue(1)
    tab.database_edit.setText(parsed.database or "")
    tab.user_edit.setText(parsed.username or "")
    tab.password_edit.setText("pw-not-in-files")
    tab.tls_combo.setCurrentIndex(tab.tls_combo.findData("disable"))
    tab.test_button.click()
    qtbot.waitUntil(
        lambda: tab.test_button.isEnabled() and "Testing" not in tab.result_label.text()
    )
    assert "refused the connection" in tab.result_label.text()
    tab.port_spin.setValue(parsed.port or 5432)
    tab.test_button.click()
    qtbot.waitUntil(lambda: "schema up to date" in tab.result_label.text(), timeout=10_000)
    tab.use_button.click()
    qtbot.waitUntil(lambda: team_server.load().active and not context.runner.busy)
    saved = team_server.load()
    assert saved.active and saved.host == parsed.host
    assert "pw-not-in-files" not in (team_server.config_dir() / team_server.FILE_NAME).read_text()
    assert team_server.stored_password(saved) == "pw-not-in-files"
    assert resolve_database_url(None).startswith("postgresql+psycopg://")
    db = Database()
    assert not db.is_sqlite and db.describe().endswith(f"/{parsed.database}?sslmode=disable")
    db.dispose()
    tab.local_button.click()
    assert resolve_database_url(None).startswith("sqlite:///")


def test_the_title_bar_names_the_team_server(qtbot: QtBot, qapp: object, postgres_url: str) -> None:
    """A window on the team database says so in its title."""
    from leaddesk.app import application
    from leaddesk.ui.main_window import MainWindow

    application()
    db = Database(postgres_url)
    context = AppContext.create(db)
    window = MainWindow(context)
    qtbot.addWidget(window)
    assert window.windowTitle().startswith("LeadDesk — team server postgresql")
    window.close()
    context.runner.shutdown()
    db.dispose()
