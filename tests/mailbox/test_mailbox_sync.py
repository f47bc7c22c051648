"""One sync against a real Dovecot: replies, bounces, auto-replies, unsubscribes, read-only."""

from __future__ import annotations

import imaplib
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

import tests.mailbox.mailbox_messages as msgs
from leaddesk.db.models import (
    Activity,
    EmailState,
    Enrollment,
    EnrollmentState,
    InboundMessage,
    Lead,
    MailboxFolderState,
    OutboundMessage,
    OutboxState,
    Suppression,
)
from leaddesk.leads.suppression import is_suppressed
from leaddesk.mailbox import sync_mailbox


def _append(client: imaplib.IMAP4, folder: str, raw: bytes, flags: str = "") -> None:
    status, _ = client.append(folder, flags or None, None, raw)
    assert status == "OK"


def _server_flags(world: Any, folder: str = "INBOX") -> dict[str, str]:
    client = world.server.connect(world.user)
    client.select(folder, readonly=True)
    _, data = client.uid("FETCH", "1:*", "(FLAGS)")
    client.logout()
    found = {}
    for item in data:
        text = item.decode() if isinstance(item, bytes) else item[0].decode()
        uid = re.search(r"UID (\d+)", text)
        flags = re.search(r"FLAGS \(([^)]*)\)", text)
        if uid and flags:
            found[uid.group(1)] = " ".join(sorted(flags.group(1).split()))
    return found


def _snapshot(world: Any) -> dict[str, Any]:
    with world.db.session() as session:
        return {
            "activities": session.scalar(select(func.count(Activity.id))),
            "suppressions": session.scalar(select(func.count(Suppression.id))),
            "inbound": session.scalar(select(func.count(InboundMessage.id))),
            "outbox": sorted(
                (m.id, m.state, m.due_at) for m in session.scalars(select(OutboundMessage))
            ),
            "enrollments": sorted(
                (e.id, e.state, e.not_before) for e in session.scalars(select(Enrollment))
            ),
        }


def _seed(world: Any) -> dict[str, Any]:
    now = world.clock.now()
    us = world.user
    replier, reply_parent = world.add_lead("anna@acme.test", "Anna")
    bouncer, bounce_parent = world.add_lead("gone@acme.test")
    delayed, delayed_parent = world.add_lead("slow@acme.test")
    ooo, ooo_parent = world.add_lead("otto@acme.test", "Otto")
    leaver, leaver_parent = world.add_lead("leaver@acme.test")
    bystander, _ = world.add_lead("quiet@acme.test")
    client = world.server.connect(us)
    _append(client, "INBOX", msgs.newsletter(us, now - timedelta(hours=5)), r"(\Seen)")
    _append(
        client,
        "INBOX",
        msgs.human_reply("anna@acme.test", us, reply_parent.message_id, reply_parent.subject, now),
    )
    _append(
        client,
        "INBOX",
        msgs.dsn("gone@acme.test", us, bounce_parent.message_id, "5.1.1", now),
        r"(\Seen \Flagged)",
    )
    _append(
        client, "INBOX", msgs.dsn("slow@acme.test", us, delayed_parent.message_id, "4.4.1", now)
    )
    _append(
        client,
        "INBOX",
        msgs.out_of_office("otto@acme.test", us, ooo_parent.message_id, now, "16 March 2026"),
        r"(\Answered)",
    )
    mailto = us.replace("sales", "unsubscribe")
    _append(
        client,
        "INBOX",
        msgs.unsubscribe_mail("leaver@acme.test", mailto, leaver_parent.unsubscribe_token, now),
    )
    client.logout()
    return {
        "replier": replier,
        "bouncer": bouncer,
        "delayed": delayed,
        "ooo": ooo,
        "leaver": leaver,
        "bystander": bystander,
    }


def _planned(world: Any, lead_id: int) -> OutboundMessage:
    with world.db.session() as session:
        row = session.scalar(
            select(OutboundMessage).where(
                OutboundMessage.lead_id == lead_id, OutboundMessage.state != OutboxState.SENT
            )
        )
        assert row is not None
        return row


def _kinds(world: Any, lead_id: int) -> list[str]:
    with world.db.session() as session:
        return list(
            session.scalars(
                select(Activity.kind).where(Activity.lead_id == lead_id).order_by(Activity.id)
            )
        )


