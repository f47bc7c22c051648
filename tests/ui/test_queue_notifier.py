"""The Sales queue badge and the notices "me" gets for new hand-offs and missed deadlines."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from pytestqt.qtbot import QtBot

from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.handoff.identity import set_me
from leaddesk.handoff.service import hand_off
from leaddesk.handoff.team import add_member
from leaddesk.handoff.timers import run_handoff_timers
from leaddesk.ui.context import AppContext
from leaddesk.ui.main_window import MainWindow
from leaddesk.ui.sales_queue.notifier import install_queue_notifier
from tests.handoff.conftest import new_lead


def _hand(db: Database, clock: FixedClock, email: str) -> None:
    with db.write() as session:
        hand_off(session, new_lead(session, email), trigger="threshold", now=clock.now())


def test_badge_counts_my_handoffs_and_new_ones_are_announced(
    qtbot: QtBot, db: Database, context: AppContext, clock: FixedClock
) -> None:
    """Tom's window shows "Sales queue (1)", then says so when a new lead and a breach arrive."""
    with db.write() as session:
        tom = add_member(session, "Tom Okoro", "tom@team.example", timezone="Europe/Berlin")
    set_me(db, tom.email)
    _hand(db, clock, "first@acme.example")
    window = MainWindow(dataclasses.replace(context, clock=clock))
    qtbot.addWidget(window)
    window.show()
    notifier = install_queue_notifier(window)
    item = window.ui.navList.item(window.page_keys.index("sales_queue"))
    qtbot.waitUntil(lambda: item.text() == "Sales queue (1)")
    assert notifier.shown == []  # what was waiting at start is not news
    _hand(db, clock, "second@acme.example")
    notifier.refresh()
    qtbot.waitUntil(lambda: item.text() == "Sales queue (2)")
    assert notifier.shown == ["1 new lead for you"]
    assert "1 new lead for you: Anna Bauer" in window.statusBar().currentMessage()
    clock.advance(timedelta(hours=25))
    with db.write() as session:
        run_handoff_timers(session, clock.now())
    notifier.refresh()
    qtbot.waitUntil(lambda: len(notifier.shown) == 2)
    assert notifier.shown[-1] == "Follow-up deadline missed"
    assert "2 of your hand-offs" in item.toolTip() and "2 overdue" in item.toolTip()
    window.close()
