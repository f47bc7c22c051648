"""The Reports page: the funnel at a glance."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from leaddesk.activities.kinds import label as activity_label
from leaddesk.db.models import LifecycleStatus, ScoreBand
from leaddesk.reports.summary import FunnelSummary, funnel_summary
from leaddesk.ui.pages.base import Page
from leaddesk.ui.widgets.empty_state import EmptyState


def _pretty(value: str) -> str:
    return value.replace("_", " ").capitalize()


class ReportsPage(Page):
    """Leads by status, band and source, and what happened in the last 30 days."""

    key = "reports"
    title = "Reports"
    subtitle = "Your funnel today and the activity of the last 30 days."
    icon = ":/icons/reports.svg"

    def build_empty_state(self) -> EmptyState:
        state = EmptyState(
            "No numbers yet",
            "Reports fill in as soon as you have leads: where they came from, how warm they "
            "are, and what they did in the last 30 days.",
        )
        self.add_getting_started_actions(state)
        return state

    def build_content(self) -> QWidget:
        content = QWidget()
        self.grid = QGridLayout(content)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.boxes: dict[str, QVBoxLayout] = {}
        titles = ("Lifecycle status", "Score band", "Top sources", "Last 30 days")
        for index, title in enumerate(titles):
            box = QGroupBox(title)
            inner = QVBoxLayout(box)
            self.boxes[title] = inner
            self.grid.addWidget(box, index // 2, index % 2)
        self.grid.setRowStretch(2, 1)
        return content

    def load(self, session: Any) -> FunnelSummary:
        return funnel_summary(session, self.context.clock.now())

    def apply(self, data: FunnelSummary) -> None:
        self.summary = data
        if data.total_leads == 0:
            self.show_empty()
            return
        sections = {
            "Lifecycle status": [
                (_pretty(s), data.by_status[s]) for s in LifecycleStatus if s in data.by_status
            ],
            "Score band": [(_pretty(b), data.by_band[b]) for b in ScoreBand if b in data.by_band],
            "Top sources": data.top_sources,
            "Last 30 days": sorted(
                ((activity_label(k), v) for k, v in data.recent_activity.items()),
                key=lambda pair: -pair[1],
            ),
        }
        for title, rows in sections.items():
            layout = self.boxes[title]
            while layout.count():
                item = layout.takeAt(0)
                widget = item.widget() if item is not None else None
                if widget is not None:
                    widget.deleteLater()
            for name, count in rows or [("Nothing yet", 0)]:
                layout.addWidget(QLabel(f"<b>{count:,}</b>&nbsp;&nbsp;{html.escape(str(name))}"))
            layout.addStretch(1)
        self.show_content()
