"""A copy of each sent email in the Sent folder (real Dovecot), so a crash's unknown resolves."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select

from leaddesk.db.models import Activity, OutboundMessage, OutboxState, SenderAccount
from leaddesk.mail import secrets
from leaddesk.mail.sender import send_due
from leaddesk.mailbox import sync_mailbox
from tests.mail.mailtest_keyring import PASSWORD, USERNAME, client_context
from tests.mail.mailtest_support import TestSmtpServer


@pytest.fixture
def smtp(tmp_path: Path, world: Any) -> Iterator[TestSmtpServer]:
    """A loopback SMTP server (STARTTLS + AUTH) the world's account sends through."""
    folder = tmp_path / "smtp"
    folder.mkdir()
    server = TestSmtpServer(folder, PASSWORD, world.clock.now).start()
    with world.db.write() as session:
        account = session.get_one(SenderAccount, world.account_id)
        account.smtp_host, account.smtp_port = "127.0.0.1", server.port
        account.smtp_security, account.smtp_username = "starttls", USERNAME
        account.provider = "custom"
    secrets.set_password("smtp", world.account_id, USERNAME, PASSWORD)
    yield server
    server.stop()


def _due_message(world: Any, email: str) -> int:
    lead_id, _ = world.add_lead(email)
    with world.db.write() as session:
        row = session.scalar(
            select(OutboundMessage).where(
                OutboundMessage.lead_id == lead_id, OutboundMessage.state == OutboxState.SCHEDULED
            )
        )
        assert row is not None
        row.due_at = world.clock.now()
        return row.id


def _in_sent(world: Any, message_id: str) -> int:
    client = world.server.connect(world.user)
    client.select("Sent", readonly=True)
    _, data = client.search(None, "HEADER", "Message-ID", message_id)
    client.logout()
    return len(data[0].split())


def _crash_after_the_250(world: Any, row_id: int) -> None:
    """What a kill between the 250 (and its Sent copy) and the next commit leaves behind."""
    with world.db.write() as session:
        row = session.get_one(OutboundMessage, row_id)
        row.state, row.handed_at, row.sent_at = OutboxState.SENDING, world.clock.now(), None
        session.execute(
            delete(Activity).where(Activity.lead_id == row.lead_id, Activity.kind == "email_sent")
        )


def _state(world: Any, row_id: int) -> str:
    with world.db.session() as session:
        return session.get_one(OutboundMessage, row_id).state


def test_a_sent_email_is_filed_and_a_crash_after_its_250_resolves_to_sent(
    world: Any, smtp: TestSmtpServer
) -> None:
    """The copy lands in Sent once; after a crash the unknown email is found there and marked
    sent; the SMTP server received it exactly once."""
    row_id = _due_message(world, "filed@acme.example")
    tls = client_context(smtp.cert_path)
    report = send_due(world.db, world.clock, tls_context=tls)
    assert (report.sent, report.filed_in_sent) == (1, 1)
    with world.db.session() as session:
        message_id = session.get_one(OutboundMessage, row_id).message_id
    assert _in_sent(world, message_id) == 1
    _crash_after_the_250(world, row_id)
    again = send_due(world.db, world.clock, tls_context=tls)
    assert again.recovered_unknown == 1 and _state(world, row_id) == OutboxState.UNKNOWN
    world.clock.advance(timedelta(minutes=5))
    synced = sync_mailbox(world.db, world.clock)
    assert synced.ok and synced.accounts[0].reconciled.confirmed_sent == 1
    assert _state(world, row_id) == OutboxState.SENT
    assert [r.message_id for r in smtp.received].count(message_id) == 1


def test_without_a_mailbox_the_unknown_email_waits_for_the_user(
    world: Any, smtp: TestSmtpServer
) -> None:
    """No mailbox set up: no copy, and after the crash the email stays unknown — never resent."""
    with world.db.write() as session:
        session.get_one(SenderAccount, world.account_id).imap_host = ""
    row_id = _due_message(world, "nobox@acme.example")
    tls = client_context(smtp.cert_path)
    assert send_due(world.db, world.clock, tls_context=tls).filed_in_sent == 0
    _crash_after_the_250(world, row_id)
    for _ in range(2):
        send_due(world.db, world.clock, tls_context=tls)
        world.clock.advance(timedelta(hours=2))
    assert _state(world, row_id) == OutboxState.UNKNOWN
    assert len(smtp.received) == 1


@pytest.mark.parametrize("switch", ["provider files itself", "switched off"])
def test_no_copy_where_the_provider_files_or_the_user_said_no(
    world: Any, smtp: TestSmtpServer, switch: str
) -> None:
    """Google Workspace files sent mail itself, and the per-account switch turns copies off."""
    with world.db.write() as session:
        account = session.get_one(SenderAccount, world.account_id)
        if switch == "switched off":
            account.append_to_sent = False
        else:
            account.provider = "workspace"
    row_id = _due_message(world, "skip@acme.example")
    report = send_due(world.db, world.clock, tls_context=client_context(smtp.cert_path))
    assert (report.sent, report.filed_in_sent) == (1, 0)
    with world.db.session() as session:
        message_id = session.get_one(OutboundMessage, row_id).message_id
    assert _in_sent(world, message_id) == 0
