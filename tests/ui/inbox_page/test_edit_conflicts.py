"""Two people editing one lead: the later save is never silent — reload or overwrite."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.inbox.profile import update_profile
from leaddesk.ui.pages.inbox import InboxPage
from tests.inbox.sample_inbox import Inbox
from tests.ui.inbox_page.helpers import answer_next_dialog, idle, lead_values


@pytest.mark.parametrize("choice", ["Overwrite", "Reload"])
def test_the_panel_asks_and_does_what_the_user_chose(
    qtbot: QtBot,
    page: InboxPage,
    inbox: Inbox,
    db: Database,
    clock: FixedClock,
    choice: str,
) -> None:
    """Another laptop changes the title while the panel shows the lead: saving asks; Overwrite
    keeps the typed title, Reload shows theirs and keeps nothing of the form."""
    page.open_lead(inbox.clara)
    qtbot.waitUntil(lambda: page.detail.loaded)
    with db.write() as session:
        update_profile(session, inbox.clara, {"title": "CTO"}, now=clock.now(), by="Maya")
    asked: list[str] = []
    answer_next_dialog(choice, asked)
    page.detail.edits["title"].setText("Head of Data")
    page.detail.save_button.click()
    idle(qtbot, page)
    qtbot.waitUntil(lambda: bool(asked) and page.detail.loaded)
    idle(qtbot, page)
    qtbot.waitUntil(lambda: page.detail.loaded)
    assert "changed by Maya" in asked[0]
    expected = "Head of Data" if choice == "Overwrite" else "CTO"
    assert lead_values(page, "title")[inbox.clara] == expected
    assert page.detail.edits["title"].text() == expected
