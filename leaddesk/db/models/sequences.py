"""Drip sequences: versions with ordered steps, and the leads enrolled in them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from leaddesk.clock import utcnow
from leaddesk.db.models.base import Base, JSONDict, Timestamps


class StepKind(StrEnum):
    """What a sequence step does."""

    EMAIL = "email"
    WAIT = "wait"
    TASK = "task"


class SequenceStatus(StrEnum):
    """Whether a sequence is being edited, running, paused or retired."""

    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    ARCHIVED = "archived"


class EnrollmentState(StrEnum):
    """Where one lead is in one sequence."""

    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    EXITED = "exited"


class Sequence(Timestamps, Base):
    """A named drip sequence; its content lives in versions."""

    __tablename__ = "sequences"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=SequenceStatus.DRAFT)
    auto_enroll: Mapped[JSONDict] = mapped_column(default=dict)
    # What a hand-off to sales does to the lead's enrollment: exit, pause or keep.
    on_handoff: Mapped[str] = mapped_column(String(10), default="exit")
    # Who saved it last (the editor's compare-and-set names them when a save loses a race).
    updated_by: Mapped[str] = mapped_column(String(200), default="", server_default="")

    versions: Mapped[list[SequenceVersion]] = relationship(
        back_populates="sequence",
        foreign_keys="SequenceVersion.sequence_id",
        cascade="all, delete-orphan",
        order_by="SequenceVersion.number",
    )


class SequenceVersion(Base):
    """An immutable-once-used snapshot of a sequence's steps and settings."""

    __tablename__ = "sequence_versions"
    __table_args__ = (UniqueConstraint("sequence_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sequence_id: Mapped[int] = mapped_column(ForeignKey("sequences.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    send_days: Mapped[str] = mapped_column(String(40), default="mon,tue,wed,thu,fri")
    window_start: Mapped[str] = mapped_column(String(5), default="09:00")
    window_end: Mapped[str] = mapped_column(String(5), default="17:00")
    fallback_timezone: Mapped[str] = mapped_column(String(64), default="")
    sender_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("sender_accounts.id", ondelete="SET NULL")
    )
    daily_cap: Mapped[int | None]
    exit_rules: Mapped[list[str]] = mapped_column(
        default=lambda: ["replied", "unsubscribed", "bounced", "sales_ready", "status_closed"]
    )

    sequence: Mapped[Sequence] = relationship(back_populates="versions", foreign_keys=[sequence_id])
    steps: Mapped[list[SequenceStep]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="SequenceStep.position"
    )


class SequenceStep(Base):
    """One step of a version: an email, a wait, or a task for the lead's owner."""

    __tablename__ = "sequence_steps"
    __table_args__ = (UniqueConstraint("version_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("sequence_versions.id", ondelete="CASCADE"))
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    wait_days: Mapped[int] = mapped_column(default=0)
    wait_hours: Mapped[int] = mapped_column(default=0)
    business_days: Mapped[bool] = mapped_column(default=False)
    task_kind: Mapped[str] = mapped_column(String(30), default="")
    task_note: Mapped[str] = mapped_column(Text, default="")

    version: Mapped[SequenceVersion] = relationship(back_populates="steps")


class Enrollment(Base):
    """One lead going through one sequence version."""

    __tablename__ = "enrollments"
    __table_args__ = (
        Index(
            "uq_enrollments_one_active",
            "lead_id",
            "sequence_id",
            unique=True,
            sqlite_where=text("state IN ('active', 'paused')"),
            postgresql_where=text("state IN ('active', 'paused')"),
        ),
        Index("ix_enrollments_due", "state", "next_due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    sequence_id: Mapped[int] = mapped_column(ForeignKey("sequences.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("sequence_versions.id"))
    state: Mapped[str] = mapped_column(String(20), default=EnrollmentState.ACTIVE)
    current_position: Mapped[int] = mapped_column(default=0)
    next_due_at: Mapped[datetime | None]
    not_before: Mapped[datetime | None]
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    exited_at: Mapped[datetime | None]
    exit_reason: Mapped[str] = mapped_column(String(200), default="")
    origin: Mapped[str] = mapped_column(String(30), default="user")
