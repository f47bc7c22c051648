"""The rows the inbox table paints, fetched by id for one block of the table at a time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.db.models import Enrollment, EnrollmentState, Lead, LeadTag, TeamMember
from leaddesk.db.models import Sequence as DripSequence

FETCH_CHUNK = 500  # ids per IN (...) list; well under SQLite's variable limit


@dataclass(frozen=True)
class LeadRow:
    """One inbox row: plain values, safe to hand to the GUI thread."""

    id: int
    name: str
    first_name: str
    last_name: str
    company: str
    title: str
    email: str
    score: float
    fit_score: float
    engagement_score: float
    band: str
    status: str
    owner_id: int | None
    owner: str
    source: str
    last_activity_at: datetime | None
    next_sequence: str
    next_due_at: datetime | None
    tags: tuple[str, ...]
    status_reason: str = ""  # why it is lost, recycled, unresponsive…


def fetch_rows(session: Session, ids: Sequence[int]) -> dict[int, LeadRow]:
    """The rows of the leads ``ids`` by id (a lead deleted meanwhile is simply absent)."""
    rows: dict[int, LeadRow] = {}
    for start in range(0, len(ids), FETCH_CHUNK):
        rows.update(_fetch_chunk(session, list(ids[start : start + FETCH_CHUNK])))
    return rows


def _fetch_chunk(session: Session, ids: list[int]) -> dict[int, LeadRow]:
    if not ids:
        return {}
    leads = session.execute(
        select(
            Lead.id,
            Lead.first_name,
            Lead.last_name,
            Lead.company,
            Lead.title,
            Lead.email,
            Lead.score,
            Lead.fit_score,
            Lead.engagement_score,
            Lead.score_band,
            Lead.status,
            Lead.owner_id,
            TeamMember.name,
            Lead.source,
            Lead.last_activity_at,
            Lead.status_reason,
        )
        .outerjoin(TeamMember, TeamMember.id == Lead.owner_id)
        .where(Lead.id.in_(ids))
    ).all()
    next_steps = _next_steps(session, ids)
    tags: dict[int, list[str]] = {}
    for lead_id, tag in session.execute(
        select(LeadTag.lead_id, LeadTag.tag).where(LeadTag.lead_id.in_(ids)).order_by(LeadTag.tag)
    ):
        tags.setdefault(lead_id, []).append(tag)
    result: dict[int, LeadRow] = {}
    for r in leads:
        sequence_name, due = next_steps.get(r.id, ("", None))
        result[r.id] = LeadRow(
            id=r.id,
            name=" ".join(p for p in (r.first_name, r.last_name) if p) or r.email,
            first_name=r.first_name,
            last_name=r.last_name,
            company=r.company,
            title=r.title,
            email=r.email,
            score=r.score,
            fit_score=r.fit_score,
            engagement_score=r.engagement_score,
            band=r.score_band,
            status=r.status,
            owner_id=r.owner_id,
            owner=r.name or "",
            source=r.source,
            last_activity_at=r.last_activity_at,
            next_sequence=sequence_name,
            next_due_at=due,
            tags=tuple(tags.get(r.id, ())),
            status_reason=r.status_reason or "",
        )
    return result


def _next_steps(session: Session, ids: list[int]) -> dict[int, tuple[str, datetime | None]]:
    """For each lead: the active enrollment whose next step is due first, and when."""
    found: dict[int, tuple[str, datetime | None]] = {}
    # The state is tested in Python: with "state = 'active'" in SQL, SQLite (without ANALYZE
    # statistics) walks ix_enrollments_due over every active enrollment instead of by lead.
    statement = (
        select(Enrollment.lead_id, DripSequence.name, Enrollment.next_due_at, Enrollment.state)
        .join(DripSequence, DripSequence.id == Enrollment.sequence_id)
        .where(Enrollment.lead_id.in_(ids))
    )
    for lead_id, name, due, state in session.execute(statement):
        if state != EnrollmentState.ACTIVE:
            continue
        current = found.get(lead_id)
        if current is None or (due is not None and (current[1] is None or due < current[1])):
            found[lead_id] = (name, due)
    return found
