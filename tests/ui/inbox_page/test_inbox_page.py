"""The Inbox page: lazy table, search, filters, saved views, sorting, columns, keyboard."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from leaddesk.ui.context import AppContext
from leaddesk.ui.models.inbox_table import (
    BAND_ROLE,
    COL_EMAIL,
    COL_NAME,
    COL_SCORE,
    LEAD_ID_ROLE,
    InboxTableModel,
)
from leaddesk.ui.pages.inbox import InboxPage
from tests.inbox.sample_inbox import Inbox
from tests.ui.inbox_page.helpers import answer_next_dialog, idle, names, wait_names


def test_model_tester_on_the_lazy_model(
    qtbot: QtBot, qtmodeltester: ModelTester, page: InboxPage
) -> None:
    """The inbox model passes Qt's model consistency checks."""
    qtmodeltester.check(page.model, force_py=True)
    idle(qtbot, page)
    assert page.model.index(0, COL_SCORE).data(BAND_ROLE) == "sales_ready"


def test_rows_arrive_in_blocks(qtbot: QtBot, fixed_context: AppContext, inbox: Inbox) -> None:
    """A row not fetched yet is blank, then filled when its block arrives from the worker."""
    model = InboxTableModel(InboxPage(fixed_context)._fetch_block)
    model.set_ids([inbox.ben, inbox.anna])
    assert model.index(0, COL_NAME).data() is None
    assert model.index(0, COL_NAME).data(LEAD_ID_ROLE) == inbox.ben
    with qtbot.waitSignal(model.dataChanged, timeout=5000):
        pass
    assert model.index(0, COL_NAME).data() == "Ben Bauer"
    assert "fit 0 + engagement 0" in model.index(0, COL_SCORE).data(Qt.ItemDataRole.ToolTipRole)
    assert model.rowCount(model.index(0, 0)) == 0 and model.data(QModelIndex()) is None


def test_first_screen_shows_score_order(page: InboxPage) -> None:
    """The inbox opens with every lead, the highest score first, and the count."""
    assert names(page) == ["Anna Andersen", "Ben Bauer", "David Dubois", "Clara Costa"]
    assert page.count_label.text() == "4 leads"
    tip = page.model.index(0, COL_SCORE).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == "Sales-ready: fit 45 + engagement 37 = 82"


def test_search_as_you_type(qtbot: QtBot, page: InboxPage) -> None:
    """Typing in the search box narrows the table after a short pause; clearing restores it."""
    qtbot.keyClicks(page.filter_bar.search_edit, "kestr")
    wait_names(qtbot, page, ["Ben Bauer"])
    assert page.count_label.text() == "1 of 4 leads"
    page.filter_bar.search_edit.setText("nobody-like-this")
    wait_names(qtbot, page, [])
    assert page.empty_result.isVisibleTo(page)
    page.filter_bar.search_edit.clear()
    wait_names(qtbot, page, ["Anna Andersen", "Ben Bauer", "David Dubois", "Clara Costa"])


@pytest.mark.parametrize(
    ("combo", "value", "expected"),
    [
        ("status_combo", "nurturing", ["Ben Bauer", "David Dubois"]),
        ("band_combo", "cold", ["David Dubois", "Clara Costa"]),
        ("owner_combo", "none", ["Clara Costa"]),
        ("source_combo", "Website", ["Clara Costa"]),
        ("tag_combo", "vip", ["Anna Andersen"]),
        ("sequence_combo", "active", ["Ben Bauer"]),
    ],
)
def test_each_filter(
    qtbot: QtBot, page: InboxPage, combo: str, value: str, expected: list[str]
) -> None:
    """Choosing a value in a filter combo lists only the matching leads."""
    widget = getattr(page.filter_bar, combo)
    widget.setCurrentIndex(widget.findData(value))
    wait_names(qtbot, page, expected)


def test_needs_attention_and_clear(qtbot: QtBot, page: InboxPage) -> None:
    """The needs-attention view lists replied, sales-ready and overdue leads; Clear resets."""
    page.filter_bar.attention_check.setChecked(True)
    wait_names(qtbot, page, ["Anna Andersen", "David Dubois", "Clara Costa"])
    page.filter_bar.clear_button.click()
    wait_names(qtbot, page, ["Anna Andersen", "Ben Bauer", "David Dubois", "Clara Costa"])


