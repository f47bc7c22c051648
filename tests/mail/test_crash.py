"""The promise under SIGKILL: every planned email reaches the server at most once, none is lost."""

from __future__ import annotations

import os
import random
import signal
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from leaddesk.db.models import OutboundMessage, OutboxState
from tests.mail.mailtest_data import make_account, plan_messages, states
from tests.mail.mailtest_harness import SenderHarness
from tests.mail.mailtest_keyring import PASSWORD

IN_FLIGHT = {OutboxState.SCHEDULED, OutboxState.SENDING, OutboxState.DEFERRED}


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="the crash harness forks sender processes")
@pytest.mark.parametrize("seed", [11, 2024, 77])
def test_sigkill_never_duplicates_or_loses_a_message(db, db_path, smtp_server, seed):
    """SIGKILLed at 20+ random moments, each email reaches the server once; at most one per
    kill is left unknown, and every other one is sent by the next sender by itself."""
    rng = random.Random(seed)
    account_id = make_account(db, smtp_server.port, PASSWORD)
    plan_messages(db, account_id, 500, datetime.now(UTC) - timedelta(minutes=1))
    smtp_server.script.data_delay = 0.003  # like a real server: the sender is mid-send when killed
    kills = 0
    with SenderHarness(db_path, smtp_server.cert_path, PASSWORD) as harness:
        for _ in range(200):
            if not IN_FLIGHT & set(states(db)):
                break
            kill_after = rng.uniform(0.0, 0.15) if kills < 22 else None
            kills += harness.run(kill_after) == -signal.SIGKILL
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
    # One SMTP connection per sender: at most the one message whose DATA had begun per kill.
    assert final.get("unknown", 0) <= kills, final
    assert final.get("sent", 0) + final.get("unknown", 0) == 500, final