def test_one_sync_acts_on_each_message_and_leaves_the_mailbox_untouched(world: Any) -> None:
    """After one sync: replier stopped, bouncer and leaver suppressed, OOO waits, flags kept."""
    leads = _seed(world)
    flags_before = _server_flags(world)
    untouched = _snapshot(world)["outbox"]

    report = sync_mailbox(world.db, world.clock)

    assert report.ok, report.to_dict()
    counts = report.accounts[0].counts
    assert counts == {
        "reply": 1,
        "bounce": 1,
        "bounce_temporary": 1,
        "auto_reply": 1,
        "unsubscribe": 1,
    }, counts
    assert _server_flags(world) == flags_before

    # Human reply: activity with subject and snippet, sequence exited, later step cancelled.
    with world.db.session() as session:
        reply = session.scalar(
            select(Activity).where(Activity.lead_id == leads["replier"], Activity.kind == "replied")
        )
        assert reply is not None and reply.origin == "mailbox"
        assert reply.payload["subject"].startswith("Re: Step 1")
        assert "pricing for 40 seats" in reply.payload["snippet"]
        assert "unsubscribe" not in reply.payload["snippet"]  # the quoted footer is not fresh text
        enrollment = session.scalar(
            select(Enrollment).where(Enrollment.lead_id == leads["replier"])
        )
        assert enrollment is not None and enrollment.state == EnrollmentState.EXITED
        assert enrollment.exit_reason == "replied"
    assert _planned(world, leads["replier"]).state == OutboxState.CANCELLED
    assert [n.lead_name for n in report.accounts[0].replies] == ["Anna"]

    # Permanent bounce: lead bounced, address suppressed, next step cancelled.
    with world.db.session() as session:
        bouncer = session.get(Lead, leads["bouncer"])
        assert bouncer is not None and bouncer.email_state == EmailState.BOUNCED
        assert is_suppressed(session, "gone@acme.test")
        # Temporary bounce: logged only.
        assert not is_suppressed(session, "slow@acme.test")
        delayed = session.get(Lead, leads["delayed"])
        assert delayed is not None and delayed.email_state == EmailState.OK
        # Unsubscribe by the mailto link: suppressed, planned message cancelled.
        assert is_suppressed(session, "leaver@acme.test")
        leaver = session.get(Lead, leads["leaver"])
        assert leaver is not None and leaver.email_state == EmailState.UNSUBSCRIBED
    assert "bounced" in _kinds(world, leads["bouncer"])
    with world.db.session() as session:
        sent = session.scalar(
            select(OutboundMessage).where(
                OutboundMessage.lead_id == leads["bouncer"],
                OutboundMessage.state == OutboxState.SENT,
            )
        )
        assert sent is not None and sent.last_error.startswith("bounced (5.1.1) at ")
        assert sent.finished_reason == sent.last_error  # `outbox` shows the bounce, not the 250
    assert _planned(world, leads["bouncer"]).state == OutboxState.CANCELLED
    assert _planned(world, leads["delayed"]).state == OutboxState.SCHEDULED
    assert _kinds(world, leads["delayed"]) == []
    assert _planned(world, leads["leaver"]).state == OutboxState.CANCELLED
    assert "unsubscribed" in _kinds(world, leads["leaver"])

    # Out of office: logged, sequence continues, the next step waits until after 16 March.
    resume = datetime(2026, 3, 17, tzinfo=UTC)
    ooo_next = _planned(world, leads["ooo"])
    assert ooo_next.state == OutboxState.SCHEDULED and ooo_next.due_at == resume
    with world.db.session() as session:
        enrollment = session.scalar(select(Enrollment).where(Enrollment.lead_id == leads["ooo"]))
        assert enrollment is not None and enrollment.state == EnrollmentState.ACTIVE
        assert enrollment.not_before == resume
    assert _kinds(world, leads["ooo"]) == ["auto_reply"]

    # The newsletter and the quiet lead: nothing changed.
    after = {row[0]: row for row in _snapshot(world)["outbox"]}
    bystander_rows = [r for r in untouched if _lead_of(world, r[0]) == leads["bystander"]]
    assert all(after[r[0]] == r for r in bystander_rows)
    assert _kinds(world, leads["bystander"]) == []


