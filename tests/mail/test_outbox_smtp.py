"""The outbox against a real SMTP server: sent once, retried, bounced, paused, throttled."""

from __future__ import annotations

import itertools
from datetime import timedelta

from sqlalchemy import select

from leaddesk.db.models import (
    Activity,
    EmailState,
    Enrollment,
    EnrollmentState,
    Lead,
    OutboundMessage,
    OutboxState,
    SenderAccount,
)
from leaddesk.leads.suppression import is_suppressed
from leaddesk.mail.sender import send_due
from leaddesk.settings import SENDING_PAUSED, set_setting
from tests.mail.mailtest_data import make_account, plan_messages, states
from tests.mail.mailtest_keyring import PASSWORD
from tests.scoring.scoring_helpers import engagement_rule, use_model


def test_due_messages_are_sent_once_over_one_session(db, clock, smtp_server, tls):
    """Every due email reaches the server exactly once and is recorded as sent with an activity."""
    account_id = make_account(db, smtp_server.port, PASSWORD)
    plan_messages(db, account_id, 20, clock.now())
    report = send_due(db, clock, tls_context=tls)
    assert report.sent == 20
    assert states(db) == {"sent": 20}
    ids = [r.message_id for r in smtp_server.received]
    assert len(ids) == len(set(ids)) == 20
    assert smtp_server.handler.auth_attempts == ["sender@example.com"]
    with db.session() as session:
        kinds = list(session.scalars(select(Activity.kind)))
        rows = list(session.scalars(select(OutboundMessage)))
    assert kinds.count("email_sent") == 20
    assert {r.message_id for r in rows} == set(ids)
    again = send_due(db, clock, tls_context=tls)
    assert again.sent == 0 and len(smtp_server.received) == 20


def test_sent_email_rescores_when_a_rule_counts_it(db, clock, smtp_server, tls):
    """A scoring rule that counts sent emails raises the lead's score when its email goes out."""
    account_id = make_account(db, smtp_server.port, PASSWORD)
    with db.write() as session:
        use_model(session, [engagement_rule("email_sent", 7)])
    plan_messages(db, account_id, 2, clock.now())
    assert send_due(db, clock, tls_context=tls).sent == 2
    with db.session() as session:
        assert sorted(session.scalars(select(Lead.engagement_score))) == [7, 7]


def test_recipients_at_the_server_are_exactly_the_lead(db, clock, smtp_server, tls):
    """The SMTP envelope names only the lead's address (no Cc/Bcc smuggled in by lead data)."""
    account_id = make_account(db, smtp_server.port, PASSWORD)
    plan_messages(db, account_id, 3, clock.now(), first_names=["A\r\nBcc: x@evil.example"] * 3)
    send_due(db, clock, tls_context=tls)
    with db.session() as session:
        wanted = {r.message_id: r.to_address for r in session.scalars(select(OutboundMessage))}
    for received in smtp_server.received:
        assert received.recipients == [wanted[received.message_id]]
        assert "evil" not in str(received.message["To"]).split("<")[1]
        assert received.message["Bcc"] is None


def test_dropped_connection_after_data_leaves_unknown_and_one_copy(db, clock, smtp_server, tls):
    """A connection lost after the message data went out gives 'unknown' and no resend."""
    account_id = make_account(db, smtp_server.port, PASSWORD)
    (row_id,) = plan_messages(db, account_id, 1, clock.now())
    smtp_server.script.drop_after_data = 1
    report = send_due(db, clock, tls_context=tls)
    assert report.unknown == 1
    for _ in range(3):
        clock.advance(timedelta(hours=1))
        send_due(db, clock, tls_context=tls)
    with db.session() as session:
        row = session.get(OutboundMessage, row_id)
        assert row.state == OutboxState.UNKNOWN
    assert len(smtp_server.received) == 1


def test_451_twice_then_250_takes_three_attempts_with_growing_gaps(db, clock, smtp_server, tls):
    """Temporary refusals are retried later with a growing delay until the server accepts."""
    account_id = make_account(db, smtp_server.port, PASSWORD)
    (row_id,) = plan_messages(db, account_id, 1, clock.now())
    smtp_server.script.data_replies.extend(["451 4.3.0 Try again later"] * 2)
    attempts_at = []
    for _ in range(200):
        report = send_due(db, clock, tls_context=tls)
        if report.sent or report.deferred:
            attempts_at.append(clock.now())
        if report.sent:
            break
        clock.advance(timedelta(minutes=1))
    with db.session() as session:
        row = session.get(OutboundMessage, row_id)
        assert row.state == OutboxState.SENT and row.attempts == 3
    gaps = [b - a for a, b in itertools.pairwise(attempts_at)]
    assert len(gaps) == 2 and gaps[0] < gaps[1]
    assert len(smtp_server.received) == 1


