"""Sending through a relay that needs no login (a company relay, a local MTA): EHLO first,
every message received once, the account never paused."""

from __future__ import annotations

from leaddesk.db.models import SenderAccount
from leaddesk.mail.sender import send_due
from tests.mail.mailtest_data import make_account, plan_messages, states


def test_a_relay_without_login_receives_each_message_once(db, clock, relay) -> None:
    """No login, no TLS: the client greets with EHLO and all five emails arrive exactly once."""
    controller, handler = relay
    account_id = make_account(
        db, controller.port, "", smtp_security="none", smtp_username="", provider="custom"
    )
    plan_messages(db, account_id, 5, clock.now())
    report = send_due(db, clock)
    assert report.sent == 5, repr(report)[200:900]
    assert states(db) == {"sent": 5}
    ids = [r.message_id for r in handler.received]
    assert len(ids) == len(set(ids)) == 5
    assert handler.greetings and handler.auth_attempts == []
    with db.session() as session:
        account = session.get_one(SenderAccount, account_id)
        assert account.paused_until is None and account.pause_reason == ""


def test_account_add_without_a_password_sends_through_the_relay(
    db, db_path, clock, relay, capsys, monkeypatch
) -> None:
    """`account add --no-password` stores no login, and `send-due` then delivers via the relay."""
    import io
    import json
    import sys

    from leaddesk.cli import main

    controller, handler = relay
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    status = main(["--db", str(db_path), "account", "add", "Relay", "--from",
                   "sales@leaddesk-test.example", "--host", "127.0.0.1", "--port",
                   str(controller.port), "--security", "none", "--no-password"])  # fmt: skip
    assert status == 0, capsys.readouterr().err
    capsys.readouterr()
    assert main(["--db", str(db_path), "account", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed[0]["smtp_username"] == ""
    plan_messages(db, listed[0]["id"], 2, clock.now())
    assert main(["--db", str(db_path), "send-due"]) == 0
    assert len(handler.received) == 2 and states(db) == {"sent": 2}
