"""End to end on loopback: scheduler + sender over real SMTP, then one sync of a real Dovecot.

What the SMTP server receives after the mailbox sync is the proof: nothing more for leads who
replied, bounced or unsubscribed; the out-of-office lead only after its return date; the quiet
lead every step; each Message-ID exactly once; the IMAP mailbox itself never changed.
"""

from __future__ import annotations

import imaplib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote

import pytest
from sqlalchemy import select

import tests.mailbox.mailbox_messages as msgs
from leaddesk.cli import main
from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import (
    Enrollment,
    EnrollmentState,
    Lead,
    OutboundMessage,
    OutboxState,
    StepKind,
)
from leaddesk.leads.emails import email_key
from leaddesk.leads.suppression import is_suppressed
from leaddesk.mail.accounts import add_account
from leaddesk.mail.sender import send_due
from leaddesk.mailbox import sync_mailbox
from leaddesk.sequences.enrollment import enroll_leads
from leaddesk.sequences.presets import load_preset, sequence_from_document
from leaddesk.sequences.scheduler import run_due
from leaddesk.settings import POSTAL_ADDRESS, set_setting
from tests.mail.mailtest_keyring import PASSWORD as SMTP_PASSWORD
from tests.mail.mailtest_support import USERNAME, Received, TestSmtpServer, client_context
from tests.support.dovecot import PASSWORD as IMAP_PASSWORD
from tests.support.dovecot import DovecotServer

LEADS = {
    "replier": "anna@acme.example",
    "bouncer": "gone@acme.example",
    "ooo": "otto@acme.example",
    "leaver": "leaver@acme.example",
    "quiet": "quiet@acme.example",
}
RETURN_DATE = "16 March 2026"  # the out-of-office lead is back then; nothing before the 17th
BACK_FROM = datetime(2026, 3, 17, tzinfo=UTC)
END = datetime(2026, 4, 24, tzinfo=UTC)
SALES = "sales-e2e@ourco.example"  # the sender's own mailbox (a fresh Dovecot user)


@pytest.fixture
def smtp_server(tmp_path: Path, clock: FixedClock) -> Iterator[TestSmtpServer]:
    """A loopback aiosmtpd (STARTTLS + AUTH) stamping each message with the test clock."""
    folder = tmp_path / "smtp"
    folder.mkdir()
    server = TestSmtpServer(folder, SMTP_PASSWORD, clock.now).start()
    yield server
    server.stop()


@dataclass
class Desk:
    """The LeadDesk side: database, clock, servers, the account and the enrolled leads."""

    db: Database
    clock: FixedClock
    smtp: TestSmtpServer
    imap: DovecotServer
    user: str
    account_id: int
    lead_ids: dict[str, int]

    def tick(self, until: datetime) -> None:
        """What the running app does: plan due steps and send due mail, moment by moment."""
        tls = client_context(self.smtp.cert_path)
        for _ in range(500):
            run_due(self.db, self.clock.now())
            report = send_due(self.db, self.clock, tls_context=tls)
            assert not report.paused_accounts and not report.needs_password, report
            upcoming = self._next_moment()
            if upcoming is None or upcoming > until:
                self.clock.set(max(until, self.clock.now()))
                return
            self.clock.set(max(upcoming, self.clock.now()))
        raise AssertionError("the scheduler and sender never settled")

    def _next_moment(self) -> datetime | None:
        now = self.clock.now()
        with self.db.session() as session:
            moments = list(
                session.scalars(
                    select(Enrollment.next_due_at).where(
                        Enrollment.state == EnrollmentState.ACTIVE,
                        Enrollment.next_due_at.is_not(None),
                    )
                )
            )
            for row in session.scalars(
                select(OutboundMessage).where(
                    OutboundMessage.state.in_([OutboxState.SCHEDULED, OutboxState.DEFERRED])
                )
            ):
                moments.append(row.next_attempt_at or row.due_at)
        later = [m for m in moments if m is not None and m > now]
        return min(later) if later else None

    def received_by(self, key: str) -> list[Received]:
        """What the SMTP server accepted for one lead, in order."""
        return [r for r in self.smtp.received if r.recipients == [LEADS[key]]]


def _cli(db_path: Path, *argv: str) -> None:
    status = main(["--db", str(db_path), *argv])
    assert status == 0, argv


def _setup(
    db: Database,
    db_path: Path,
    clock: FixedClock,
    smtp: TestSmtpServer,
    imap: DovecotServer,
    user: str,
    monkeypatch: pytest.MonkeyPatch,
) -> Desk:
    now = clock.now()
    with db.write() as session:
        set_setting(session, POSTAL_ADDRESS, "Our Co Ltd, 1 Harbour Street, Bristol BS1 1AA")
        account, _ = add_account(
            session,
            {
                "name": "Sales",
                "from_address": user,
                "display_name": "Sam from Our Co",
                "provider": "custom",
                "smtp_host": "127.0.0.1",
                "smtp_port": smtp.port,
                "smtp_security": "starttls",
                "smtp_username": USERNAME,
            },
            password=SMTP_PASSWORD,
        )
        account_id = account.id
        sequence = sequence_from_document(session, load_preset("tradeshow"))
        leads = {
            key: Lead(email=address, email_key=email_key(address), first_name=key.title())
            for key, address in LEADS.items()
        }
        session.add_all(leads.values())
        session.flush()
        lead_ids = {key: lead.id for key, lead in leads.items()}
        result = enroll_leads(session, sequence, lead_ids.values(), now=now)
        assert sorted(result.enrolled) == sorted(lead_ids.values()), result
        emails = [s for s in sequence.versions[0].steps if s.kind == StepKind.EMAIL]
        assert len(emails) == 4
    client = imap.connect(user)
    client.create("Sent")
    client.logout()
    # the IMAP side of the same account, through the real command line
    monkeypatch.setattr("sys.stdin", io.StringIO(IMAP_PASSWORD + "\n"))
    _cli(db_path, "mailbox", "set", "Sales", "--host", imap.host, "--security", "none")
    _cli(db_path, "mailbox", "set", "Sales", "--port", str(imap.port), "--username", user)
    _cli(db_path, "mailbox", "set", "Sales", "--password-stdin")
    return Desk(db, clock, smtp, imap, user, account_id, lead_ids)


