"""Hand-offs to sales: which rep has a lead, the follow-up deadline, and how it ended."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from leaddesk.db.models.base import Base, Timestamps


class HandoffState(StrEnum):
    """Where a hand-off stands: waiting for the rep, accepted by them, or over."""

    OPEN = "open"
    ACCEPTED = "accepted"
    CLOSED = "closed"


class SlaState(StrEnum):
    """The follow-up promise: still running, kept (first attempt in time) or broken."""

    PENDING = "pending"
    MET = "met"
    BREACHED = "breached"


class HandoffTrigger(StrEnum):
    """What started a hand-off."""

    THRESHOLD = "threshold"
    HAND_RAISE = "hand_raise"
    REPLY = "reply"
    MANUAL = "manual"


class Handoff(Timestamps, Base):
    """One qualification episode in sales' hands: at most one is not closed per lead.

    ``sla_due_at`` is the promise made when the lead was handed over (the first attempt must
    come before it); ``due_at`` is the current owner's own deadline, which a reassignment
    moves. ``tried`` lists every member who has owned it, so an escalation never hands it back
    to someone who let it lapse.
    """

    __tablename__ = "handoffs"
    __table_args__ = (
        Index(
            "uq_handoffs_one_open",
            "lead_id",
            unique=True,
            sqlite_where=text("state != 'closed'"),
            postgresql_where=text("state != 'closed'"),
        ),
        Index("ix_handoffs_sla", "sla_state", "sla_due_at"),
        Index("ix_handoffs_owner_state", "owner_id", "state"),
        Index("ix_handoffs_owner_assigned", "owner_id", "assigned_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(20), default=HandoffState.OPEN)
    trigger: Mapped[str] = mapped_column(String(20), default=HandoffTrigger.MANUAL)
    reason: Mapped[str] = mapped_column(Text, default="")
    trigger_activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activities.id", ondelete="SET NULL")
    )
    by_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("team_members.id", ondelete="SET NULL")
    )
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("team_members.id", ondelete="SET NULL"))
    rule: Mapped[str] = mapped_column(String(200), default="")
    tried: Mapped[list[int]] = mapped_column(JSON, default=list)
    handed_off_at: Mapped[datetime]
    assigned_at: Mapped[datetime | None]
    sla_hours: Mapped[float] = mapped_column(default=24.0)
    working_hours: Mapped[bool] = mapped_column(default=False)
    sla_due_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    sla_state: Mapped[str] = mapped_column(String(20), default=SlaState.PENDING)
    breached_at: Mapped[datetime | None]
    first_attempt_at: Mapped[datetime | None]
    escalate_at: Mapped[datetime | None] = mapped_column(index=True)
    escalations: Mapped[int] = mapped_column(default=0)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"))
    accepted_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(String(30), default="")
    outcome_reason: Mapped[str] = mapped_column(Text, default="")