def test_saved_views(qtbot: QtBot, page: InboxPage) -> None:
    """A saved view is listed by name and brings its filters back when chosen."""
    bar = page.filter_bar
    bar.band_combo.setCurrentIndex(bar.band_combo.findData("cold"))
    wait_names(qtbot, page, ["David Dubois", "Clara Costa"])
    page.save_current_view("Cold leads")
    idle(qtbot, page)
    qtbot.waitUntil(lambda: bar.views_combo.findText("Cold leads") > 0)
    bar.clear_button.click()
    wait_names(qtbot, page, ["Anna Andersen", "Ben Bauer", "David Dubois", "Clara Costa"])
    bar.choose_view("Cold leads")
    wait_names(qtbot, page, ["David Dubois", "Clara Costa"])
    assert bar.band_combo.currentData() == "cold"
    bar.delete_view_button.click()
    idle(qtbot, page)
    qtbot.waitUntil(lambda: bar.views_combo.findText("Cold leads") < 0)


def test_header_click_sorts_in_sql(qtbot: QtBot, page: InboxPage) -> None:
    """Clicking a column header re-sorts the table; the order is remembered by the header."""
    page.table.sortByColumn(COL_EMAIL, Qt.SortOrder.AscendingOrder)
    wait_names(qtbot, page, ["Anna Andersen", "Ben Bauer", "Clara Costa", "David Dubois"])
    page.table.sortByColumn(COL_NAME, Qt.SortOrder.DescendingOrder)
    wait_names(qtbot, page, ["David Dubois", "Clara Costa", "Ben Bauer", "Anna Andersen"])


def test_columns_hidden_and_moved_are_remembered(
    qtbot: QtBot, page: InboxPage, fixed_context: AppContext
) -> None:
    """Hidden and reordered columns come back the same way in a new window."""
    header = page.table.horizontalHeader()
    page.columns.set_visible(COL_EMAIL, False)
    header.moveSection(header.visualIndex(COL_SCORE), 0)
    again = InboxPage(fixed_context)
    qtbot.addWidget(again)
    again_header = again.table.horizontalHeader()
    assert again_header.isSectionHidden(COL_EMAIL)
    assert again_header.logicalIndex(0) == COL_SCORE
    page.columns.set_visible(COL_NAME, False)
    assert not header.isSectionHidden(COL_NAME)


def test_keyboard(qtbot: QtBot, page: InboxPage) -> None:
    """Ctrl+F goes to search, Enter opens the lead, Esc closes it, Delete asks first."""
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.filter_bar.search_edit.hasFocus()
    page.table.setFocus()
    page.table.selectRow(1)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.detail.loaded and page.detail.isVisible())
    assert page.detail.edits["email"].text() == "ben.bauer@kestrel.example"
    qtbot.keyClick(page.table, Qt.Key.Key_Escape)
    assert not page.detail.isVisible()
    answer_next_dialog("Cancel")
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    idle(qtbot, page)
    assert len(names(page)) == 4


def test_selection_count(qtbot: QtBot, page: InboxPage) -> None:
    """Selecting rows updates the selection count."""
    page.table.selectAll()
    assert page.selection_label.text() == "4 selected of 4"
    page.table.clearSelection()
    assert page.selection_label.text() == "4 listed"


def test_arrows_move_the_open_lead(qtbot: QtBot, page: InboxPage) -> None:
    """With a lead open, the down arrow opens the next lead in the table."""
    page.table.setFocus()
    page.table.selectRow(0)
    qtbot.keyClick(page.table, Qt.Key.Key_Enter)
    qtbot.waitUntil(lambda: page.detail.loaded and page.detail.isVisible())
    assert page.detail.edits["first_name"].text() == "Anna"
    qtbot.keyClick(page.table, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: page.detail.loaded and page.detail.edits["first_name"].text() == "Ben")


def test_add_lead_dialog_checks_the_address(qtbot: QtBot) -> None:
    """The dialog stays open on a bad address and returns the typed fields and tags."""
    from leaddesk.ui.inbox.add_lead import AddLeadDialog

    dialog = AddLeadDialog()
    qtbot.addWidget(dialog)
    dialog.ui.emailEdit.setText("not-an-address")
    dialog.ui.firstNameEdit.setText("Nova")
    dialog.ui.tagsEdit.setText("expo, vip ,")
    dialog.accept()
    assert dialog.result() == 0 and dialog.ui.errorLabel.text()
    dialog.ui.emailEdit.setText("nova@acme.example")
    dialog.accept()
    assert dialog.result() == 1
    assert dialog.values() == (
        {"email": "nova@acme.example", "first_name": "Nova"},
        ["expo", "vip"],
    )
