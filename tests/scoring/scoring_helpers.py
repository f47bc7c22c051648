"""Helpers for the scoring tests: leads, activities and small models on a real database."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.activities import ActivityEvent, record_activity
from leaddesk.db.models import Activity, Lead
from leaddesk.scoring import Rule, ScoringConfig, save_config
from leaddesk.scoring.rules import Operator


def add_lead(session: Session, email: str = "ada@example.com", **fields: Any) -> Lead:
    """Insert one lead (not re-scored) and return it."""
    lead = Lead(email=email, email_key=email.lower(), **fields)
    session.add(lead)
    session.flush()
    return lead


def add_activity(
    session: Session,
    lead: Lead,
    kind: str,
    now: datetime,
    *,
    days_ago: float = 0,
    payload: dict[str, Any] | None = None,
) -> Activity:
    """Record an activity ``days_ago`` before ``now`` through the event door."""
    event = ActivityEvent(
        lead.id, kind, occurred_at=now - timedelta(days=days_ago), payload=payload or {}
    )
    return record_activity(session, event, now=now)


def fit_rule(field: str, operator: str, value: str, points: float, name: str = "") -> Rule:
    """A fit rule with a generated name."""
    return Rule(
        part="fit", name=name or f"{field} {operator} {value}", field=field,
        operator=operator, value=value, points=points,
    )  # fmt: skip


def engagement_rule(
    kind: str,
    points: float,
    *,
    max_count: int | None = 1,
    half_life: float | None = None,
    field: str = "",
    value: str = "",
    name: str = "",
) -> Rule:
    """An engagement rule with a generated name."""
    return Rule(
        part="engagement", name=name or f"{kind} {points}", activity_kind=kind, points=points,
        max_count=max_count, half_life_days=half_life, field=field,
        operator=Operator.CONTAINS_ANY, value=value,
    )  # fmt: skip


def use_model(
    session: Session,
    rules: Iterable[Rule],
    *,
    fit_cap: float = 50,
    engagement_cap: float = 50,
    warm: float = 40,
    sales_ready: float = 70,
) -> ScoringConfig:
    """Save a model made of ``rules`` (not re-scoring anything) and return it."""
    config = ScoringConfig(
        rules=tuple(rules), fit_cap=fit_cap, engagement_cap=engagement_cap,
        warm_threshold=warm, sales_ready_threshold=sales_ready,
    )  # fmt: skip
    save_config(session, config)
    return config


def kinds_of(session: Session, lead: Lead) -> list[str]:
    """The kinds of the lead's activities, oldest first."""
    query = select(Activity.kind).where(Activity.lead_id == lead.id).order_by(Activity.id)
    return list(session.scalars(query))
