"""The sequences report counts what the mailbox now tells apart: soft bounces, refusals of the
sender and spam complaints, per email, each email's failure once."""

from __future__ import annotations

from leaddesk.activities.kinds import ActivityKind as K
from leaddesk.db.engine import Database
from leaddesk.db.models import (
    Enrollment,
    InboundMessage,
    Lead,
    OutboundMessage,
    SenderAccount,
)
from tests.reports.test_reports_known_answers import JANUARY, _event, at, report
from tests.sequences.sequence_helpers import email, make_sequence


def test_soft_refused_and_complaints_per_email(db: Database) -> None:
    """4 sent: one full mailbox, one spam-filter refusal, one complaint: 2 delivered."""
    with db.write() as session:
        account = SenderAccount(name="Sales", from_address="sales@ourco.example")
        session.add(account)
        sequence = make_sequence(session, [email("One")])
        step = sequence.versions[0].steps[0]
        sent = {}
        for name in ("full", "refused", "complainer", "fine"):
            lead = Lead(email=f"{name}@x.example", email_key=f"{name}@x.example")
            session.add(lead)
            session.flush()
            version_id = sequence.versions[0].id
            enrollment = Enrollment(lead_id=lead.id, sequence_id=sequence.id,
                                    version_id=version_id, enrolled_at=at(1, 5))  # fmt: skip
            session.add(enrollment)
            session.flush()
            row = OutboundMessage(lead_id=lead.id, enrollment_id=enrollment.id, step_id=step.id,
                                  account_id=account.id, message_id=f"<{name}@x>",
                                  to_address=lead.email, state="sent", due_at=at(1, 7),
                                  sent_at=at(1, 7))  # fmt: skip
            session.add(row)
            session.flush()
            _event(session, lead, K.EMAIL_SENT, at(1, 7), step_id=step.id, outbound_id=row.id)
            sent[name] = (lead, row)
        for name, classification in (("full", "bounce_soft"), ("refused", "bounce_policy")):
            lead, row = sent[name]
            for day in (8, 9):  # the same email failing twice counts once
                inbound = InboundMessage(account_id=account.id, fingerprint=f"{name}{day}",
                                         classification=classification, lead_id=lead.id,
                                         outbound_id=row.id, processed_at=at(1, day))  # fmt: skip
                session.add(inbound)
        lead, row = sent["complainer"]
        _event(session, lead, K.COMPLAINED, at(1, 9), outbound_id=row.id)
    result = report(db, "sequences", JANUARY)
    table = result.tables[1]
    step_row = dict(zip(table.columns, table.rows[0], strict=True))
    assert (step_row["Sent"], step_row["Delivered"]) == (4, 2)
    assert (step_row["Hard bounces"], step_row["Soft bounces"], step_row["Refused (policy)"]) == (
        0, 1, 1,
    )  # fmt: skip
    assert step_row["Spam complaints"] == 1
