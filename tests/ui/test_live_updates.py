"""Team mode live: a save on another laptop shows in this window within 2 s, selection kept."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from leaddesk.db import migrate
from leaddesk.db.engine import Database
from leaddesk.db.models import Lead
from leaddesk.demo import load_demo_data
from leaddesk.ui.context import AppContext
from leaddesk.ui.widgets.live import install_live_updates
from tests.support.postgres import outage, postgres_server
from tests.ui.inbox_page.helpers import answer_next_dialog, select_leads


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL cluster for this module (the test fails if it cannot start)."""
    with postgres_server() as url:
        db = migrate.open_database(url)
        load_demo_data(db)
        db.dispose()
        yield url


def _listening_window(qtbot: QtBot, url: str) -> tuple[Database, AppContext, Any, Any]:
    """The main window on ``url`` at 1200×760, its inbox loaded and live updates listening."""
    from leaddesk.app import application
    from leaddesk.ui.main_window import MainWindow

    application()
    db = Database(url)
    context = AppContext.create(db)
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.resize(1200, 760)
    window.show()
    page = window.current_page
    qtbot.waitUntil(lambda: page.loaded and not context.runner.busy, timeout=10_000)
    live = install_live_updates(window)
    assert live.listening.wait(5)
    return db, context, window, live


def test_another_copys_new_lead_appears_within_two_seconds(
    qtbot: QtBot, qapp: object, postgres_url: str
) -> None:
    """Maya adds a lead on her laptop: this inbox lists it within 2 s and keeps the lead the
    user had selected selected; this window's own saves, and other copies' passes that change
    nothing, cause no refresh."""
    db, context, window, live = _listening_window(qtbot, postgres_url)
    page = window.current_page
    chosen = page.model.lead_id(3)
    select_leads(page, chosen)
    before = page.total
    other = Database(postgres_url)  # the other laptop
    started = time.monotonic()
    with other.write() as session:
        session.add(Lead(email="new.lead@team.example", email_key="new.lead@team.example"))
    qtbot.waitUntil(lambda: page.total == before + 1 and page.loaded, timeout=2_000)
    assert time.monotonic() - started < 2.0
    assert page.selected_ids() == [chosen]
    with db.session() as session:
        assert session.scalar(select(func.count(Lead.id))) == before + 1
    echoes: list[int] = []
    live.changed.connect(lambda: echoes.append(1))
    with db.write() as session:  # this copy's own save: no refresh notice
        session.get_one(Lead, chosen).title = "Edited here"
    with other.write() as session:  # another copy's pass that changed nothing: none either
        session.scalar(select(func.count(Lead.id)))
    qtbot.wait(2_000)
    assert echoes == []
    live.stop()
    other.dispose()
    window.close()
    context.runner.shutdown()
    db.dispose()


def _leaddesk(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``leaddesk`` as another program (another laptop's shell) on the same database."""
    return subprocess.run(
        [sys.executable, "-m", "leaddesk", "--db", url, *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=120,
    )


def test_a_cli_import_in_another_process_shows_here_and_its_edit_is_a_conflict(
    qtbot: QtBot, qapp: object, postgres_url: str, tmp_path: Path
) -> None:
    """Another process imports a new lead: this window lists it within 2 s, selection and scroll
    position kept; it then overwrites the company of the lead open here, and saving the typed
    company says it was changed meanwhile and, on Reload, shows theirs."""
    db, context, window, live = _listening_window(qtbot, postgres_url)
    page = window.current_page
    scrollbar = page.table.verticalScrollBar()
    scrollbar.setValue(scrollbar.maximum() // 2)
    qtbot.wait(300)  # rows in view are fetched
    row = page.table.rowAt(page.table.viewport().height() // 2)
    chosen = page.model.lead_id(row)
    select_leads(page, chosen)
    position, before = scrollbar.value(), page.total
    assert position > 0
    new_file = tmp_path / "new.csv"
    new_file.write_text("email,first_name\nfrom.the.cli@team.example,Cli\n", encoding="utf-8")
    _leaddesk(postgres_url, "import", str(new_file))
    started = time.monotonic()
    qtbot.waitUntil(lambda: page.total == before + 1 and page.loaded, timeout=2_000)
    assert time.monotonic() - started < 2.0
    assert page.selected_ids() == [chosen]
    assert abs(scrollbar.value() - position) <= 1
    page.open_lead(chosen)
    qtbot.waitUntil(lambda: page.detail.loaded, timeout=5_000)
    with db.session() as session:
        address = session.get_one(Lead, chosen).email
    page.detail.edits["company"].setText("Typed Here GmbH")
    theirs = tmp_path / "theirs.csv"
    theirs.write_text(f"email,company\n{address},Their Company Ltd\n", encoding="utf-8")
    _leaddesk(postgres_url, "import", str(theirs), "--on-existing", "overwrite")
    asked: list[str] = []
    answer_next_dialog("Reload", asked)
    page.detail.save_button.click()
    qtbot.waitUntil(lambda: bool(asked), timeout=5_000)
    qtbot.waitUntil(lambda: page.detail.loaded and not context.runner.busy, timeout=5_000)
    assert asked[0].startswith("Company changed by someone else at")
    qtbot.waitUntil(lambda: page.detail.edits["company"].text() == "Their Company Ltd")
    with db.session() as session:
        assert session.get_one(Lead, chosen).company == "Their Company Ltd"
    live.stop()
    window.close()
    context.runner.shutdown()
    db.dispose()


def test_a_team_server_outage_keeps_the_window_usable_and_it_recovers_by_itself(
    qtbot: QtBot, qapp: object, postgres_url: str
) -> None:
    """The server goes down: a refresh shows one status-bar warning (no message box), the
    window keeps its rows; once the server is back the warning goes, the inbox reloads and
    another copy's new lead shows live again. (Runs last: it restarts the module's server.)"""
    from PySide6.QtWidgets import QApplication

    db, context, window, live = _listening_window(qtbot, postgres_url)
    page = window.current_page
    watch = window.connection_watch  # type: ignore[attr-defined]
    rows = page.total
    with outage(postgres_url):
        page.refresh()
        qtbot.waitUntil(lambda: watch.unreachable, timeout=10_000)
        assert QApplication.activeModalWidget() is None
        assert "cannot be reached" in watch.label.toolTip()
        assert page.total == rows and page.model.rowCount() > 0  # what it showed stays
        window.ui.navList.setCurrentRow(1)  # still usable: another page, which cannot load
        qtbot.wait(500)
        window.ui.navList.setCurrentRow(0)
    qtbot.waitUntil(lambda: not watch.unreachable, timeout=15_000)
    qtbot.waitUntil(lambda: page.loaded and not context.runner.busy, timeout=10_000)
    assert live.listening.wait(10)
    other = Database(postgres_url)
    with other.write() as session:
        session.add(Lead(email="after.outage@team.example", email_key="after.outage@team.example"))
    qtbot.waitUntil(lambda: page.total == rows + 1, timeout=3_000)
    live.stop()
    other.dispose()
    window.close()
    context.runner.shutdown()
    db.dispose()
