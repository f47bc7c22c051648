"""Wiring live updates (team mode) into the main window: other copies' saves refresh it."""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow

from leaddesk.tasks.live_updates import LiveUpdates
from leaddesk.ui.context import AppContext
from leaddesk.ui.widgets.connection_watch import ConnectionWatch


def install_live_updates(window: QMainWindow, *, start: bool = True) -> LiveUpdates:
    """Refresh ``window`` (keeping selections) when another copy commits; no-op on SQLite.

    Also watches for a team server that stops answering (:class:`ConnectionWatch`).
    """
    context = getattr(window, "context", None)
    assert isinstance(context, AppContext)
    window.connection_watch = ConnectionWatch(window, context)  # type: ignore[attr-defined]
    live = LiveUpdates(context.db, window)
    changed = getattr(window, "data_changed", None)
    if changed is not None:
        live.changed.connect(changed.emit)
    if start:
        live.start()
    window.live_updates = live  # type: ignore[attr-defined]
    return live
