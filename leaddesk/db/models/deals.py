"""Deals (opportunities won or lost) and recycle plans (a lead's way back into nurture)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from leaddesk.db.models.base import Base, Timestamps


class DealState(StrEnum):
    """An opportunity still in play, won, or lost."""

    OPEN = "open"
    WON = "won"
    LOST = "lost"


class Deal(Timestamps, Base):
    """The money side of one sales episode: at most one open deal per lead; history kept.

    Amounts are whole cents in the database's one currency (chosen in Settings).
    """

    __tablename__ = "deals"
    __table_args__ = (
        Index(
            "uq_deals_one_open",
            "lead_id",
            unique=True,
            sqlite_where=text("state = 'open'"),
            postgresql_where=text("state = 'open'"),
        ),
        Index("ix_deals_state_closed", "state", "closed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    handoff_id: Mapped[int | None] = mapped_column(ForeignKey("handoffs.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(10), default=DealState.OPEN)
    amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    expected_close: Mapped[date | None] = mapped_column(Date)
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    won_on: Mapped[date | None] = mapped_column(Date)
    lost_reason: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    by_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("team_members.id", ondelete="SET NULL")
    )


class PlanState(StrEnum):
    """A recycle plan waiting for its day, carried out, or called off."""

    PENDING = "pending"
    DONE = "done"
    CANCELLED = "cancelled"


class RecyclePlan(Base):
    """A lead's way back to marketing: on ``due_at`` it becomes "recycled" and joins a sequence.

    At most one plan waits per lead; a new outcome replaces it.
    """

    __tablename__ = "recycle_plans"
    __table_args__ = (
        Index(
            "uq_recycle_plans_one_pending",
            "lead_id",
            unique=True,
            sqlite_where=text("state = 'pending'"),
            postgresql_where=text("state = 'pending'"),
        ),
        Index("ix_recycle_plans_due", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(100))
    sequence_id: Mapped[int | None] = mapped_column(ForeignKey("sequences.id", ondelete="SET NULL"))
    due_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(10), default=PlanState.PENDING)
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
    result: Mapped[str] = mapped_column(Text, default="")
