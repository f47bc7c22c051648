""" "Send test to me": one rendered email straight to the user, outside the outbox."""

from __future__ import annotations

import ssl
from dataclasses import dataclass

from leaddesk.clock import Clock
from leaddesk.db.engine import Database
from leaddesk.db.models import SenderAccount
from leaddesk.mail.accounts import account_password
from leaddesk.mail.compose import CompositionError, Sender, compose
from leaddesk.mail.ids import make_message_id, make_unsubscribe_token
from leaddesk.mail.sender import PasswordLookup
from leaddesk.mail.transport import OpenError, ServerSettings, SmtpSession

TEST_PREFIX = "[Test] "


@dataclass(frozen=True)
class TestSendResult:
    """Whether the test email was accepted, and the server's words."""

    __test__ = False
    ok: bool
    text: str


def send_test_email(
    db: Database,
    clock: Clock,
    account_id: int,
    *,
    to_address: str,
    rendered: dict[str, str],
    password_for: PasswordLookup = account_password,
    tls_context: ssl.SSLContext | None = None,
) -> TestSendResult:
    """Send ``rendered`` (subject prefixed "[Test] ") from the account to ``to_address``.

    Nothing is recorded in the outbox or the activity log; the user's own address is the only
    recipient. For the sequence editor's "Send test to me".
    """
    with db.session() as session:
        account = session.get(SenderAccount, account_id)
        if account is None:
            return TestSendResult(False, "the sender account no longer exists")
        sender = Sender(
            account.from_address,
            account.display_name,
            account.reply_to,
            account.unsubscribe_mailto,
            account.unsubscribe_url,
        )
        settings = ServerSettings(
            account.smtp_host, account.smtp_port, account.smtp_security, account.smtp_username
        )
        password = password_for(account) if account.smtp_username else ""
    if password is None:
        return TestSendResult(False, "LeadDesk needs this account's password first")
    subject = TEST_PREFIX + (rendered.get("subject") or "")
    try:
        outgoing = compose(
            sender,
            to_address=to_address,
            to_name="",
            rendered={**rendered, "subject": subject},
            subject=subject,
            message_id=make_message_id(sender.from_address),
            unsubscribe_token=make_unsubscribe_token(),
            now=clock.now(),
        )
    except CompositionError as error:
        return TestSendResult(False, str(error))
    session_ = SmtpSession(settings, password, tls_context=tls_context)
    try:
        session_.open()
        reply = session_.submit(outgoing)
    except OpenError as error:
        return TestSendResult(False, f"{error.step} failed: {error}")
    finally:
        session_.close()
    return TestSendResult(reply.accepted, reply.describe())
