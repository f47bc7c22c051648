"""A few hand-made leads with a team and a sequence, shared by the inbox tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import (
    Activity,
    Enrollment,
    Lead,
    LeadTag,
    Sequence,
    SequenceVersion,
    Task,
    TeamMember,
)
from leaddesk.leads.emails import email_key


def make_lead(session: Session, email: str, **fields: Any) -> int:
    """Insert one lead (tags=[...] adds tags) and return its id."""
    tags = fields.pop("tags", [])
    lead = Lead(email=email, email_key=email_key(email), **fields)
    lead.tags = [LeadTag(tag=t) for t in tags]
    session.add(lead)
    session.flush()
    return lead.id


@dataclass
class Inbox:
    """Ids of the sample data."""

    maya: int
    tom: int
    sequence: int
    version: int
    anna: int
    ben: int
    clara: int
    david: int


def build_sample_inbox(db: Database, clock: FixedClock) -> Inbox:
    """Four leads: Anna (hot, replied), Ben (warm, in a sequence), Clara (cold), David (task)."""
    now = clock.now()
    with db.write() as s:
        maya = TeamMember(name="Maya Lindgren", email="maya@team.example")
        tom = TeamMember(name="Tom Okoro", email="tom@team.example")
        s.add_all([maya, tom])
        sequence = Sequence(name="Tradeshow follow-up", status="active")
        s.add(sequence)
        s.flush()
        version = SequenceVersion(sequence_id=sequence.id, number=1)
        s.add(version)
        s.flush()
        anna = make_lead(
            s,
            "anna.andersen@northwind.example",
            first_name="Anna",
            last_name="Andersen",
            company="Northwind Logistics",
            title="VP Operations",
            score=82.0,
            fit_score=45.0,
            engagement_score=37.0,
            score_band="sales_ready",
            status="sales_ready",
            owner_id=maya.id,
            source="CloudOps Expo",
            tags=["expo", "vip"],
        )
        ben = make_lead(
            s,
            "ben.bauer@kestrel.example",
            first_name="Ben",
            last_name="Bauer",
            company="Kestrel Software",
            title="CTO",
            score=55.0,
            score_band="warm",
            status="nurturing",
            owner_id=tom.id,
            source="CloudOps Expo",
            tags=["expo"],
        )
        clara = make_lead(
            s,
            "clara.costa@alpine.example",
            first_name="Clara",
            last_name="Costa",
            company="Alpine Foods",
            title="Intern",
            score=5.0,
            score_band="cold",
            status="new",
            source="Website",
        )
        david = make_lead(
            s,
            "david.dubois@harbor.example",
            first_name="David",
            last_name="Dubois",
            company="Harbor Health",
            title="CFO",
            score=30.0,
            score_band="cold",
            status="nurturing",
            owner_id=tom.id,
            source="Webinar",
        )
        s.add(
            Enrollment(
                lead_id=ben,
                sequence_id=sequence.id,
                version_id=version.id,
                enrolled_at=now,
                next_due_at=now + timedelta(days=2),
            )
        )
        s.add(
            Activity(
                lead_id=clara,
                kind="replied",
                occurred_at=now - timedelta(days=1),
                origin="mailbox",
                payload={"subject": "Re: hello"},
            )
        )
        s.add(Task(lead_id=david, title="Call back", due_at=now - timedelta(hours=3)))
        return Inbox(maya.id, tom.id, sequence.id, version.id, anna, ben, clara, david)
