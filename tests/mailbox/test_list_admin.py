"""A lead whose address is a mailing list: the list software's refusals and holds read right."""

from __future__ import annotations

from datetime import timedelta

import pytest

from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import SenderAccount
from leaddesk.leads.suppression import is_suppressed
from leaddesk.mailbox.classify import Classification as C
from leaddesk.mailbox.classify import decide, may_concern_us, read_facts
from tests.mailbox.test_bounce_kinds import _apply, mail_once
from tests.mailbox.test_mailbox_classify import _parse

LIST = "team@lists.acme.test"
OURS = "<ours-list-1@ourco.test>"


def notice(sender: str, subject: str, body: str, extra: str = "") -> str:
    """A list server's notice to us about our post, with the post attached as list servers do."""
    return f"""\
From: {sender}
To: sales@ourco.test
Subject: {subject}
Message-ID: <n-{abs(hash(body))}@lists.acme.test>
{extra}MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="L"

--L
Content-Type: text/plain; charset=utf-8

{body}

--L
Content-Type: message/rfc822

From: sales@ourco.test
To: {LIST}
Subject: Thanks for stopping by
Message-ID: {OURS}

Hello team
--L--
"""


SHAPES = [
    ("mailman 2 non-member", notice(
        "team-owner@lists.acme.test", "Auto-discard notification",
        "The attached message has been automatically discarded.\nYou are not allowed to post "
        "to this mailing list.", "X-Mailman-Version: 2.1.39\nPrecedence: bulk\n"), C.BOUNCE),
    ("mailman 3 rejected", notice(
        "team-owner@lists.acme.test", f"Your message to {LIST} was rejected",
        "Your message was rejected by the list moderator.", "Auto-Submitted: auto-generated\n"),
     C.BOUNCE),
    ("sympa authorization denied", notice(
        "sympa@lists.acme.test", "Message distribution: Authorization denied",
        "Your message for list team has been rejected: only subscribers may post."), C.BOUNCE),
    ("listserv not authorized", notice(
        "LISTSERV@LISTS.ACME.TEST", "Rejected posting to TEAM",
        "You are not authorized to send mail to the TEAM list from your sales@ourco.test "
        "account."), C.BOUNCE),
    ("mailman held for moderation", notice(
        "team-bounces@lists.acme.test", "Your message to Team awaits moderator approval",
        "Your mail to 'Team' with the subject Thanks for stopping by\nIs being held until the "
        "list moderator can review it for approval.\nThe reason it is being held: Post by "
        "non-member to a members-only list", "X-Mailman-Version: 2.1.39\n"), C.UNRELATED),
    ("google groups held", notice(
        "team+owners@lists.acme.test", "Your message is pending moderation",
        "Your message to team is pending moderator approval.",
        "X-Google-Group-Id: 123\nAuto-Submitted: auto-replied\n"), C.UNRELATED),
]  # fmt: skip


@pytest.fixture
def mailed(db: Database, clock: FixedClock) -> SenderAccount:
    """An account that mailed the list address (a lead imported from a tradeshow list)."""
    return mail_once(db, clock, LIST, OURS)


@pytest.mark.parametrize(("name", "raw", "expected"), SHAPES, ids=[s[0] for s in SHAPES])
def test_list_notices_are_downloaded_and_read_as_bounces_or_holds(
    db: Database, clock: FixedClock, mailed: SenderAccount, name: str, raw: str, expected: str
) -> None:
    """Each list server's refusal is a bounce of the list's address; a hold is not a reply."""
    message = _parse(raw)
    assert may_concern_us(message, set(), set()), name
    with db.session() as session:
        verdict = decide(session, mailed, read_facts(message), clock.now())
    assert verdict.classification == expected, (name, verdict)
    if expected == C.BOUNCE:
        assert verdict.addresses == [LIST]


def test_a_refusing_list_is_suppressed_and_a_holding_one_is_left_alone(
    db: Database, clock: FixedClock, mailed: SenderAccount
) -> None:
    """Held: nothing happens; refused: the list's address is suppressed, never mailed again."""
    _apply(db, mailed, SHAPES[4][1], clock.now())
    with db.session() as session:
        assert not is_suppressed(session, LIST)
    _apply(db, mailed, SHAPES[0][1], clock.now() + timedelta(minutes=1))
    with db.session() as session:
        assert is_suppressed(session, LIST)