def _lead_of(world: Any, outbound_id: int) -> int | None:
    with world.db.session() as session:
        row = session.get(OutboundMessage, outbound_id)
        return row.lead_id if row is not None else None


def test_a_second_sync_changes_nothing(world: Any) -> None:
    """Syncing again (even after forgetting the UIDs) never counts a message twice."""
    _seed(world)
    sync_mailbox(world.db, world.clock)
    first = _snapshot(world)
    flags = _server_flags(world)

    again = sync_mailbox(world.db, world.clock)
    assert again.ok and again.accounts[0].counts == {}
    assert _snapshot(world) == first

    with world.db.write() as session:  # as after a UIDVALIDITY change: every UID looks new
        for state in session.scalars(select(MailboxFolderState)):
            state.last_uid = 0
            state.uidvalidity = 1
    replay = sync_mailbox(world.db, world.clock)
    assert replay.ok and replay.accounts[0].counts == {"already_processed": 5}
    assert _snapshot(world) == first
    assert _server_flags(world) == flags


def test_only_new_messages_are_read_on_the_next_poll(world: Any) -> None:
    """A reply arriving after the first sync is picked up by the next one."""
    lead_id, parent = world.add_lead("late@acme.test", "Lena")
    assert sync_mailbox(world.db, world.clock).accounts[0].counts == {}
    client = world.server.connect(world.user)
    _append(
        client,
        "INBOX",
        msgs.human_reply("late@acme.test", world.user, parent.message_id, "x", world.clock.now()),
    )
    client.logout()
    report = sync_mailbox(world.db, world.clock)
    assert report.accounts[0].counts == {"reply": 1}
    assert "replied" in _kinds(world, lead_id)


def _colleague_mail(world: Any) -> None:
    client = world.server.connect(world.user)
    raw = msgs.newsletter(world.user, world.clock.now())
    raw = raw.replace(b"Vendor News <news@vendor.test>", b"Bo Boss <boss@initech.test>")
    raw = raw.replace(b"<news-2026-03@vendor.test>", b"<boss-1@initech.test>")
    raw = raw.replace(b"Precedence: bulk\r\n", b"")  # a person writing, not a mailing
    _append(client, "INBOX", raw)
    client.logout()


def test_colleague_reply_stops_the_lead_only_when_the_team_wants_it(world: Any) -> None:
    """With the setting on, mail from a lead's colleague ends the lead's sequence; off: ignored."""
    from leaddesk.mailbox.classify import COLLEAGUE_SETTING
    from leaddesk.settings import set_setting

    lead_id, _ = world.add_lead("kim@initech.test", "Kim")
    _colleague_mail(world)
    assert sync_mailbox(world.db, world.clock).accounts[0].counts == {}
    assert _kinds(world, lead_id) == []

    with world.db.write() as session:
        set_setting(session, COLLEAGUE_SETTING, True)
        for state in session.scalars(select(MailboxFolderState)):
            state.last_uid = 0
    report = sync_mailbox(world.db, world.clock)
    assert report.accounts[0].counts == {"reply": 1}
    assert _kinds(world, lead_id) == ["replied", "sequence_exited"]
    assert _planned(world, lead_id).state == OutboxState.CANCELLED


def test_mail_to_the_unsubscribe_address_without_a_token_suppresses_the_sender(
    world: Any,
) -> None:
    """Any mail to the dedicated unsubscribe address suppresses whoever sent it."""
    lead_id, _ = world.add_lead("terse@acme.test")
    mailto = world.user.replace("sales", "unsubscribe")
    raw = msgs.unsubscribe_mail("terse@acme.test", mailto, "", world.clock.now())
    raw = raw.replace(b"Subject: unsubscribe \r\n", b"Subject: (no subject)\r\n")
    client = world.server.connect(world.user)
    _append(client, "INBOX", raw)
    stranger = raw.replace(b"terse@acme.test", b"someone@else.test")
    _append(client, "INBOX", stranger.replace(b"<unsub-", b"<unsub-2-"))
    client.logout()

    report = sync_mailbox(world.db, world.clock)

    assert report.accounts[0].counts == {"unsubscribe": 2}
    with world.db.session() as session:
        assert is_suppressed(session, "terse@acme.test")
        assert is_suppressed(session, "someone@else.test")  # never mailed later, e.g. on import
    assert _planned(world, lead_id).state == OutboxState.CANCELLED
