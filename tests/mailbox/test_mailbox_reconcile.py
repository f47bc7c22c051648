"""Unknown sends resolved from the Sent folder of a real Dovecot."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

import tests.mailbox.mailbox_messages as msgs
from leaddesk.db.models import Activity, OutboundMessage, OutboxState, SenderAccount
from leaddesk.mailbox import sync_mailbox
from leaddesk.mailbox.reconcile import RESCHEDULED_MARK


def _make_unknown(world: Any, email: str, claimed_minutes_ago: int, mark: str = "") -> int:
    lead_id, _ = world.add_lead(email)
    with world.db.write() as session:
        row = session.scalar(
            select(OutboundMessage).where(
                OutboundMessage.lead_id == lead_id,
                OutboundMessage.state == OutboxState.SCHEDULED,
            )
        )
        assert row is not None
        row.state = OutboxState.UNKNOWN
        row.claimed_at = world.clock.now() - timedelta(minutes=claimed_minutes_ago)
        row.first_attempt_at = row.claimed_at
        row.attempts = 1
        row.finished_reason = mark
        return row.id


def _row(world: Any, row_id: int) -> OutboundMessage:
    with world.db.session() as session:
        row = session.get(OutboundMessage, row_id)
        assert row is not None
        return row


def test_unknown_send_found_in_sent_folder_becomes_sent(world: Any) -> None:
    """A message whose SMTP session broke but which is in the Sent folder counts as sent."""
    row_id = _make_unknown(world, "found@acme.test", claimed_minutes_ago=5)
    client = world.server.connect(world.user)
    message_id = _row(world, row_id).message_id
    raw = msgs.sent_copy(world.user, "found@acme.test", message_id, world.clock.now())
    assert client.append("Sent", r"(\Seen)", None, raw)[0] == "OK"
    client.logout()

    report = sync_mailbox(world.db, world.clock)

    assert report.ok and report.accounts[0].reconciled is not None
    assert report.accounts[0].reconciled.confirmed_sent == 1
    row = _row(world, row_id)
    assert row.state == OutboxState.SENT and row.sent_at is not None
    with world.db.session() as session:
        kinds = list(session.scalars(select(Activity.kind).where(Activity.lead_id == row.lead_id)))
    assert kinds == ["email_sent"]


def _files_sent_itself(world: Any) -> None:
    with world.db.write() as session:
        session.get_one(SenderAccount, world.account_id).provider = "workspace"


def test_unknown_send_missing_from_sent_folder_is_rescheduled_once(world: Any) -> None:
    """Where the provider files sent mail: not in Sent after the grace period → scheduled
    again once; then left for the user."""
    _files_sent_itself(world)
    late = _make_unknown(world, "late@acme.test", claimed_minutes_ago=120)
    fresh = _make_unknown(world, "fresh@acme.test", claimed_minutes_ago=5)
    again = _make_unknown(world, "again@acme.test", claimed_minutes_ago=300, mark=RESCHEDULED_MARK)

    report = sync_mailbox(world.db, world.clock)

    counts = report.accounts[0].reconciled
    assert counts is not None
    assert (counts.rescheduled, counts.waiting, counts.left_for_user) == (1, 1, 1)
    assert _row(world, late).state == OutboxState.SCHEDULED
    assert _row(world, fresh).state == OutboxState.UNKNOWN
    assert _row(world, again).state == OutboxState.UNKNOWN

    # The resend broke again: the second time it is the user's call.
    with world.db.write() as session:
        row = session.get(OutboundMessage, late)
        assert row is not None
        row.state = OutboxState.UNKNOWN
        row.claimed_at = world.clock.now()
    world.clock.advance(timedelta(hours=2))
    sync_mailbox(world.db, world.clock)
    assert _row(world, late).state == OutboxState.UNKNOWN


def test_unknown_send_is_never_resent_where_sent_proves_nothing(world: Any) -> None:
    """A provider that does not file SMTP submissions in Sent: "not found" proves nothing,
    so the message waits for the user with the reason; nothing is sent twice."""
    row_id = _make_unknown(world, "maybe@acme.test", claimed_minutes_ago=600)

    report = sync_mailbox(world.db, world.clock)

    counts = report.accounts[0].reconciled
    assert counts is not None and (counts.rescheduled, counts.left_for_user) == (0, 1)
    row = _row(world, row_id)
    assert row.state == OutboxState.UNKNOWN
    assert "cannot tell whether it went out" in (row.finished_reason or "")
    world.clock.advance(timedelta(days=1))
    sync_mailbox(world.db, world.clock)
    assert _row(world, row_id).state == OutboxState.UNKNOWN


def test_unknown_send_without_imap_is_left_alone(world: Any) -> None:
    """Without IMAP settings nothing can be checked, so the row waits for the user."""
    row_id = _make_unknown(world, "nobody@acme.test", claimed_minutes_ago=600)
    with world.db.write() as session:
        account = session.get(SenderAccount, world.account_id)
        assert account is not None
        account.imap_host = ""

    report = sync_mailbox(world.db, world.clock)

    assert report.accounts == []
    assert _row(world, row_id).state == OutboxState.UNKNOWN