def test_temporary_refusals_expire_after_the_window(db, clock, smtp_server, tls):
    """A message refused with 4xx for longer than the retry window expires with the server text."""
    account_id = make_account(db, smtp_server.port, PASSWORD)
    (row_id,) = plan_messages(db, account_id, 1, clock.now())
    smtp_server.script.data_replies.extend(["451 4.3.0 Mailbox busy"] * 100)
    for _ in range(100):
        send_due(db, clock, tls_context=tls)
        clock.advance(timedelta(hours=2))
    with db.session() as session:
        row = session.get(OutboundMessage, row_id)
        assert row.state == OutboxState.EXPIRED
        assert "451 4.3.0 Mailbox busy" in row.finished_reason
    assert smtp_server.received == []


def test_retry_window_is_a_team_setting(db, clock, smtp_server, tls):
    """With the retry window set to 1 day, a message refused with 4xx expires after a day."""
    account_id = make_account(db, smtp_server.port, PASSWORD)
    (row_id,) = plan_messages(db, account_id, 1, clock.now())
    with db.write() as session:
        set_setting(session, "sending_retry_days", 1)
    smtp_server.script.data_replies.extend(["450 4.2.0 Mailbox busy"] * 100)
    for _ in range(20):
        send_due(db, clock, tls_context=tls)
        clock.advance(timedelta(hours=2))
    with db.session() as session:
        row = session.get(OutboundMessage, row_id)
        assert row.state == OutboxState.EXPIRED and "after 1 day of" in row.finished_reason


def test_550_unknown_user_bounces_suppresses_and_exits(db, clock, smtp_server, tls):
    """A permanent recipient refusal fails the email once, bounces and suppresses the lead."""
    account_id = make_account(db, smtp_server.port, PASSWORD)
    row_ids = plan_messages(db, account_id, 3, clock.now())
    with db.session() as session:
        victim = session.get(OutboundMessage, row_ids[1]).to_address
    smtp_server.script.rcpt_replies[victim] = "550 5.1.1 No such user here"
    report = send_due(db, clock, tls_context=tls)
    assert report.sent == 2 and report.bounced == 1
    with db.session() as session:
        row = session.get(OutboundMessage, row_ids[1])
        lead = session.get(Lead, row.lead_id)
        enrollment = session.get(Enrollment, row.enrollment_id)
        kinds = set(session.scalars(select(Activity.kind).where(Activity.lead_id == lead.id)))
        assert row.state == OutboxState.FAILED and row.attempts == 1
        assert "5.1.1" in row.finished_reason
        assert lead.email_state == EmailState.BOUNCED
        assert enrollment.state == EnrollmentState.EXITED
        assert is_suppressed(session, victim)
        assert "bounced" in kinds
    clock.advance(timedelta(days=1))
    send_due(db, clock, tls_context=tls)
    assert len(smtp_server.received) == 2


def test_quota_reply_pauses_account_then_resumes_after_cool_down(db, clock, smtp_server, tls):
    """A daily-quota reply pauses the account for the provider's 24 hours, bounces nobody, says
    when sending resumes, and sending resumes then."""
    account_id = make_account(db, smtp_server.port, PASSWORD)
    plan_messages(db, account_id, 5, clock.now())
    smtp_server.script.data_replies.append(
        "550 5.4.5 Daily user sending quota exceeded. Learn more"
    )
    report = send_due(db, clock, tls_context=tls)
    assert report.sent == 0 and account_id in report.paused_accounts
    assert states(db) == {"scheduled": 5}
    with db.session() as session:
        account = session.get(SenderAccount, account_id)
        assert "quota" in account.pause_reason and "24-hour window" in account.pause_reason
        assert account.paused_until == clock.now() + timedelta(hours=24)
        assert session.scalar(select(Lead).where(Lead.email_state != EmailState.OK)) is None
    # "next send" is when the pause ends, never a moment already past
    assert report.next_send_at == clock.now() + timedelta(hours=24)
    clock.advance(timedelta(hours=2))
    again = send_due(db, clock, tls_context=tls)
    assert again.sent == 0 and again.next_send_at > clock.now()
    clock.advance(timedelta(hours=22))
    assert send_due(db, clock, tls_context=tls).sent == 5
    assert len(smtp_server.received) == 5


