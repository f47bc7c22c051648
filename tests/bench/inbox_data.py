"""Build a realistic big inbox fast (Core inserts): leads, tags, activities, enrollments."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import insert

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
from leaddesk.demo.generator import FIRST, LAST

COMPANIES = ["Northwind", "Brightline", "Kestrel", "Harbor", "Alpine", "Cobalt", "Meridian"]
TITLES = ["VP Operations", "CEO", "CFO", "Director of IT", "Intern", "Sales Director"]
SOURCES = ["CloudOps Expo 2026", "RetailTech Summit", "Webinar March", "Website", "Referral"]
STATUSES = ["new", "nurturing", "sales_ready", "in_sales", "customer", "disqualified"]
BANDS = ["cold", "warm", "sales_ready"]
CHUNK = 20_000


def build_inbox(db: Database, leads: int, *, now: datetime, seed: int = 1) -> None:
    """Insert ``leads`` leads with tags, one or two activities each, and some enrollments."""
    rng = random.Random(seed)
    with db.write() as session:
        team_ids = [
            session.execute(
                insert(TeamMember).values(name=name, email=f"{name.lower()}@team.example")
            ).inserted_primary_key[0]
            for name in ("Maya", "Tom", "Sofia", "Ravi")
        ]
        sequence_id = session.execute(
            insert(Sequence).values(name="Tradeshow follow-up", status="active")
        ).inserted_primary_key[0]
        version_id = session.execute(
            insert(SequenceVersion).values(sequence_id=sequence_id, number=1, created_at=now)
        ).inserted_primary_key[0]
    for start in range(0, leads, CHUNK):
        count = min(CHUNK, leads - start)
        rows = [_lead(rng, start + i, team_ids, now) for i in range(count)]
        with db.write() as session:
            session.execute(insert(Lead), rows)
            ids = range(start + 1, start + count + 1)
            session.execute(
                insert(LeadTag),
                [{"lead_id": i, "tag": rng.choice(["expo", "vip", "q3"])} for i in ids],
            )
            session.execute(insert(Activity), [_activity(rng, i, now) for i in ids])
            enrolled = [i for i in ids if i % 7 == 0]
            session.execute(
                insert(Enrollment),
                [
                    {
                        "lead_id": i,
                        "sequence_id": sequence_id,
                        "version_id": version_id,
                        "state": "active",
                        "enrolled_at": now,
                        "next_due_at": now + timedelta(hours=rng.randint(1, 500)),
                        "origin": "bench",
                    }
                    for i in enrolled
                ],
            )
            overdue = [i for i in ids if i % 97 == 0]
            session.execute(
                insert(Task),
                [
                    {
                        "lead_id": i,
                        "title": "Call back",
                        "due_at": now - timedelta(days=1),
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in overdue
                ],
            )


def _lead(rng: random.Random, index: int, team_ids: list[int], now: datetime) -> dict[str, object]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    company = rng.choice(COMPANIES)
    email = f"{first}.{last}{index}@{company}.example".lower()
    score = round(rng.random() * 100, 1)
    created = now - timedelta(days=rng.randint(0, 365))
    return {
        "email": email,
        "email_key": email,
        "first_name": first,
        "last_name": last,
        "company": f"{company} {rng.choice(['GmbH', 'Ltd', 'Inc', 'AB'])}",
        "title": rng.choice(TITLES),
        "phone": "",
        "industry": "",
        "company_size": "",
        "country": "",
        "city": "",
        "timezone": "",
        "source": rng.choice(SOURCES),
        "owner_id": rng.choice([None, *team_ids]),
        "status": rng.choice(STATUSES),
        "email_state": "ok",
        "custom_fields": {},
        "score": score,
        "fit_score": round(score * 0.6, 1),
        "engagement_score": round(score * 0.4, 1),
        "score_band": BANDS[0] if score < 40 else BANDS[1] if score < 70 else BANDS[2],
        "last_activity_at": created + timedelta(days=rng.randint(0, 30)),
        "created_at": created,
        "updated_at": created,
    }


def _activity(rng: random.Random, lead_id: int, now: datetime) -> dict[str, object]:
    kind = rng.choice(["imported", "imported", "whitepaper_download", "replied"])
    return {
        "lead_id": lead_id,
        "kind": kind,
        "occurred_at": now - timedelta(days=rng.randint(0, 60)),
        "recorded_at": now,
        "origin": "import",
        "payload": {},
    }
