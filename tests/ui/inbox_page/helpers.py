"""Helpers for the Inbox page tests: waiting, reading the table, selecting, answering dialogs."""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from leaddesk.db.models import Lead
from leaddesk.ui.context import AppContext
from leaddesk.ui.models.inbox_table import COL_NAME
from leaddesk.ui.pages.inbox import InboxPage


def idle(qtbot: QtBot, page: InboxPage) -> None:
    """Wait until the page has loaded and no background job is left."""
    qtbot.waitUntil(lambda: page.loaded and not page.context.runner.busy, timeout=10000)


def names(page: InboxPage) -> list[str]:
    """The Name column as the table shows it (rows fetched as needed)."""
    model = page.model
    return [model.index(r, COL_NAME).data() for r in range(model.rowCount())]


def wait_names(qtbot: QtBot, page: InboxPage, expected: list[str]) -> None:
    """Wait until the table lists exactly ``expected``."""
    idle(qtbot, page)
    qtbot.waitUntil(lambda: names(page) == expected, timeout=5000)


def select_leads(page: InboxPage, *lead_ids: int) -> None:
    """Select the rows of ``lead_ids`` in that order."""
    from PySide6.QtCore import QItemSelectionModel

    page.table.clearSelection()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for lead_id in lead_ids:
        row = page.model.row_of(lead_id)
        assert row is not None
        page.table.selectionModel().select(page.model.index(row, 0), flags)


def lead_values(page: InboxPage, column: str) -> dict[int, object]:
    with page.context.db.session() as session:
        return dict(session.execute(select(Lead.id, getattr(Lead, column))).all())


def answer_next_dialog(button_text: str, seen: list[str] | None = None) -> None:
    """Click ``button_text`` in the next modal dialog that opens (its text goes to ``seen``)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QAbstractButton

    def click() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(10, click)
            return
        if seen is not None:
            seen.append(str(getattr(dialog, "text", dialog.windowTitle)()))
        for button in dialog.findChildren(QAbstractButton):
            if button.text().replace("&", "") == button_text:
                button.click()
                return
        raise AssertionError(f"no button {button_text!r} in {dialog.windowTitle()!r}")

    QTimer.singleShot(0, click)


def shown_page(qtbot: QtBot, context: AppContext) -> Iterator[InboxPage]:
    """An Inbox page at 1200×700, shown and loaded; closed afterwards (for fixtures)."""
    widget = InboxPage(context)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    widget.refresh()
    idle(qtbot, widget)
    yield widget
    widget.close()
