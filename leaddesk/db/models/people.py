"""Leads, the team, tags, tasks, suppressions and saved inbox views."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from leaddesk.clock import utcnow
from leaddesk.db.models.base import Base, JSONDict, Timestamps


class LifecycleStatus(StrEnum):
    """Where a lead stands in the funnel."""

    NEW = "new"
    NURTURING = "nurturing"
    SALES_READY = "sales_ready"
    HANDED_OFF = "handed_off"
    ACCEPTED = "accepted"
    OPPORTUNITY = "opportunity"
    IN_SALES = "in_sales"
    CUSTOMER = "customer"
    LOST = "lost"
    RECYCLED = "recycled"
    DISQUALIFIED = "disqualified"


class EmailState(StrEnum):
    """Whether the lead's address may be mailed."""

    OK = "ok"
    BOUNCED = "bounced"
    UNSUBSCRIBED = "unsubscribed"


class ScoreBand(StrEnum):
    """Score bands separated by the editable thresholds."""

    COLD = "cold"
    WARM = "warm"
    SALES_READY = "sales_ready"


class TeamRole(StrEnum):
    """What a team member does: marketing hands leads over, reps follow up, managers oversee."""

    MARKETING = "marketing"
    SALES_REP = "sales_rep"
    SALES_MANAGER = "sales_manager"


class TeamMember(Timestamps, Base):
    """A person on the team who can own leads and tasks, with the hours they work."""

    __tablename__ = "team_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    role: Mapped[str] = mapped_column(String(30), default=TeamRole.SALES_REP)
    active: Mapped[bool] = mapped_column(default=True)
    timezone: Mapped[str] = mapped_column(String(64), default="")
    work_days: Mapped[str] = mapped_column(String(40), default="mon,tue,wed,thu,fri")
    work_start: Mapped[str] = mapped_column(String(5), default="09:00")
    work_end: Mapped[str] = mapped_column(String(5), default="17:00")
    # At most this many open hand-offs at once (None: no limit).
    capacity: Mapped[int | None]


