"""Every bounce read for what it is: the address (suppress), the sender's standing (keep the
lead), a full mailbox or a server that gave up (retry; suppress when it repeats), a delay
(nothing), a delivery receipt or a forwarded bounce (no bounce at all)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import InboundMessage, Lead, OutboundMessage, OutboxState, SenderAccount
from leaddesk.leads.suppression import is_suppressed
from leaddesk.mail.actions import list_outbox
from leaddesk.mailbox.actions import apply_verdict
from leaddesk.mailbox.bounce_kinds import BounceKind, bounce_kind
from leaddesk.mailbox.classify import Classification, decide, read_facts
from tests.mailbox.bounce_shapes import OURS, dsn, plain, ses_notification
from tests.mailbox.test_mailbox_classify import _parse

KIM = "kim@acme.test"
C = Classification

CORPUS = [
    # (name, raw message, expected classification)
    ("postfix user unknown", dsn(KIM, "5.1.1", "550 5.1.1 <kim@acme.test>: Recipient address "
     "rejected: User unknown in virtual mailbox table"), C.BOUNCE),
    ("postfix sender rejected", dsn(KIM, "5.1.0", "553 5.1.0 <sales@ourco.test>: Sender address "
     "rejected: Domain not found"), C.POLICY_BOUNCE),
    ("exim no such user", dsn(KIM, "5.0.0", "550 No Such User Here", sender="Mail Delivery "
     "System <Mailer-Daemon@mail.acme.test>", subject="Mail delivery failed: returning message "
     "to sender"), C.BOUNCE),
    ("sendmail host unknown", dsn(KIM, "5.1.2", "550 Host unknown"), C.BOUNCE),
    ("exchange recipient not found", dsn(KIM, "5.1.10", "550 5.1.10 RESOLVER.ADR."
     "RecipientNotFound; Recipient not found by SMTP address lookup", sender="Microsoft Outlook "
     "<MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@acme.test>",
     subject="Undeliverable: Thanks for stopping by"), C.BOUNCE),
    ("office365 access denied", dsn(KIM, "5.4.1", "550 5.4.1 Recipient address rejected: "
     "Access denied. AS(201806281)"), C.BOUNCE),
    ("gmail disabled account", dsn(KIM, "5.2.1", "550-5.2.1 The email account that you tried "
     "to reach is disabled."), C.BOUNCE),
    ("gmail over quota", dsn(KIM, "5.2.2", "552-5.2.2 The email account that you tried to "
     "reach is over quota."), C.SOFT_BOUNCE),
    ("exim quota 4xx given up", dsn(KIM, "4.2.2", "452 4.2.2 Mailbox full", action="failed"),
     C.SOFT_BOUNCE),
    ("postfix expired", dsn(KIM, "4.4.7", "delivery temporarily suspended: connect to "
     "mx.acme.test[203.0.113.7]:25: Connection timed out", action="failed"), C.SOFT_BOUNCE),
    ("delayed", dsn(KIM, "4.4.1", "connect to mx.acme.test: Connection refused",
     action="delayed", subject="Delayed Mail (still being retried)"), C.TEMPORARY_BOUNCE),
    ("gmail spam block", dsn(KIM, "5.7.1", "550-5.7.1 [203.0.113.9] Our system has detected "
     "that this message is likely unsolicited mail. To reduce the amount of spam sent to Gmail, "
     "this message has been blocked."), C.POLICY_BOUNCE),
    ("spamhaus listed", dsn(KIM, "5.7.1", "554 5.7.1 Service unavailable; Client host "
     "[203.0.113.9] blocked using zen.spamhaus.org"), C.POLICY_BOUNCE),
    ("dmarc reject", dsn(KIM, "5.7.26", "550 5.7.26 Unauthenticated email from ourco.test is "
     "not accepted due to domain's DMARC policy"), C.POLICY_BOUNCE),
    ("5.7.1 user unknown", dsn(KIM, "5.7.1", "550 5.7.1 Unknown recipient: user does not "
     "exist"), C.BOUNCE),
    ("message too big", dsn(KIM, "5.3.4", "552 5.3.4 Message size exceeds fixed limit"),
     C.POLICY_BOUNCE),
    ("no such domain", dsn(KIM, "5.4.4", "Host or domain name not found. Name service error "
     "for name=acme.test type=A: Host not found"), C.BOUNCE),
    ("delivered receipt", dsn(KIM, "2.0.0", "250 2.0.0 OK", action="delivered",
     subject="Successful Mail Delivery Report"), C.UNRELATED),
    ("relayed receipt", dsn(KIM, "2.0.0", "250 OK", action="relayed",
     subject="Delivery Status Notification (Relay)"), C.UNRELATED),
    ("source-routed recipient", dsn("@relay.acme.test:kim@acme.test", "5.1.1",
     "550 5.1.1 user unknown"), C.BOUNCE),
    ("encoded local part", dsn("=?utf-8?q?kim?=@acme.test", "5.1.1", "550 user unknown"),
     C.BOUNCE),
    ("qmail", plain("MAILER-DAEMON@mail.acme.test", "failure notice", "Hi. This is the "
     "qmail-send program at mail.acme.test.\nI'm afraid I wasn't able to deliver your message "
     "to the following addresses.\n\n<kim@acme.test>:\nSorry, no mailbox here by that name. "
     "(#5.1.1)"), C.BOUNCE),
    ("daemon without domain", plain("mailer-daemon", "Returned mail: see transcript for "
     "details", "----- The following addresses had permanent fatal errors -----\n"
     "<kim@acme.test>\n    (reason: 550 5.1.1 User unknown)"), C.BOUNCE),
    ("post_master sender", plain("post_master@acme.test", "Delivery failure", "Your message "
     "to kim@acme.test could not be delivered: 550 mailbox unavailable"), C.BOUNCE),
    ("null sender, german", plain("<>", "Unzustellbar: Thanks for stopping by", "Die "
     "Nachricht konnte nicht zugestellt werden an kim@acme.test.\n550 5.1.1 Benutzer unbekannt",
     "Auto-Submitted: auto-replied\n"), C.BOUNCE),
    ("yahoo style", plain("MAILER-DAEMON@yahoo.test", "Failure Notice", "Sorry, we were unable "
     "to deliver your message to the following address.\n\n<kim@acme.test>:\n554: delivery "
     "error: dd This user doesn't have a yahoo.test account"), C.BOUNCE),
    ("spanish subject", plain("no-reply@correo.acme.test", "No se puede entregar: Thanks",
     "No se pudo entregar el mensaje a kim@acme.test. 550 5.2.2 buzón lleno"), C.SOFT_BOUNCE),
    ("domino", plain("Postmaster@notes.acme.test", "DELIVERY FAILURE: User kim "
     "(kim@acme.test) not listed in Domino Directory", "Your message\n\n  Subject: Thanks\n\n"
     "was not delivered to:\n\n  kim@acme.test\n\nbecause:\n\n  User kim (kim@acme.test) "
     "not listed in Domino Directory"), C.BOUNCE),
    ("courier", plain("MAILER-DAEMON@courier.acme.test", "NOTICE: mail delivery status.",
     "Your message to the following recipients cannot be delivered:\n\n<kim@acme.test>:\n"
     "    >>> RCPT TO:<kim@acme.test>\n    <<< 550 5.1.1 unknown user"), C.BOUNCE),
    ("exim retry timeout", plain("Mail Delivery System <Mailer-Daemon@mx.acme.test>",
     "Mail delivery failed: returning message to sender", "This message was created "
     "automatically by mail delivery software.\nA message that you sent could not be delivered "
     "to one or more of its recipients. This is a permanent error.\n\n  kim@acme.test\n    "
     "retry timeout exceeded"), C.SOFT_BOUNCE),
    ("mimecast anti-spoofing", dsn(KIM, "5.0.0", "550 Rejected by header based Anti-Spoofing "
     "policy: sales@ourco.test"), C.POLICY_BOUNCE),
    ("proofpoint envelope blocked", dsn(KIM, "5.7.1", "554 5.7.1 Message rejected - Envelope "
     "blocked - User Entry"), C.POLICY_BOUNCE),
    ("outlook.com ip listed", dsn(KIM, "5.7.1", "550 5.7.1 Unfortunately, messages from "
     "[203.0.113.9] weren't sent. Please contact your Internet service provider since part of "
     "their network is on our block list (S3150)."), C.POLICY_BOUNCE),
    ("yahoo rate limited", dsn(KIM, "4.7.0", "421 4.7.0 [TSS04] Messages from 203.0.113.9 "
     "temporarily deferred due to unexpected volume or user complaints", action="delayed"),
     C.TEMPORARY_BOUNCE),
    ("relaying denied", dsn(KIM, "5.7.1", "554 5.7.1 <kim@acme.test>: Relay access denied"),
     C.POLICY_BOUNCE),
    ("icloud no mailbox", dsn(KIM, "5.1.1", "550 5.1.1 <kim@acme.test>: user does not exist",
     sender="Mail Delivery System <MAILER-DAEMON@icloud.test>",
     subject="Delivery Status Notification (Failure)"), C.BOUNCE),
    ("zimbra over quota", dsn(KIM, "5.2.2", "552 5.2.2 Over quota"), C.SOFT_BOUNCE),
    ("groupwise", plain("postmaster@gw.acme.test", "Undeliverable mail", "The message that "
     "you sent was undeliverable to the following:\n\tkim@acme.test (user not found)"),
     C.BOUNCE),
    ("kddi japanese", plain("Mail Delivery Subsystem <MAILER-DAEMON@ezweb.test>",
     "Returned mail: see transcript for details", "----- The following addresses had "
     "permanent fatal errors -----\n<kim@acme.test>\n    (reason: 550 <kim@acme.test>... "
     "User unknown)\n配信できませんでした。"), C.BOUNCE),
    ("no-reply with french subject", plain("no-reply@mail.acme.test", "Échec de la remise: "
     "Thanks", "Le message n'a pas pu être remis à kim@acme.test. 550 5.1.1 utilisateur "
     "inconnu"), C.BOUNCE),
    ("ses permanent", ses_notification(KIM, "Permanent", "General", "5.1.1", "smtp; 550 5.1.1 "
     "user unknown"), C.BOUNCE),
    ("ses mailbox full", ses_notification(KIM, "Transient", "MailboxFull", "4.2.2", "smtp; 452 "
     "4.2.2 mailbox full"), C.SOFT_BOUNCE),
    ("forward of a bounce", plain("Kim <kim@acme.test>", "Fwd: Undelivered Mail Returned to "
     "Sender", "Hi, I got this bounce when writing to my old address — use this one now."),
     C.REPLY),
]  # fmt: skip


def mail_once(db: Database, clock: FixedClock, address: str, message_id: str) -> SenderAccount:
    """An account, a lead at ``address`` and one message sent to it yesterday."""
    with db.write() as session:
        account = SenderAccount(name="Sales", from_address="sales@ourco.test")
        lead = Lead(email=address, email_key=address)
        session.add_all([account, lead])
        session.flush()
        session.add(OutboundMessage(lead_id=lead.id, account_id=account.id, message_id=message_id,
                                    to_address=address, state=OutboxState.SENT,
                                    due_at=clock.now() - timedelta(days=1)))  # fmt: skip
        session.flush()
        session.expunge(account)
        return account


@pytest.fixture
def mailed(db: Database, clock: FixedClock) -> SenderAccount:
    """An account and one message sent to Kim, whose Message-ID the bounces return."""
    return mail_once(db, clock, KIM, OURS)


@pytest.mark.parametrize(("name", "raw", "expected"), CORPUS, ids=[c[0] for c in CORPUS])
def test_each_bounce_shape_is_read_for_what_it_is(
    db: Database, clock: FixedClock, mailed: SenderAccount, name: str, raw: str, expected: str
) -> None:
    """Each real-shaped bounce gets its class, and names Kim when it is about her."""
    with db.session() as session:
        verdict = decide(session, mailed, read_facts(_parse(raw)), clock.now())
    assert verdict.classification == expected, (name, verdict)
    if expected not in (C.UNRELATED, C.REPLY):
        assert verdict.addresses == [KIM] and verdict.lead_id is not None


def _apply(db: Database, account: SenderAccount, raw: str, now: object) -> Classification:
    with db.write() as session:
        facts = read_facts(_parse(raw))
        verdict = decide(session, account, facts, now)  # type: ignore[arg-type]
        apply_verdict(session, verdict, facts, account_id=account.id, now=now)  # type: ignore[arg-type]
        session.add(InboundMessage(account_id=account.id, fingerprint=f"f{now}",
                                   classification=str(verdict.classification),
                                   lead_id=verdict.lead_id, processed_at=now))  # fmt: skip
    return verdict.classification


def test_policy_refusals_keep_the_lead_and_pause_the_account(
    db: Database, clock: FixedClock, mailed: SenderAccount
) -> None:
    """Spam blocks never suppress the lead; the third in a day pauses the sending account."""
    block = dict((c[0], c[1]) for c in CORPUS)["gmail spam block"]
    for minutes in range(3):
        assert (
            _apply(db, mailed, block, clock.now() + timedelta(minutes=minutes)) == C.POLICY_BOUNCE
        )
    with db.session() as session:
        assert not is_suppressed(session, KIM)
        account = session.get_one(SenderAccount, mailed.id)
        assert account.paused_until is not None and "refused" in account.pause_reason
        message = session.scalars(select(OutboundMessage)).one()
        assert message.last_error.startswith("refused by the receiver's policy (5.7.1) at ")
        shown = list_outbox(session, states=(), limit=10)  # what `leaddesk outbox` prints
        assert shown[0].reason.startswith("refused by the receiver's policy (5.7.1)")


def test_a_full_mailbox_is_suppressed_only_after_three_days(
    db: Database, clock: FixedClock, mailed: SenderAccount
) -> None:
    """Over quota on day 1 and 2: kept; on a third day: suppressed as bounced."""
    full = dict((c[0], c[1]) for c in CORPUS)["gmail over quota"]
    for day in range(2):
        _apply(db, mailed, full, clock.now() + timedelta(days=day))
        with db.session() as session:
            assert not is_suppressed(session, KIM)
    _apply(db, mailed, full, clock.now() + timedelta(days=2))
    with db.session() as session:
        assert is_suppressed(session, KIM)


def test_kinds_from_codes_and_texts() -> None:
    """The code decides when the text says nothing; a clear text overrides a loose code."""
    assert bounce_kind("5.1.1") == BounceKind.ADDRESS
    assert bounce_kind("5.2.2") == BounceKind.FULL
    assert bounce_kind("5.7.1") == BounceKind.POLICY
    assert bounce_kind("5.7.1", "user unknown") == BounceKind.ADDRESS
    assert bounce_kind("4.4.7", action="failed") == BounceKind.EXPIRED
    assert bounce_kind("4.4.7") == BounceKind.DELAYED
    assert bounce_kind("5.4.7", "delivery expired") == BounceKind.EXPIRED
    assert bounce_kind("5.0.0", "mailbox full") == BounceKind.FULL


def test_every_failed_recipient_of_a_report_is_acted_on(
    db: Database, clock: FixedClock, mailed: SenderAccount
) -> None:
    """A report naming two of our addresses (user unknown both) suppresses both."""
    with db.write() as session:
        lead = Lead(email="lee@acme.test", email_key="lee@acme.test")
        session.add(lead)
        session.flush()
        session.add(OutboundMessage(lead_id=lead.id, account_id=mailed.id,
                                    message_id="<ours-10@ourco.test>", to_address=lead.email,
                                    state=OutboxState.SENT,
                                    due_at=clock.now() - timedelta(days=1)))  # fmt: skip
    second = (
        "\nFinal-Recipient: rfc822; lee@acme.test\nAction: failed\nStatus: 5.1.1\n"
        "Diagnostic-Code: smtp; 550 5.1.1 user unknown\n"
    )
    raw = dsn(KIM, "5.1.1", "550 5.1.1 user unknown", extra_blocks=second)
    assert _apply(db, mailed, raw, clock.now()) == C.BOUNCE
    with db.session() as session:
        assert is_suppressed(session, KIM) and is_suppressed(session, "lee@acme.test")


def test_a_bounce_in_any_wording_is_downloaded_when_machine_written() -> None:
    """Unknown sender, unknown subject, but Auto-Submitted: the header check lets it through."""
    from leaddesk.mailbox.classify import may_concern_us

    raw = plain("robot@relay.example", "Notification 4411", "550 5.1.1 kim@acme.test: no such user",
                "Auto-Submitted: auto-generated\n")  # fmt: skip
    assert may_concern_us(_parse(raw), set(), set())
    assert not may_concern_us(_parse(raw.replace("Auto-Submitted: auto-generated\n", "")), set(),
                              set())  # fmt: skip
