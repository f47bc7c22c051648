"""Test data for visit tests: a lead with one sent email whose links carry a known token."""

from __future__ import annotations

from datetime import UTC, datetime

from leaddesk.db.engine import Database
from leaddesk.db.models import Lead, OutboundMessage

TOKEN = "Zk3_q9XwP0aB"
SENT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def sent_email(db: Database, address: str = "ines@harbour.example") -> int:
    """A lead and one email sent to it at SENT whose links carry TOKEN; returns the lead id."""
    with db.write() as session:
        lead = Lead(email=address, email_key=address.lower(), first_name="Ines")
        session.add(lead)
        session.flush()
        session.add(
            OutboundMessage(lead_id=lead.id, message_id="<1@leaddesk.example>",
                            to_address=lead.email, state="sent", due_at=SENT, sent_at=SENT,
                            link_token=TOKEN)
        )  # fmt: skip
        return lead.id
