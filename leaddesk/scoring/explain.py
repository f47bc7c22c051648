"""The itemised score breakdown of one lead, and its score over time for the chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leaddesk.db.models import Lead
from leaddesk.leads.emails import email_key
from leaddesk.scoring.compute import SECONDS_PER_DAY, BreakdownItem, evaluate
from leaddesk.scoring.facts import Needs, lead_activities, lead_fields
from leaddesk.scoring.rescore import score_loaded_lead
from leaddesk.scoring.store import compiled_config

HISTORY_POINTS = 90


@dataclass(frozen=True)
class Breakdown:
    """Why a lead has its score: every contribution, the caps, the parts, the total and band.

    ``total`` is the stored score and equals the sum of ``points_now`` over ``items``.
    """

    lead_id: int
    email: str
    name: str
    computed_at: datetime
    items: tuple[BreakdownItem, ...]
    fit: float
    engagement: float
    total: float
    band: str
    fit_cap: float
    engagement_cap: float
    warm_threshold: float
    sales_ready_threshold: float

    @property
    def points_to_sales_ready(self) -> float:
        """How many points the lead still needs to become sales-ready (0 when it is)."""
        return max(0.0, round(self.sales_ready_threshold - self.total, 4))

    @property
    def points_to_warm(self) -> float:
        """How many points the lead still needs to become warm (0 when it is)."""
        return max(0.0, round(self.warm_threshold - self.total, 4))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data: the total, the parts, thresholds and one item per contribution."""
        return {
            "lead_id": self.lead_id,
            "email": self.email,
            "name": self.name,
            "computed_at": self.computed_at.isoformat(),
            "total": self.total,
            "band": self.band,
            "fit": self.fit,
            "engagement": self.engagement,
            "caps": {"fit": self.fit_cap, "engagement": self.engagement_cap},
            "thresholds": {"warm": self.warm_threshold, "sales_ready": self.sales_ready_threshold},
            "points_to_warm": self.points_to_warm,
            "points_to_sales_ready": self.points_to_sales_ready,
            "items": [item.to_dict() for item in self.items],
        }


def explain_lead(session: Session, lead_id: int, now: datetime) -> Breakdown:
    """Re-score the lead as of ``now`` (storing the result) and return its breakdown."""
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise LookupError(f"lead {lead_id} does not exist")
    items: list[BreakdownItem] = []
    result = score_loaded_lead(session, lead, now, items)
    config = compiled_config(session).config
    return Breakdown(
        lead_id=lead.id,
        email=lead.email,
        name=lead.full_name,
        computed_at=now,
        items=tuple(items),
        fit=result.fit,
        engagement=result.engagement,
        total=result.total,
        band=result.band,
        fit_cap=config.fit_cap,
        engagement_cap=config.engagement_cap,
        warm_threshold=config.warm_threshold,
        sales_ready_threshold=config.sales_ready_threshold,
    )


def find_lead_id(session: Session, address: str) -> int | None:
    """The id of the lead with this email address (any case/spacing), or None."""
    return session.scalar(select(Lead.id).where(Lead.email_key == email_key(address)))


@dataclass(frozen=True)
class HistoryPoint:
    """The score at one moment, for the score-over-time chart."""

    at: datetime
    score: float
    band: str


def score_history(
    session: Session, lead_id: int, now: datetime, *, points: int = HISTORY_POINTS
) -> list[HistoryPoint]:
    """The lead's score over time, rebuilt from the activity log with today's rules.

    Points are taken at every counted activity (just after it) and at regular steps between the
    lead's first activity (or creation) and ``now``, so decay shows as a slope. The profile is
    today's profile: the log does not say what the title was a year ago.
    """
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise LookupError(f"lead {lead_id} does not exist")
    compiled = compiled_config(session)
    activities = lead_activities(session, Needs.of(compiled), lead_id, now)
    fields = lead_fields(lead)
    first = session.scalar(select(func.min(Lead.created_at)).where(Lead.id == lead_id)) or now
    if activities and activities[-1].occurred_at is not None:
        first = min(first, activities[-1].occurred_at)
    first = min(first, now)
    moments = {now, first}
    span = now - first
    if span > timedelta(0):
        step = span / max(points - 1, 1)
        moments.update(first + step * index for index in range(points))
    moments.update(a.occurred_at for a in activities if a.occurred_at and a.occurred_at <= now)
    history: list[HistoryPoint] = []
    for moment in sorted(moments):
        back = (now - moment).total_seconds() / SECONDS_PER_DAY
        visible = [a._replace(age_days=a.age_days - back) for a in activities if a.age_days >= back]
        result = evaluate(compiled, fields, visible)
        history.append(HistoryPoint(moment, result.total, result.band))
    return history
