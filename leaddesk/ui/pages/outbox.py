"""The Outbox page: every planned, sent and failed email."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget
from sqlalchemy import func, select

from leaddesk.db.models import OutboundMessage
from leaddesk.ui.pages.base import Page
from leaddesk.ui.widgets.empty_state import EmptyState


class OutboxPage(Page):
    """Shows the outbox by state."""

    key = "outbox"
    title = "Outbox"
    icon = ":/icons/outbox.svg"

    def build_empty_state(self) -> EmptyState:
        state = EmptyState(
            "Nothing to send yet",
            "Emails appear here when a sequence step comes due. Each one is sent at most once, "
            "from your own mailbox, inside the lead's business hours.",
        )
        self.add_getting_started_actions(state)
        return state

    def build_content(self) -> QWidget:
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        self.summary_label = QLabel()
        layout.addWidget(self.summary_label)
        layout.addStretch(1)
        return content

    def load(self, session: Any) -> dict[str, int]:
        rows = session.execute(
            select(OutboundMessage.state, func.count()).group_by(OutboundMessage.state)
        ).all()
        return dict(rows)

    def apply(self, data: dict[str, int]) -> None:
        if not data:
            self.show_empty()
            return
        self.summary_label.setText(
            " · ".join(f"{count:,} {state}" for state, count in sorted(data.items()))
        )
        self.show_content()
