"""The periodic decay pass keeps stored scores fresh while the app runs."""

from __future__ import annotations

from datetime import timedelta

from pytestqt.qtbot import QtBot

from leaddesk.activities import ActivityEvent, record_activity
from leaddesk.db.engine import Database
from leaddesk.db.models import Lead
from leaddesk.tasks.score_decay import install_score_decay
from leaddesk.ui.context import AppContext


def test_decay_pass_updates_scores_and_reloads_pages(
    qtbot: QtBot, db: Database, context: AppContext, window: object
) -> None:
    """A month after a 25-point webinar (60-day half-life) the pass stores ~17.7 and reloads."""
    from leaddesk.clock import FixedClock
    from leaddesk.ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    clock = FixedClock(context.clock.now())
    context.clock = clock
    with db.write() as session:
        lead = Lead(email="a@example.com", email_key="a@example.com")
        session.add(lead)
        session.flush()
        event = ActivityEvent(lead.id, "webinar_attended", occurred_at=clock.now())
        record_activity(session, event, now=clock.now())
        lead_id = lead.id
    clock.advance(timedelta(days=30))
    decay = install_score_decay(window, start=False)
    with qtbot.waitSignals([decay.rescored, window.data_changed], timeout=10000):
        assert decay.run_now()
        assert not decay.run_now()  # never two passes at once
    with db.session() as session:
        stored = session.get(Lead, lead_id)
        assert stored is not None and abs(stored.score - 25 / 2**0.5) < 1e-9
    assert decay.timer.isActive() and decay.timer.interval() == 60 * 60_000
    qtbot.waitUntil(lambda: not context.runner.busy)
