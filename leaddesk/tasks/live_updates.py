"""Live updates in team mode: other copies' saves refresh this window within a second or two.

Every write transaction on PostgreSQL sends ``NOTIFY leaddesk_changes`` with the writing copy's
id (see :meth:`leaddesk.db.engine.Database.write`; delivered only when it commits). Here a
thread holds one extra connection that LISTENs, and a burst of other copies' notices becomes
one ``changed`` signal on the GUI thread (after :data:`SETTLE_MS`), which refreshes the views
while they keep the user's selection. On SQLite nothing runs (one window per database file).
"""

from __future__ import annotations

import logging
import threading
import time

from PySide6.QtCore import QObject, QTimer, Signal
from sqlalchemy.engine import make_url

from leaddesk.db.engine import CHANGES_CHANNEL, Database

_log = logging.getLogger(__name__)
SETTLE_MS = 300  # one refresh for a burst of saves
MIN_GAP_MS = 1500  # and never more often than this, so a refresh lands within 2 s
RECONNECT_SECONDS = 5.0


class LiveUpdates(QObject):
    """LISTENs for other copies' changes and emits ``changed`` (GUI thread, debounced)."""

    changed = Signal()
    _noticed = Signal()

    def __init__(self, db: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._emit)
        self._noticed.connect(self._schedule)  # queued: from the thread to the GUI
        self._last_emit = 0.0
        self.listening = threading.Event()

    def _schedule(self) -> None:
        """One refresh per burst, and at most one every :data:`MIN_GAP_MS` (a sending pass on
        another laptop commits every few messages)."""
        if self._timer.isActive():
            return
        since = (time.monotonic() - self._last_emit) * 1000
        self._timer.start(int(max(SETTLE_MS, MIN_GAP_MS - since)))

    def _emit(self) -> None:
        self._last_emit = time.monotonic()
        self.changed.emit()

    def start(self) -> None:
        """Start listening (does nothing on SQLite)."""
        if self._db.is_sqlite or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._listen, name="leaddesk-live", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop listening (the thread ends within a second); a pending refresh is dropped."""
        if self._stop.is_set():
            return
        self._stop.set()
        self._timer.stop()
        self._noticed.disconnect(self._schedule)
        if self._thread is not None:
            self._thread.join(3)
            self._thread = None

    def _listen(self) -> None:
        import psycopg

        url = make_url(self._db.url).set(drivername="postgresql")
        conninfo = url.render_as_string(hide_password=False)
        interrupted = False
        while not self._stop.is_set():
            try:
                with psycopg.connect(conninfo, autocommit=True) as connection:
                    connection.execute(f"LISTEN {CHANGES_CHANNEL}")
                    self.listening.set()
                    if interrupted:  # notices sent while we were away are lost: reload once
                        interrupted = False
                        self._noticed.emit()
                    while not self._stop.is_set():
                        for notice in connection.notifies(timeout=1.0):
                            if notice.payload != self._db.origin:
                                self._noticed.emit()
            except psycopg.Error as error:
                self.listening.clear()
                interrupted = True
                _log.warning("live updates paused (%s); retrying", error)
                self._stop.wait(RECONNECT_SECONDS)
