"""Reading messages without a server: bounce formats, return dates, removal requests."""

from __future__ import annotations

from datetime import date, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest

from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import Lead, OutboundMessage, OutboxState, SenderAccount
from leaddesk.mailbox.autoreply import is_auto_reply, return_date
from leaddesk.mailbox.bounces import parse_bounce
from leaddesk.mailbox.classify import Classification, decide, read_facts
from leaddesk.mailbox.parsing import fresh_text


def _parse(text: str) -> EmailMessage:
    raw = text.replace("\r\n", "\n").replace("\n", "\r\n").encode()
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


GMAIL_BOUNCE = """\
From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: sales@ourco.test
Subject: Delivery Status Notification (Failure)
X-Failed-Recipients: ghost@bigcorp.test
Message-ID: <g1@mail.gmail.com>
Content-Type: text/plain; charset=UTF-8

** Address not found **

Your message wasn't delivered to ghost@bigcorp.test because the address couldn't be found.

The response from the remote server was:
550 5.1.1 The email account that you tried to reach does not exist.
"""

QMAIL_BOUNCE = """\
From: MAILER-DAEMON@mta1.mail.yahoo.test
To: sales@ourco.test
Subject: failure notice
Content-Type: text/plain

Sorry, we were unable to deliver your message to the following address.

<nobody@yahoo.test>:
554: delivery error: dd This user doesn't have a yahoo.test account

--- Below this line is a copy of the message.

From: sales@ourco.test
To: nobody@yahoo.test
Message-ID: <ours-1@ourco.test>
"""

EXCHANGE_BOUNCE = """\
From: postmaster@contoso.test
To: sales@ourco.test
Subject: Undeliverable: Your whitepaper
Content-Type: text/plain

Delivery has failed to these recipients or groups:

pat@contoso.test
The email address you entered couldn't be found.

Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found'
"""

DELAY_NOTICE = """\
From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: sales@ourco.test
Subject: Delivery Status Notification (Delay)
Content-Type: text/plain

Message not delivered yet to slow@bigcorp.test. Gmail will keep trying for 47 more hours.
"""


@pytest.mark.parametrize(
    ("text", "address", "status"),
    [
        (GMAIL_BOUNCE, "ghost@bigcorp.test", "5.1.1"),
        (QMAIL_BOUNCE, "nobody@yahoo.test", "5.0.0"),
        (EXCHANGE_BOUNCE, "pat@contoso.test", "5.1.10"),
        (DELAY_NOTICE, "slow@bigcorp.test", "4.0.0"),
    ],
)
def test_provider_bounce_formats_name_the_failed_address(
    text: str, address: str, status: str
) -> None:
    """Gmail, qmail/Yahoo, Exchange and delay notices: the failed address and status class."""
    report = parse_bounce(_parse(text))
    assert report is not None and not report.standard
    assert report.recipients[0].address == address
    assert report.recipients[0].status == status


def test_returned_message_id_is_read_from_a_provider_bounce() -> None:
    """The copy of our message inside a bounce ties it to the outbox row."""
    report = parse_bounce(_parse(QMAIL_BOUNCE))
    assert report is not None and report.original_message_ids == ["<ours-1@ourco.test>"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I will be back on Monday, March 16.", date(2026, 3, 16)),
        ("Returning 2026-03-20, limited access until then.", date(2026, 3, 20)),
        ("Ich bin bis 18.03.2026 nicht im Büro.", date(2026, 3, 18)),
        ("Out of the office until 3/19/2026.", date(2026, 3, 19)),
        ("Away from 2 March till the 23rd of March", date(2026, 3, 23)),
        ("Back on 5 January.", None),  # next January is too far away to be a return date
        ("I am travelling and will reply when I can.", None),
        ("Back since 1 February 2026.", None),
        # German, French, Spanish, Dutch phrasings, and a date written without its year
        ("Ich bin ab dem 16. März wieder im Büro.", date(2026, 3, 16)),
        ("Ich bin bis einschließlich 13.03. nicht erreichbar.", date(2026, 3, 13)),
        ("Je serai de retour le 17 mars 2026.", date(2026, 3, 17)),
        ("Estaré fuera de la oficina hasta el 19 de marzo de 2026.", date(2026, 3, 19)),
        ("Vuelvo el lunes 9 de marzo.", date(2026, 3, 9)),
        ("Ik ben afwezig tot en met 12 maart.", date(2026, 3, 12)),
        ("Ik ben terug op 24-03-2026.", date(2026, 3, 24)),  # dd-mm-yyyy: day first
        ("Back 16/03/2026 (UK style).", date(2026, 3, 16)),
    ],
)
def test_return_date_is_read_from_out_of_office_text(text: str, expected: date | None) -> None:
    """Common ways of announcing the return date; dates in the past are ignored."""
    assert return_date(text, date(2026, 3, 2)) == expected


def test_auto_reply_is_recognised_by_header_or_subject() -> None:
    """Auto-Submitted, X-Autoreply, Precedence and typical subjects mark an auto-reply."""
    base = "From: a@b.test\nTo: c@d.test\n{}\n\nhello\n"
    assert is_auto_reply(_parse(base.format("Auto-Submitted: auto-replied")))
    assert is_auto_reply(_parse(base.format("X-Autoreply: yes")))
    assert is_auto_reply(_parse(base.format("Precedence: auto_reply")))
    assert is_auto_reply(_parse(base.format("Subject: Out of Office: Step 1")))
    assert not is_auto_reply(_parse(base.format("Subject: Re: Step 1")))
    assert not is_auto_reply(_parse(base.format("Subject: Re: Your vacation planning guide")))
    assert not is_auto_reply(_parse(base.format("Auto-Submitted: no")))


