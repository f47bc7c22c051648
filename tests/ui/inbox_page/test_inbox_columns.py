"""The inbox at the default window size: columns fit by priority, the panel keeps Name and Score."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from leaddesk.db.engine import Database
from leaddesk.demo import load_demo_data
from leaddesk.ui.context import AppContext
from leaddesk.ui.inbox.column_fit import ColumnSpec, fit_columns
from leaddesk.ui.main_window import MainWindow
from leaddesk.ui.models.inbox_table import (
    COL_COMPANY,
    COL_EMAIL,
    COL_NAME,
    COL_NEXT_STEP,
    COL_OWNER,
    COL_SCORE,
    COL_STATUS,
    COLUMNS,
)
from leaddesk.ui.pages.inbox import InboxPage

MUST_SHOW = (COL_NAME, COL_COMPANY, COL_SCORE, COL_STATUS, COL_OWNER, COL_NEXT_STEP)


@pytest.fixture
def demo_inbox(qtbot: QtBot, db: Database, context: AppContext) -> tuple[MainWindow, InboxPage]:
    """The main window at 1200×760 on the sample data, Inbox shown."""
    load_demo_data(db)
    return _open_inbox(qtbot, context, 1200, 760)


def _open_inbox(
    qtbot: QtBot, context: AppContext, width: int, height: int
) -> tuple[MainWindow, InboxPage]:
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.resize(width, height)
    window.show()
    page = window.show_page("inbox")
    qtbot.waitUntil(lambda: page.loaded and not context.runner.busy, timeout=20000)
    assert isinstance(page, InboxPage)
    return window, page


def _shown(page: InboxPage) -> list[str]:
    header = page.table.horizontalHeader()
    return [COLUMNS[c][0] for c in range(header.count()) if not header.isSectionHidden(c)]


def _no_horizontal_scrolling(page: InboxPage) -> bool:
    bar = page.table.horizontalScrollBar()
    return bar.maximum() == 0 or not bar.isVisible()


def test_default_size_shows_the_working_columns_without_scrolling(
    qtbot: QtBot, demo_inbox: tuple[MainWindow, InboxPage]
) -> None:
    """At 1200×760 Name, Company, Score, Status, Owner and Next step show, and nothing scrolls."""
    window, page = demo_inbox
    qtbot.waitUntil(lambda: all(not page.table.isColumnHidden(c) for c in MUST_SHOW))
    assert _no_horizontal_scrolling(page), _shown(page)
    header = page.table.horizontalHeader()
    widths = sum(
        header.sectionSize(c) for c in range(header.count()) if not header.isSectionHidden(c)
    )
    assert widths == page.table.viewport().width()
    window.resize(1800, 1000)
    qtbot.waitUntil(lambda: not page.table.isColumnHidden(COL_EMAIL))
    assert _no_horizontal_scrolling(page)


def test_panel_keeps_name_and_score_and_follows_a_single_click(
    qtbot: QtBot, demo_inbox: tuple[MainWindow, InboxPage]
) -> None:
    """With the lead panel open the table still shows Name and Score; one click shows that lead."""
    _window, page = demo_inbox
    page.open_lead(page.model.lead_id(0))
    qtbot.waitUntil(lambda: page.detail.isVisible() and page.detail.loaded)
    qtbot.waitUntil(lambda: page.table.isColumnHidden(COL_OWNER))
    assert not page.table.isColumnHidden(COL_NAME) and not page.table.isColumnHidden(COL_SCORE)
    assert _no_horizontal_scrolling(page)
    third = page.model.lead_id(2)
    rect = page.table.visualRect(page.model.index(2, COL_NAME))
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: page.detail.lead_id == third and page.detail.loaded)
    assert page.detail.edits["email"].text() == page.model.index(2, COL_EMAIL).data()


def test_column_choice_is_remembered_and_steps_aside_for_room(
    qtbot: QtBot, demo_inbox: tuple[MainWindow, InboxPage], context: AppContext
) -> None:
    """A column the user hides stays hidden in a new window; one with no room comes back wider."""
    _window, page = demo_inbox
    page.columns.set_visible(COL_OWNER, False)
    assert page.table.isColumnHidden(COL_OWNER)
    _again, other = _open_inbox(qtbot, context, 1800, 1000)
    assert other.table.isColumnHidden(COL_OWNER)
    assert not other.table.isColumnHidden(COL_EMAIL)
    other.columns.set_visible(COL_OWNER, True)
    assert not other.table.isColumnHidden(COL_OWNER)


SPECS = (
    ColumnSpec(0, 0, 100, 150, always=True),
    ColumnSpec(1, 1, 80, 100, always=True),
    ColumnSpec(2, 2, 80, 120),
    ColumnSpec(3, 3, 100, 200),
)


def test_fit_fills_the_width_exactly_by_priority() -> None:
    """The shown columns add up to the width; low-priority ones step aside first."""
    wide = fit_columns(SPECS, 1000)
    assert sum(wide.widths.values()) == 1000 and not wide.no_room
    narrow = fit_columns(SPECS, 400)
    assert set(narrow.widths) == {0, 1, 2} and narrow.no_room == {3}
    assert sum(narrow.widths.values()) == 400
    tiny = fit_columns(SPECS, 100)
    assert tiny.widths == {0: 100, 1: 80}  # only the always-shown columns; the table scrolls
    hidden = fit_columns(SPECS, 1000, hidden=frozenset({2, 0}))
    assert set(hidden.widths) == {0, 1, 3}  # Name cannot be hidden


def test_dragged_width_is_kept_when_there_is_room() -> None:
    """A width the user dragged is used as is; the left-over goes to the right-most column."""
    fit = fit_columns(SPECS, 1000, preferred={2: 300}, visual_order=(3, 2, 1, 0))
    assert fit.widths[2] == 300 and fit.widths[0] == 1000 - 300 - 100 - 200
