"""The Inbox page: every lead in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import QLabel, QListWidget, QVBoxLayout, QWidget
from sqlalchemy import func, select

from leaddesk.db.models import Lead
from leaddesk.ui.pages.base import Page
from leaddesk.ui.widgets.empty_state import EmptyState


@dataclass(frozen=True)
class InboxSnapshot:
    """How many leads there are and the newest few, as plain text."""

    total: int
    newest: list[str]


class InboxPage(Page):
    """Lists the leads; shows how to get the first ones in when there are none."""

    key = "inbox"
    title = "Inbox"
    icon = ":/icons/inbox.svg"

    def build_empty_state(self) -> EmptyState:
        state = EmptyState(
            "No leads yet",
            "Import the badge-scan list from your last tradeshow or webinar — CSV or Excel, in any "
            "encoding — or load sample data to look around first.",
        )
        self.add_getting_started_actions(state)
        return state

    def build_content(self) -> QWidget:
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        self.count_label = QLabel()
        self.count_label.setObjectName("leadCount")
        self.newest_list = QListWidget()
        layout.addWidget(self.count_label)
        layout.addWidget(self.newest_list, 1)
        return content

    def load(self, session: Any) -> InboxSnapshot:
        total = session.scalar(select(func.count(Lead.id))) or 0
        rows = session.execute(
            select(Lead.first_name, Lead.last_name, Lead.company, Lead.email)
            .order_by(Lead.created_at.desc(), Lead.id.desc())
            .limit(200)
        ).all()
        newest = [
            f"{' '.join(p for p in (first, last) if p) or email} — {company or 'no company'}"
            for first, last, company, email in rows
        ]
        return InboxSnapshot(total, newest)

    def apply(self, data: InboxSnapshot) -> None:
        self.snapshot = data
        if data.total == 0:
            self.show_empty()
            return
        self.count_label.setText(f"{data.total:,} leads")
        self.newest_list.clear()
        self.newest_list.addItems(data.newest)
        self.show_content()
