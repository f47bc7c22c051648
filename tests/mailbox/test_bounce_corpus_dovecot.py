"""The whole bounce corpus through a real Dovecot: every message read by one sync as its case
says, address failures suppressed, refusals of the sender and full mailboxes not, and the
mailbox left exactly as it was."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from leaddesk.db.models import InboundMessage
from leaddesk.leads.suppression import is_suppressed
from leaddesk.mailbox import sync_mailbox
from leaddesk.mailbox.classify import Classification
from tests.mailbox.bounce_shapes import OURS
from tests.mailbox.test_bounce_kinds import CORPUS, KIM
from tests.mailbox.test_mailbox_sync import _append, _server_flags


def test_every_corpus_message_is_read_right_through_dovecot(world: Any) -> None:
    """43 shapes from many mail systems, one sync: each read as expected, the mailbox untouched."""
    client = world.server.connect(world.user)
    cases: list[tuple[str, str, str]] = []
    for index, (name, raw, expected) in enumerate(CORPUS):
        address = f"case{index}@acme.test"
        _lead_id, sent = world.add_lead(address)
        text = raw.replace(KIM, address).replace(OURS, sent.message_id)
        text = text.replace("sales@ourco.test", world.user)
        _append(client, "INBOX", text.replace("\r\n", "\n").replace("\n", "\r\n").encode())
        cases.append((name, address, expected))
    client.logout()
    flags_before = _server_flags(world)

    report = sync_mailbox(world.db, world.clock)

    assert report.ok, report.to_dict()
    assert _server_flags(world) == flags_before  # nothing marked read, moved or deleted
    with world.db.session() as session:
        rows = list(session.scalars(select(InboundMessage).order_by(InboundMessage.uid)))
        read = [row.classification for row in rows]
        wrong = [
            (name, expected, got)
            for (name, _address, expected), got in zip(cases, read, strict=False)
            if got != expected
        ]
        assert len(read) == len(cases) and not wrong, wrong
        for name, address, expected in cases:
            suppressed = is_suppressed(session, address)
            assert suppressed == (expected == Classification.BOUNCE), (name, suppressed)
