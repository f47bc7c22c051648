"""Counts that tell a small team how its funnel looks: status, band, source, recent activity."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leaddesk.db.models import (
    Activity,
    Enrollment,
    EnrollmentState,
    Lead,
    OutboundMessage,
    Sequence,
)


@dataclass(frozen=True)
class FunnelSummary:
    """Plain counts for the Reports page (no ORM objects)."""

    total_leads: int
    by_status: dict[str, int] = field(default_factory=dict)
    by_band: dict[str, int] = field(default_factory=dict)
    top_sources: list[tuple[str, int]] = field(default_factory=list)
    recent_activity: dict[str, int] = field(default_factory=dict)
    outbox: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SequenceOverview:
    """One sequence with how many leads are in it, by enrollment state."""

    sequence_id: int
    name: str
    status: str
    enrolled: int
    active: int
    completed: int
    exited: int


def funnel_summary(session: Session, now: datetime, *, days: int = 30) -> FunnelSummary:
    """Leads by status, band and source, activity kinds and outbox states of the last ``days``."""
    total = session.scalar(select(func.count(Lead.id))) or 0
    by_status = dict(session.execute(select(Lead.status, func.count()).group_by(Lead.status)).all())
    by_band = dict(
        session.execute(select(Lead.score_band, func.count()).group_by(Lead.score_band)).all()
    )
    sources = session.execute(
        select(Lead.source, func.count().label("n"))
        .group_by(Lead.source)
        .order_by(func.count().desc(), Lead.source)
        .limit(10)
    ).all()
    since = now - timedelta(days=days)
    recent = dict(
        session.execute(
            select(Activity.kind, func.count())
            .where(Activity.occurred_at >= since)
            .group_by(Activity.kind)
        ).all()
    )
    outbox = dict(
        session.execute(
            select(OutboundMessage.state, func.count()).group_by(OutboundMessage.state)
        ).all()
    )
    return FunnelSummary(
        total_leads=total,
        by_status=by_status,
        by_band=by_band,
        top_sources=[(source or "(no source)", n) for source, n in sources],
        recent_activity=recent,
        outbox=outbox,
    )


def sequence_overview(session: Session) -> list[SequenceOverview]:
    """Every sequence with its enrollment counts, by name."""
    counts: dict[tuple[int, str], int] = {
        (sequence_id, state): n
        for sequence_id, state, n in session.execute(
            select(Enrollment.sequence_id, Enrollment.state, func.count()).group_by(
                Enrollment.sequence_id, Enrollment.state
            )
        ).all()
    }
    result = []
    for sequence in session.scalars(select(Sequence).order_by(Sequence.name)):
        by_state = {s: counts.get((sequence.id, s), 0) for s in EnrollmentState}
        result.append(
            SequenceOverview(
                sequence_id=sequence.id,
                name=sequence.name,
                status=sequence.status,
                enrolled=sum(by_state.values()),
                active=by_state[EnrollmentState.ACTIVE] + by_state[EnrollmentState.PAUSED],
                completed=by_state[EnrollmentState.COMPLETED],
                exited=by_state[EnrollmentState.EXITED],
            )
        )
    return result
