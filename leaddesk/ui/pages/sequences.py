"""The Sequences page: the drip sequences and how many leads are in each."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from leaddesk.reports.summary import SequenceOverview, sequence_overview
from leaddesk.ui.pages.base import Page
from leaddesk.ui.widgets.empty_state import EmptyState

COLUMNS = ("Sequence", "Status", "Enrolled", "Active", "Completed", "Exited")


class SequencesPage(Page):
    """Lists sequences with their enrollment counts."""

    key = "sequences"
    title = "Sequences"
    icon = ":/icons/sequences.svg"

    def build_empty_state(self) -> EmptyState:
        state = EmptyState(
            "No sequences yet",
            "A sequence is a schedule of helpful emails and follow-up tasks — for example a "
            "thank-you on day 1, a case study on day 7 and a consultation offer on day 30. "
            "Load sample data to see one.",
        )
        self.add_getting_started_actions(state)
        return state

    def build_content(self) -> QWidget:
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout.addWidget(self.table)
        return content

    def load(self, session: Any) -> list[SequenceOverview]:
        return sequence_overview(session)

    def apply(self, data: list[SequenceOverview]) -> None:
        if not data:
            self.show_empty()
            return
        self.table.setRowCount(len(data))
        for row, item in enumerate(data):
            values = (
                item.name,
                item.status.capitalize(),
                item.enrolled,
                item.active,
                item.completed,
                item.exited,
            )
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(str(value)))
        self.table.resizeColumnToContents(0)
        self.show_content()
