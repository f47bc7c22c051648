"""A server that takes longer than the command timeout to answer the final "." still gets
its answer read (RFC 5321 allows 10 minutes): the message is sent, once, not "unknown"."""

from __future__ import annotations

from leaddesk.clock import FixedClock
from leaddesk.mail.sender import send_due
from leaddesk.mail.transport import FINAL_REPLY_TIMEOUT
from tests.mail.mailtest_data import make_account, plan_messages, states
from tests.mail.mailtest_keyring import PASSWORD


def test_a_slow_answer_to_the_final_dot_is_waited_for(db, clock: FixedClock, smtp_server, tls):  # type: ignore[no-untyped-def]
    """Commands time out after 1 s; the server thinks 2.5 s after the data: still sent once."""
    assert FINAL_REPLY_TIMEOUT == 600.0
    account_id = make_account(db, smtp_server.port, PASSWORD)
    plan_messages(db, account_id, 2, clock.now())
    smtp_server.script.data_delay = 2.5
    report = send_due(db, clock, tls_context=tls, timeout=1.0)
    assert report.sent == 2, repr(report)[:600]
    assert states(db) == {"sent": 2}
    ids = [r.message.get("Message-ID") for r in smtp_server.received]
    assert len(ids) == len(set(ids)) == 2