def test_quoted_text_is_not_fresh_text() -> None:
    """What the sender wrote is kept; quoted lines and the original below are not."""
    text = "Sounds good.\n\nOn Mon, 2 Mar 2026 Sales wrote:\n> unsubscribe here\n"
    assert fresh_text(text) == "Sounds good."
    outlook = "Yes please.\n\nFrom: Sales <sales@ourco.test>\nSent: Monday\nunsubscribe"
    assert fresh_text(outlook) == "Yes please."


def _reply(sender: str, body: str, subject: str = "Re: Step 1", refs: str = "") -> EmailMessage:
    headers = f"From: {sender}\nTo: sales@ourco.test\nSubject: {subject}\n"
    if refs:
        headers += f"In-Reply-To: {refs}\n"
    return _parse(f"{headers}Message-ID: <m-{abs(hash(body))}@x.test>\n\n{body}\n")


@pytest.fixture
def mailed(db: Database, clock: FixedClock) -> tuple[SenderAccount, int, str]:
    """An account, a lead and the message we sent that lead."""
    with db.write() as session:
        account = SenderAccount(name="Sales", from_address="sales@ourco.test")
        lead = Lead(email="kim@acme.test", email_key="kim@acme.test")
        session.add_all([account, lead])
        session.flush()
        sent = OutboundMessage(
            lead_id=lead.id,
            account_id=account.id,
            message_id="<ours-9@ourco.test>",
            to_address="Kim@acme.test",
            state=OutboxState.SENT,
            due_at=clock.now() - timedelta(days=1),
            unsubscribe_token="0123456789abcdef01234567",
        )
        session.add(sent)
        session.flush()
        return account, lead.id, sent.message_id


@pytest.mark.parametrize(
    ("body", "subject", "threaded", "expected"),
    [
        ("Please remove me from your list.", "Re: Step 1", True, Classification.UNSUBSCRIBE),
        ("stop emailing me", "Re: Step 1", False, Classification.UNSUBSCRIBE),
        ("Interested, call me.", "Re: Step 1", False, Classification.REPLY),
        ("Interested, call me.", "Re: Step 1", True, Classification.REPLY),
        ("Send it over.", "Re: Out of office planning, undeliverable parcels", True,
         Classification.REPLY),
        ("sent from my phone", "unsubscribe 0123456789abcdef01234567", False,
         Classification.UNSUBSCRIBE),
        (" ".join(["We could opt out of the old vendor and talk."] * 8), "Re: x", True,
         Classification.REPLY),
    ],
)  # fmt: skip
def test_replies_and_removal_requests(
    db: Database,
    clock: FixedClock,
    mailed: tuple[SenderAccount, int, str],
    body: str,
    subject: str,
    threaded: bool,
    expected: Classification,
) -> None:
    """A reply from the lead (threaded or not) is a reply; a plain removal request unsubscribes."""
    account, lead_id, message_id = mailed
    message = _reply("Kim <kim@acme.test>", body, subject, message_id if threaded else "")
    with db.session() as session:
        verdict = decide(session, account, read_facts(message), clock.now())
    assert verdict.classification == expected
    assert verdict.lead_id == lead_id
    if expected == Classification.UNSUBSCRIBE:
        assert "kim@acme.test" in verdict.addresses


def test_strangers_and_bounces_for_others_change_nothing(
    db: Database, clock: FixedClock, mailed: tuple[SenderAccount, int, str]
) -> None:
    """Mail from a stranger, a bounce for an address we never mailed, a lead's newsletter."""
    account, _, _ = mailed
    with db.session() as session:
        stranger = decide(
            session, account, read_facts(_reply("x@y.test", "remove me")), clock.now()
        )
        bounce = decide(session, account, read_facts(_parse(GMAIL_BOUNCE)), clock.now())
        bulk = read_facts(_reply("kim@acme.test", "Our March news", "Acme news"))
        bulk.bulk = True  # e.g. the lead's own company newsletter (List-Id header)
        newsletter = decide(session, account, bulk, clock.now())
    assert stranger.classification == Classification.UNRELATED
    assert bounce.classification == Classification.UNRELATED
    assert newsletter.classification == Classification.UNRELATED


def test_provider_bounce_for_our_lead_is_permanent(
    db: Database, clock: FixedClock, mailed: tuple[SenderAccount, int, str]
) -> None:
    """A Gmail-style bounce for an address we mailed is a permanent bounce of that lead."""
    account, lead_id, _ = mailed
    text = GMAIL_BOUNCE.replace("ghost@bigcorp.test", "kim@acme.test")
    with db.session() as session:
        verdict = decide(session, account, read_facts(_parse(text)), clock.now())
    assert verdict.classification == Classification.BOUNCE
    assert verdict.lead_id == lead_id and verdict.detail["status"] == "5.1.1"


def test_return_date_without_a_year_rolls_over_to_next_year() -> None:
    """Written in late December, "back on 5 January" means the coming January."""
    assert return_date("Back on 5 January.", date(2026, 12, 20)) == date(2027, 1, 5)
