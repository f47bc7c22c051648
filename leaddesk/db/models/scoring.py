"""The scoring model: rules for fit and engagement, caps and band thresholds."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from leaddesk.db.models.base import Base, Timestamps


class ScorePart(StrEnum):
    """Which half of the score a rule feeds."""

    FIT = "fit"
    ENGAGEMENT = "engagement"


class ScoringRule(Timestamps, Base):
    """One scoring rule.

    Fit rules test a lead field (``field`` ``operator`` ``value``); engagement rules count
    activities of ``activity_kind`` (optionally matching ``value`` in the payload), each worth
    ``points``, at most ``max_count`` times, fading with ``half_life_days`` (None: no decay).
    """

    __tablename__ = "scoring_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    part: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    field: Mapped[str] = mapped_column(String(100), default="")
    operator: Mapped[str] = mapped_column(String(30), default="contains")
    value: Mapped[str] = mapped_column(String(500), default="")
    activity_kind: Mapped[str] = mapped_column(String(50), default="")
    points: Mapped[float] = mapped_column(default=0.0)
    max_count: Mapped[int | None] = mapped_column(default=1)
    half_life_days: Mapped[float | None]
    position: Mapped[int] = mapped_column(default=0)
    enabled: Mapped[bool] = mapped_column(default=True)


class ScoringModel(Timestamps, Base):
    """The single row of scoring settings: part caps and band thresholds."""

    __tablename__ = "scoring_model"

    id: Mapped[int] = mapped_column(primary_key=True)
    fit_cap: Mapped[float] = mapped_column(default=50.0)
    engagement_cap: Mapped[float] = mapped_column(default=50.0)
    warm_threshold: Mapped[float] = mapped_column(default=40.0)
    sales_ready_threshold: Mapped[float] = mapped_column(default=70.0)
