"""The promise under SIGKILL: every planned email reaches the server at most once, none is lost."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import PASSWORD
from mailtest_data import make_account, plan_messages, states
from sqlalchemy import select

from leaddesk.db.models import OutboundMessage, OutboxState
from leaddesk.mail.sender import CLAIM_BATCH

WORKER = Path(__file__).with_name("mailtest_worker.py")
ROOT = Path(__file__).resolve().parents[2]
IN_FLIGHT = {OutboxState.SCHEDULED, OutboxState.SENDING, OutboxState.DEFERRED}


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="the crash harness forks sender processes")
@pytest.mark.parametrize("seed", [11, 2024, 77])
def test_sigkill_never_duplicates_or_loses_a_message(db, db_path, smtp_server, seed):
    """Killed at 20+ random moments and restarted, the sender delivers each email once or marks
    it unknown — never twice, never silently dropped."""
    rng = random.Random(seed)
    account_id = make_account(db, smtp_server.port, PASSWORD)
    plan_messages(db, account_id, 500, datetime.now(UTC) - timedelta(minutes=1))
    zygote = subprocess.Popen(
        [sys.executable, str(WORKER), str(db_path), str(smtp_server.cert_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        bufsize=1,
    )
    assert zygote.stdin is not None and zygote.stdout is not None
    zygote.stdin.write(PASSWORD + "\n")
    assert zygote.stdout.readline().strip() == "zygote"
    kills = 0
    try:
        for _ in range(200):
            if not IN_FLIGHT & set(states(db)):
                break
            zygote.stdin.write("run\n")
            line = zygote.stdout.readline().split()
            assert line[0] == "ready", line
            pid = int(line[1])
            if kills < 22:
                time.sleep(rng.uniform(0.0, 0.25))
                os.kill(pid, signal.SIGKILL)
            zygote.stdin.write("reap\n")
            while not (line := zygote.stdout.readline()).startswith("status"):
                assert line, "the sender harness died"
            kills += int(line.split()[1]) == -signal.SIGKILL
    finally:
        zygote.stdin.close()
        zygote.wait(timeout=30)
        zygote.stdout.close()
    assert kills >= 20
    final = states(db)
    assert not IN_FLIGHT & set(final), final
    received = Counter(r.message_id for r in smtp_server.received)
    assert max(received.values()) == 1, "a message reached the server twice"
    with db.session() as session:
        rows = {r.message_id: r.state for r in session.scalars(select(OutboundMessage))}
    for message_id, state in rows.items():
        if state == OutboxState.SENT:
            assert received[message_id] == 1
        else:
            assert state == OutboxState.UNKNOWN and received[message_id] <= 1
    assert set(received) <= set(rows)
    assert final.get("sent", 0) >= 500 - kills * CLAIM_BATCH
