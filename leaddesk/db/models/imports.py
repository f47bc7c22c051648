"""Import batches, what each changed (for undo), and remembered column mappings."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from leaddesk.clock import utcnow
from leaddesk.db.models.base import Base, JSONDict


class BatchState(StrEnum):
    """Whether an import batch is in effect."""

    COMMITTED = "committed"
    UNDONE = "undone"


class ImportBatch(Base):
    """One import of one file: its options, its counts, and whether it was undone."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(1000))
    source: Mapped[str] = mapped_column(String(300), default="")
    event_date: Mapped[date | None]
    kind: Mapped[str] = mapped_column(String(20), default="leads")
    on_existing: Mapped[str] = mapped_column(String(20), default="fill")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("team_members.id", ondelete="SET NULL"))
    options: Mapped[JSONDict] = mapped_column(default=dict)
    state: Mapped[str] = mapped_column(String(20), default=BatchState.COMMITTED)
    rows: Mapped[int] = mapped_column(default=0)
    imported: Mapped[int] = mapped_column(default=0)
    merged: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    suppressed: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    undone_at: Mapped[datetime | None]


class ImportChange(Base):
    """What a batch did to one lead: created it, or changed fields (with their old values)."""

    __tablename__ = "import_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("import_batches.id", ondelete="CASCADE"), index=True
    )
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(10))
    previous: Mapped[JSONDict] = mapped_column(default=dict)


class ImportMapping(Base):
    """The column mapping last used for a source, offered again next time."""

    __tablename__ = "import_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_key: Mapped[str] = mapped_column(String(500), unique=True)
    mapping: Mapped[JSONDict] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
