"""Another program holding SQLite's write lock in the middle of a sending pass."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from leaddesk.cli import main
from leaddesk.errors import TEMPORARY_FAILURE
from leaddesk.mail.sender import send_due
from tests.mail.mailtest_data import make_account, plan_messages, states
from tests.mail.mailtest_keyring import PASSWORD

HOLDER = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], timeout=60, isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
connection.execute("COMMIT")
"""


class LockHolder:
    """A separate process that takes the write lock once the server has ``after`` messages."""

    def __init__(self, db_path: Path, seconds: float, server: object, after: int) -> None:
        self.process: subprocess.Popen[str] | None = None
        self.locked_at = 0.0
        self._args = (db_path, seconds, server, after)
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        db_path, seconds, server, after = self._args
        while len(server.received) < after:  # type: ignore[attr-defined]
            time.sleep(0.002)
        self.process = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(db_path), str(seconds)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "locked"
        self.locked_at = time.monotonic()

    def finish(self) -> None:
        """Wait for the holder to let go."""
        self._thread.join(30)
        assert self.process is not None, "the holder never started"
        assert self.process.wait(30) == 0
        assert self.process.stdout is not None
        self.process.stdout.close()


def test_send_due_waits_out_a_12_second_write_lock(db, db_path, clock, smtp_server, tls):
    """A 12 s write lock mid-pass: the sender waits, then sends every email exactly once."""
    account_id = make_account(db, smtp_server.port, PASSWORD)
    plan_messages(db, account_id, 40, clock.now())
    smtp_server.script.data_delay = 0.01
    holder = LockHolder(db_path, 12, smtp_server, after=5)
    report = send_due(db, clock, tls_context=tls)
    holder.finish()
    assert report.sent == 40 and not report.stopped_busy
    assert report.waited_for_database >= 8, report
    assert states(db) == {"sent": 40}
    received = Counter(r.message_id for r in smtp_server.received)
    assert len(received) == 40 and max(received.values()) == 1


def test_a_lock_held_past_patience_stops_cleanly_before_the_next_email(
    db, db_path, clock, smtp_server, tls
):
    """Past the sender's patience it stops before DATA, records what went out, and the next
    pass sends the rest: nothing twice, nothing unknown."""
    account_id = make_account(db, smtp_server.port, PASSWORD)
    plan_messages(db, account_id, 40, clock.now())
    smtp_server.script.data_delay = 0.01
    db.write_patience = 2.0
    holder = LockHolder(db_path, 12, smtp_server, after=5)
    report = send_due(db, clock, tls_context=tls)
    holder.finish()
    assert report.stopped_busy and report.sent < 40
    delivered_first = len(smtp_server.received)
    assert set(states(db)) <= {"sent", "sending", "scheduled"}
    again = send_due(db, clock, tls_context=tls)
    assert again.recovered_unknown == 0 and not again.stopped_busy
    assert states(db) == {"sent": 40}
    received = Counter(r.message_id for r in smtp_server.received)
    assert len(received) == 40 and max(received.values()) == 1
    assert delivered_first < 40


def test_cli_says_it_waited_and_exits_for_a_retry_when_the_lock_outlasts_it(
    db, db_path, capsys, monkeypatch
):
    """`send-due` with emails due and the database locked past its patience: a sentence and
    exit 75. (With nothing due it needs no lock: it answers 0 at once, locked or not.)"""
    from datetime import UTC, datetime, timedelta

    from leaddesk.db import engine

    monkeypatch.setattr(engine, "WRITE_PATIENCE", 1.0)
    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 500)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db_path), "6"], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    assert main(["--db", str(db_path), "send-due"]) == 0  # nothing due yet
    capsys.readouterr()
    holder.wait(30)
    holder.stdout.close()
    account = make_account(db, 2525, PASSWORD)
    plan_messages(db, account, 1, datetime.now(UTC) - timedelta(minutes=1))
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db_path), "4"], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    status = main(["--db", str(db_path), "send-due"])
    assert holder.wait(30) == 0
    holder.stdout.close()
    assert status == TEMPORARY_FAILURE
    err = capsys.readouterr().err
    assert "locked by another program" in err and "Traceback" not in err
