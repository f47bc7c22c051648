"""Wiring live updates (team mode) into the main window: other copies' saves refresh it."""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow

from leaddesk.tasks.live_updates import LiveUpdates
from leaddesk.ui.context import AppContext


def install_live_updates(window: QMainWindow, *, start: bool = True) -> LiveUpdates:
    """Refresh ``window`` (keeping selections) when another copy commits; no-op on SQLite."""
    context = getattr(window, "context", None)
    assert isinstance(context, AppContext)
    live = LiveUpdates(context.db, window)
    changed = getattr(window, "data_changed", None)
    if changed is not None:
        live.changed.connect(changed.emit)
    if start:
        live.start()
    window.live_updates = live  # type: ignore[attr-defined]
    return live
