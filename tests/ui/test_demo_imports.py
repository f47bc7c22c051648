"""The sample data arrives as two imports: listed in the import history, and undoable."""

from __future__ import annotations

from datetime import UTC, datetime

from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from leaddesk.db.engine import Database
from leaddesk.db.models import Lead
from leaddesk.demo import load_demo_data
from leaddesk.importing import import_history, undo_batch
from leaddesk.ui.context import AppContext
from leaddesk.ui.importing.history import ImportHistory

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def test_sample_data_is_two_undoable_imports(db: Database) -> None:
    """After the demo the history lists one import per show; undoing one removes its leads."""
    load_demo_data(db, now=NOW)
    with db.session() as session:
        history = import_history(session)
    assert sorted((h["source"], h["imported"]) for h in history) == [
        ("CloudOps Expo Berlin 2026", 150),
        ("RetailTech Summit Chicago 2026", 150),
    ]
    chicago = next(h for h in history if h["source"].startswith("RetailTech"))
    with db.write() as session:
        result = undo_batch(session, chicago["batch_id"], NOW)
    assert result.removed == 150
    with db.session() as session:
        sources = session.execute(select(Lead.source, func.count()).group_by(Lead.source)).all()
    assert sources == [("CloudOps Expo Berlin 2026", 150)]


def test_import_history_tab_lists_the_sample_imports(
    qtbot: QtBot, db: Database, context: AppContext
) -> None:
    """Settings → Imports shows the two sample imports; on an empty database it says what to do."""
    history = ImportHistory(context)
    qtbot.addWidget(history)
    history.show()
    history.load()
    qtbot.waitUntil(lambda: history.loaded)
    assert history.empty_label.isVisible() and "Import a list" in history.empty_label.text()
    load_demo_data(db, now=NOW)
    history.loaded = False
    history.load()
    qtbot.waitUntil(lambda: history.loaded)
    assert history.model.rowCount() == 2 and not history.empty_label.isVisible()
