"""Builders for sending tests: an account pointing at the test server, leads with planned emails."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from leaddesk.db.engine import Database
from leaddesk.db.models import (
    Enrollment,
    Lead,
    OutboundMessage,
    SenderAccount,
    SequenceStep,
    StepKind,
)
from leaddesk.leads.emails import email_key
from leaddesk.mail.accounts import add_account
from leaddesk.mail.ids import make_message_id, make_unsubscribe_token
from leaddesk.sequences.presets import load_preset, sequence_from_document
from tests.mail.mailtest_support import USERNAME


def make_account(db: Database, port: int, password: str, **overrides: Any) -> int:
    """A sender account for the loopback test server; returns its id."""
    values: dict[str, Any] = {
        "name": "Test sender",
        "from_address": "sales@leaddesk-test.example",
        "display_name": "Ada from LeadDesk",
        "provider": "custom",
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_security": "starttls",
        "smtp_username": USERNAME,
    }
    values.update(overrides)
    with db.write() as session:
        account, _ = add_account(session, values, password=password)
        return account.id


def plan_messages(
    db: Database,
    account_id: int,
    count: int,
    due_at: datetime,
    *,
    first_names: list[str] | None = None,
) -> list[int]:
    """``count`` leads enrolled in the tradeshow preset, each with one due email; row ids."""
    with db.write() as session:
        existing = session.scalar(select(SenderAccount).where(SenderAccount.id == account_id))
        assert existing is not None
        from_address = existing.from_address
        offset = session.query(Lead).count()
        document = load_preset("tradeshow")
        sequence = sequence_from_document(session, document, name=f"{document['name']} {offset}")
        version = sequence.versions[0]
        step = next(s for s in version.steps if s.kind == StepKind.EMAIL)
        offset = session.query(Lead).count()
        leads = []
        for index in range(count):
            number = offset + index
            first = first_names[index] if first_names else f"Lead{number}"
            address = f"lead{number}@customer-{number % 7}.example"
            leads.append(
                Lead(email=address, email_key=email_key(address), first_name=first, last_name="Doe")
            )
        session.add_all(leads)
        session.flush()
        enrollments = [
            Enrollment(lead_id=lead.id, sequence_id=sequence.id, version_id=version.id)
            for lead in leads
        ]
        session.add_all(enrollments)
        session.flush()
        rows = []
        for lead, enrollment in zip(leads, enrollments, strict=True):
            subject = f"Thanks for stopping by, {lead.first_name}"
            text = (
                f"Hi {lead.first_name},\n\nThank you for visiting our booth. Here is the guide.\n\n"
                "Best regards,\nAda\n\n--\nLeadDesk Test Ltd, 1 Harbour Street, Bristol BS1 1AA\n"
                "To stop these emails, reply with 'unsubscribe'.\n"
            )
            html = "<p>" + text.replace("\n\n", "</p><p>").replace("\n", "<br>") + "</p>"
            rows.append(
                OutboundMessage(
                    lead_id=lead.id,
                    enrollment_id=enrollment.id,
                    step_id=step.id,
                    account_id=account_id,
                    message_id=make_message_id(from_address),
                    to_address=lead.email,
                    subject=subject,
                    unsubscribe_token=make_unsubscribe_token(),
                    due_at=due_at,
                    rendered={"subject": subject, "text": text, "html": html},
                )
            )
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def states(db: Database) -> dict[str, int]:
    """How many outbox rows are in each state."""
    from sqlalchemy import func

    with db.session() as session:
        return dict(
            session.execute(
                select(OutboundMessage.state, func.count()).group_by(OutboundMessage.state)
            ).all()
        )


__all__ = ["SequenceStep", "make_account", "plan_messages", "states"]