def test_microsoft_quota_and_throttle_replies_pause_without_bounces(db, clock, smtp_server, tls):
    """554 5.2.0 QuotaExceeded and 432 4.3.2 pause the account and leave messages scheduled."""
    account_id = make_account(db, smtp_server.port, PASSWORD)
    plan_messages(db, account_id, 2, clock.now())
    for reply in (
        "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException",
        "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded",
    ):
        smtp_server.script.data_replies.append(reply)
        report = send_due(db, clock, tls_context=tls)
        assert account_id in report.paused_accounts
        assert states(db) == {"scheduled": 2}
        clock.advance(timedelta(hours=25))  # past the quota window and the throttle pause
    assert send_due(db, clock, tls_context=tls).sent == 2


def test_wrong_password_pauses_the_account(db, clock, smtp_server, tls):
    """A refused login (535) pauses the account with a reason and keeps messages scheduled."""
    account_id = make_account(db, smtp_server.port, "wrong-password")
    plan_messages(db, account_id, 2, clock.now())
    report = send_due(db, clock, tls_context=tls)
    assert account_id in report.paused_accounts
    assert "login refused" in report.paused_accounts[account_id]
    assert states(db) == {"scheduled": 2}


def test_throttle_keeps_every_minute_within_the_cap(db, clock, smtp_server, tls):
    """With a 30/min cap no 60-second window at the server holds more than 30 messages."""
    account_id = make_account(db, smtp_server.port, PASSWORD, per_minute=30)
    plan_messages(db, account_id, 75, clock.now())
    for _ in range(20):
        send_due(db, clock, tls_context=tls, limit=20)
        clock.advance(timedelta(seconds=5))
    stamps = sorted(r.stamp for r in smtp_server.received)
    assert len(stamps) == 75
    for i, start in enumerate(stamps):
        in_window = [s for s in stamps[i:] if s - start < timedelta(seconds=60)]
        assert len(in_window) <= 30


def test_daily_cap_stops_the_account_for_the_day(db, clock, smtp_server, tls):
    """A per-day cap is a rolling 24-hour window: the rest waits for the next day."""
    account_id = make_account(db, smtp_server.port, PASSWORD, per_day=10)
    plan_messages(db, account_id, 15, clock.now())
    report = send_due(db, clock, tls_context=tls)
    assert report.sent == 10 and report.next_send_at is not None
    clock.advance(timedelta(hours=12))
    assert send_due(db, clock, tls_context=tls).sent == 0
    clock.advance(timedelta(hours=12, seconds=1))
    assert send_due(db, clock, tls_context=tls).sent == 5


def test_stop_conditions_are_checked_at_claim_time(db, clock, smtp_server, tls):
    """A lead suppressed or exited after scheduling is never sent; a paused sequence waits."""
    account_id = make_account(db, smtp_server.port, PASSWORD)
    row_ids = plan_messages(db, account_id, 3, clock.now())
    from leaddesk.db.models import Sequence
    from leaddesk.leads.suppression import suppress

    with db.write() as session:
        first = session.get(OutboundMessage, row_ids[0])
        suppress(session, first.to_address, "unsubscribed")
        second = session.get(OutboundMessage, row_ids[1])
        session.get(Enrollment, second.enrollment_id).state = EnrollmentState.EXITED
    report = send_due(db, clock, tls_context=tls)
    assert report.sent == 1
    with db.session() as session:
        assert session.get(OutboundMessage, row_ids[0]).state == OutboxState.CANCELLED
        assert session.get(OutboundMessage, row_ids[1]).state == OutboxState.CANCELLED
    plan_ids = plan_messages(db, account_id, 2, clock.now())
    with db.write() as session:
        enrollment_id = session.get(OutboundMessage, plan_ids[0]).enrollment_id
        sequence_id = session.get(Enrollment, enrollment_id).sequence_id
        session.get(Sequence, sequence_id).status = "paused"
    assert send_due(db, clock, tls_context=tls).sent == 0
    with db.write() as session:
        session.get(Sequence, sequence_id).status = "active"
    assert send_due(db, clock, tls_context=tls).sent == 2


def test_pause_all_sending_stops_the_sender(db, clock, smtp_server, tls):
    """The global "Pause all sending" switch stops every account until it is turned off."""
    account_id = make_account(db, smtp_server.port, PASSWORD)
    plan_messages(db, account_id, 4, clock.now())
    with db.write() as session:
        set_setting(session, SENDING_PAUSED, True)
    report = send_due(db, clock, tls_context=tls)
    assert report.paused_all and report.sent == 0
    with db.write() as session:
        set_setting(session, SENDING_PAUSED, False)
    assert send_due(db, clock, tls_context=tls).sent == 4