def _server_flags(desk: Desk) -> dict[str, str]:
    client = desk.imap.connect(desk.user)
    client.select("INBOX", readonly=True)
    _, data = client.uid("FETCH", "1:*", "(FLAGS)")
    client.logout()
    found = {}
    for item in data:
        text = item.decode() if isinstance(item, bytes) else item[0].decode()
        uid, flags = re.search(r"UID (\d+)", text), re.search(r"FLAGS \(([^)]*)\)", text)
        if uid and flags:
            found[uid.group(1)] = " ".join(sorted(flags.group(1).split()))
    return found


def _append(client: imaplib.IMAP4, raw: bytes, flags: str | None = None) -> None:
    status, _ = client.append("INBOX", flags, None, raw)
    assert status == "OK"


def _seed_mailbox(desk: Desk) -> None:
    """Answers to the step-1 emails as they really arrived (their headers, their token)."""
    now, us = desk.clock.now(), desk.user
    first = {key: desk.received_by(key)[0].message for key in LEADS}
    unsubscribe = re.fullmatch(
        r"<mailto:([^?]+)\?subject=([^>]+)>", first["leaver"]["List-Unsubscribe"]
    )
    assert unsubscribe, first["leaver"]["List-Unsubscribe"]
    mailto, subject = unsubscribe.group(1), unquote(unsubscribe.group(2))
    token = subject.removeprefix("unsubscribe ").strip()
    client = desk.imap.connect(us)
    _append(client, msgs.newsletter(us, now - timedelta(hours=3)), r"(\Seen)")
    reply_to = first["replier"]
    _append(
        client,
        msgs.human_reply(
            LEADS["replier"], us, str(reply_to["Message-ID"]), str(reply_to["Subject"]), now
        ),
    )
    _append(
        client,
        msgs.dsn(LEADS["bouncer"], us, str(first["bouncer"]["Message-ID"]), "5.1.1", now),
        r"(\Seen \Flagged)",
    )
    _append(
        client,
        msgs.out_of_office(LEADS["ooo"], us, str(first["ooo"]["Message-ID"]), now, RETURN_DATE),
        r"(\Answered)",
    )
    _append(client, msgs.unsubscribe_mail(LEADS["leaver"], mailto, token, now))
    client.logout()


def test_after_one_sync_the_smtp_server_gets_nothing_more_for_who_answered(
    db: Database,
    db_path: Path,
    clock: FixedClock,
    smtp_server: TestSmtpServer,
    dovecot: DovecotServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Replied/bounced/unsubscribed leads get no more mail, OOO waits, the mailbox is untouched."""
    desk = _setup(db, db_path, clock, smtp_server, dovecot, SALES, monkeypatch)

    desk.tick(until=datetime(2026, 3, 2, 17, tzinfo=UTC))  # step 1 goes out on Monday
    assert {key: len(desk.received_by(key)) for key in LEADS} == dict.fromkeys(LEADS, 1)

    clock.set(datetime(2026, 3, 3, 8, tzinfo=UTC))
    _seed_mailbox(desk)
    flags = _server_flags(desk)
    report = sync_mailbox(db, clock)
    assert report.ok, report.to_dict()
    assert report.accounts[0].counts == {
        "reply": 1,
        "bounce": 1,
        "auto_reply": 1,
        "unsubscribe": 1,
    }, report.to_dict()
    assert _server_flags(desk) == flags

    desk.tick(until=END)  # the next six weeks of the sequence

    sent_to = {key: len(desk.received_by(key)) for key in LEADS}
    assert sent_to == {"replier": 1, "bouncer": 1, "leaver": 1, "ooo": 4, "quiet": 4}, sent_to
    ooo_stamps = [r.stamp for r in desk.received_by("ooo")]
    quiet_stamps = [r.stamp for r in desk.received_by("quiet")]
    assert ooo_stamps[1] >= BACK_FROM > quiet_stamps[1], (ooo_stamps, quiet_stamps)
    ids = [r.message_id for r in smtp_server.received]
    assert len(ids) == len(set(ids)) == sum(sent_to.values()) == 11
    with db.session() as session:
        rows = list(session.scalars(select(OutboundMessage)))
        enrollments = {e.lead_id: e for e in session.scalars(select(Enrollment))}
        assert {r.message_id for r in rows if r.state == OutboxState.SENT} == set(ids)
        assert not [r for r in rows if r.state not in (OutboxState.SENT, OutboxState.CANCELLED)]
        for key in ("replier", "bouncer", "leaver"):
            assert enrollments[desk.lead_ids[key]].state == EnrollmentState.EXITED, key
        for key in ("ooo", "quiet"):
            assert enrollments[desk.lead_ids[key]].state == EnrollmentState.COMPLETED, key
        assert is_suppressed(session, LEADS["bouncer"])
        assert is_suppressed(session, LEADS["leaver"])
        assert not is_suppressed(session, LEADS["replier"])

    again = sync_mailbox(db, clock)
    assert again.ok and again.accounts[0].counts == {}
    assert _server_flags(desk) == flags