class Lead(Timestamps, Base):
    """A person who might buy, keyed by their normalised email address."""

    __tablename__ = "leads"
    # The inbox filters by one of these and sorts by score (issue 5): index-only at 100k leads.
    # They also serve lookups by their first column alone (migration 0003 dropped those).
    __table_args__ = (
        Index("ix_leads_status_score", "status", "score"),
        Index("ix_leads_band_score", "score_band", "score"),
        Index("ix_leads_owner_score", "owner_id", "score"),
        Index("ix_leads_source_score", "source", "score"),
        # The inbox sorts (issue 21, migration 0015; COLLATE NOCASE text columns on SQLite).
        Index("ix_leads_name_sort", "first_name", "last_name"),
        Index("ix_leads_company_sort", "company"),
        Index("ix_leads_title_sort", "title"),
        Index("ix_leads_source_sort", "source"),
        Index("ix_leads_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    email_key: Mapped[str] = mapped_column(String(320), unique=True)
    first_name: Mapped[str] = mapped_column(String(200), default="")
    last_name: Mapped[str] = mapped_column(String(200), default="")
    company: Mapped[str] = mapped_column(String(300), default="")
    title: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(100), default="")
    industry: Mapped[str] = mapped_column(String(200), default="")
    company_size: Mapped[str] = mapped_column(String(50), default="")
    country: Mapped[str] = mapped_column(String(100), default="")
    city: Mapped[str] = mapped_column(String(200), default="")
    # State, province or region; the company website. (Server defaults: bulk inserts that do
    # not name the columns must not have to.)
    state: Mapped[str] = mapped_column(String(200), default="", server_default="")
    website: Mapped[str] = mapped_column(String(500), default="", server_default="")
    timezone: Mapped[str] = mapped_column(String(64), default="")
    source: Mapped[str] = mapped_column(String(300), default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("team_members.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(30), default=LifecycleStatus.NEW)
    email_state: Mapped[str] = mapped_column(String(20), default=EmailState.OK)
    custom_fields: Mapped[JSONDict] = mapped_column(default=dict)
    score: Mapped[float] = mapped_column(default=0.0, index=True)
    fit_score: Mapped[float] = mapped_column(default=0.0)
    engagement_score: Mapped[float] = mapped_column(default=0.0)
    score_band: Mapped[str] = mapped_column(String(20), default=ScoreBand.COLD)
    score_updated_at: Mapped[datetime | None]
    last_activity_at: Mapped[datetime | None] = mapped_column(index=True)
    import_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id", ondelete="SET NULL"), index=True
    )
    # Why the lead is where it is when that has a reason: "bad timing", "unresponsive"…
    # (A server default: bulk inserts that do not name the column must not have to.)
    status_reason: Mapped[str] = mapped_column(String(200), server_default="")
    # Engagement before this moment no longer counts (a recycled lead starts over).
    engagement_since: Mapped[datetime | None]
    reengaged_at: Mapped[datetime | None]  # last enrolled by the re-engagement rule
    unresponsive_until: Mapped[datetime | None]  # left out of re-engagement until then

    owner: Mapped[TeamMember | None] = relationship(lazy="raise")
    tags: Mapped[list[LeadTag]] = relationship(
        back_populates="lead", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def full_name(self) -> str:
        """First and last name joined, or the email when both are empty."""
        return " ".join(p for p in (self.first_name, self.last_name) if p) or self.email


class LeadTag(Base):
    """One tag on one lead (tags are free text, filtered in SQL)."""

    __tablename__ = "lead_tags"

    lead_id: Mapped[int] = mapped_column(
        ForeignKey("leads.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)

    lead: Mapped[Lead] = relationship(back_populates="tags")


class Activity(Base):
    """The append-only event log: everything that ever happened to a lead."""

    __tablename__ = "activities"
    __table_args__ = (
        Index("ix_activities_lead_time", "lead_id", "occurred_at"),
        # "leads with these kinds of events", "this lead's latest event of a kind": index-only
        Index("ix_activities_kind_lead", "kind", "lead_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(50))
    occurred_at: Mapped[datetime]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    origin: Mapped[str] = mapped_column(String(30), default="user")
    payload: Mapped[JSONDict] = mapped_column(default=dict)
    import_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id", ondelete="SET NULL"), index=True
    )


class Task(Timestamps, Base):
    """A to-do for a team member about a lead: a call, a LinkedIn touch, a hand-off follow-up."""

    __tablename__ = "tasks"
    # A sequence's task step creates one task per enrollment, whichever copy runs the step.
    __table_args__ = (UniqueConstraint("enrollment_id", "step_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("team_members.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30), default="other")
    title: Mapped[str] = mapped_column(String(300), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    completed_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(String(300), default="")
    enrollment_id: Mapped[int | None] = mapped_column(
        ForeignKey("enrollments.id", ondelete="SET NULL")
    )
    step_id: Mapped[int | None] = mapped_column(
        ForeignKey("sequence_steps.id", ondelete="SET NULL")
    )
    origin: Mapped[str] = mapped_column(String(30), default="user")


class Suppression(Base):
    """An address that must never be mailed or re-imported: by address, or only a hash."""

    __tablename__ = "suppressions"

    id: Mapped[int] = mapped_column(primary_key=True)
    email_key: Mapped[str | None] = mapped_column(String(320), unique=True)
    email_hash: Mapped[str] = mapped_column(String(64), unique=True)
    reason: Mapped[str] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SavedView(Timestamps, Base):
    """A named inbox filter (search text, filters, sort) saved by the user."""

    __tablename__ = "saved_views"
    __table_args__ = (UniqueConstraint("name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    query: Mapped[JSONDict] = mapped_column(default=dict)


class AppSetting(Base):
    """A team-wide setting stored in the database (e.g. the sender's postal address)."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[JSONDict] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The team member who saved it last ("" for LeadDesk itself or an unnamed copy).
    updated_by: Mapped[str] = mapped_column(String(200), default="", server_default="")