def test_one_broken_message_does_not_block_the_batch(db, clock, smtp_server, tls):
    """A message that cannot be composed fails alone; the others still go out once."""
    account_id = make_account(db, smtp_server.port, PASSWORD)
    row_ids = plan_messages(db, account_id, 5, clock.now())
    with db.write() as session:
        session.get(OutboundMessage, row_ids[2]).to_address = "not an address"
        session.get(OutboundMessage, row_ids[3]).rendered = {"subject": "x"}
    report = send_due(db, clock, tls_context=tls)
    assert report.sent == 3 and report.failed == 2
    assert len(smtp_server.received) == 3


def test_send_test_to_me_goes_only_to_the_user(db, clock, smtp_server, tls):
    """ "Send test to me" delivers one [Test] email to the user and leaves the outbox alone."""
    from leaddesk.mail.trial_send import send_test_email

    account_id = make_account(db, smtp_server.port, PASSWORD)
    rendered = {"subject": "Hello", "text": "Hi there,\n\nA test.\n", "html": ""}
    result = send_test_email(
        db, clock, account_id, to_address="me@leaddesk-test.example", rendered=rendered,
        tls_context=tls,
    )  # fmt: skip
    assert result.ok, result.text
    (received,) = smtp_server.received
    assert received.recipients == ["me@leaddesk-test.example"]
    assert received.message["Subject"] == "[Test] Hello"
    assert states(db) == {}


def test_a_second_sender_stands_aside_while_one_is_working(db, clock, smtp_server, tls):
    """When another LeadDesk process is sending, send-due does nothing and leaves rows alone."""
    from leaddesk.mail.lock import SenderLock

    account_id = make_account(db, smtp_server.port, PASSWORD)
    (row_id,) = plan_messages(db, account_id, 1, clock.now())
    with db.write() as session:
        row = session.get(OutboundMessage, row_id)
        row.state = OutboxState.SENDING  # in flight elsewhere, its DATA begun
        row.handed_at = clock.now()
    with SenderLock(db) as held:
        assert held.acquired
        report = send_due(db, clock, tls_context=tls)
        assert report.busy and report.sent == 0
        assert states(db) == {"sending": 1}
    report = send_due(db, clock, tls_context=tls)
    assert report.recovered_unknown == 1 and states(db) == {"unknown": 1}
    assert smtp_server.received == []


def test_a_claimed_row_whose_data_never_started_is_sent_by_the_next_sender(
    db, clock, smtp_server, tls
):
    """A row a dead sender claimed but never began DATA for goes out once, by itself."""
    account_id = make_account(db, smtp_server.port, PASSWORD)
    (row_id,) = plan_messages(db, account_id, 1, clock.now())
    with db.write() as session:
        row = session.get(OutboundMessage, row_id)
        row.state, row.attempts, row.first_attempt_at = OutboxState.SENDING, 1, clock.now()
    report = send_due(db, clock, tls_context=tls)
    assert (report.rescheduled, report.sent, report.recovered_unknown) == (1, 1, 0)
    assert states(db) == {"sent": 1} and len(smtp_server.received) == 1
    with db.session() as session:
        assert session.get(OutboundMessage, row_id).attempts == 1


def test_an_accepted_row_left_sending_is_finished_as_sent(db, clock, smtp_server, tls):
    """A 250 recorded just before a crash counts as sent (with its activity), never resent."""
    account_id = make_account(db, smtp_server.port, PASSWORD)
    (row_id,) = plan_messages(db, account_id, 1, clock.now())
    accepted_at = clock.now()
    with db.write() as session:
        row = session.get(OutboundMessage, row_id)
        row.state, row.handed_at, row.sent_at = OutboxState.SENDING, accepted_at, accepted_at
        row.finished_reason = "250 queued as X1"
    clock.advance(timedelta(minutes=3))
    report = send_due(db, clock, tls_context=tls)
    assert (report.recovered_sent, report.sent, report.recovered_unknown) == (1, 0, 0)
    assert states(db) == {"sent": 1} and smtp_server.received == []
    with db.session() as session:
        row = session.get(OutboundMessage, row_id)
        assert row.sent_at == accepted_at
        kinds = [
            a.kind for a in session.scalars(select(Activity).where(Activity.lead_id == row.lead_id))
        ]
    assert "email_sent" in kinds
