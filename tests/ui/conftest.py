"""GUI fixtures: an app context on a real migrated database and the main window."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from leaddesk.db.engine import Database
from leaddesk.ui.context import AppContext


@pytest.fixture
def context(qapp: object, db: Database) -> Iterator[AppContext]:
    """Services for screens: the test database, a fresh task runner, isolated preferences."""
    from leaddesk.app import application

    application()
    ctx = AppContext.create(db)
    yield ctx
    ctx.runner.shutdown()


@pytest.fixture
def window(qtbot: QtBot, context: AppContext) -> Iterator[object]:
    """The main window, shown, with its first page loaded."""
    from leaddesk.ui.main_window import MainWindow

    main_window = MainWindow(context)
    qtbot.addWidget(main_window)
    main_window.show()
    qtbot.waitUntil(lambda: main_window.current_page.loaded and not context.runner.busy)
    yield main_window
    main_window.close()
