"""Clicks and page views read from the user's own web server logs, tied to a lead."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from leaddesk.db.models.base import Base


class VisitKind(StrEnum):
    """What a stored hit was: a tracked link's click, a stitched page view, an email open."""

    CLICK = "click"
    PAGE = "page"
    OPEN = "open"


class WebVisit(Base):
    """One request in a web server log that LeadDesk could tie to a lead.

    Only such requests are kept (other traffic is never stored). ``machine`` says why a hit
    was a link scanner or a bot rather than the person ("" for a person): those are kept so
    the import can show how many it filtered, but they record no activity and count nowhere.
    ``fingerprint`` is a hash of the log line's fields, so importing the same log (or an
    overlapping rotation of it) again adds nothing. ``visitor`` is a keyed hash of the address
    and the browser, used only to stitch a person's further page views to their click.
    """

    __tablename__ = "web_visits"
    __table_args__ = (Index("ix_web_visits_visitor_time", "visitor", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    outbound_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbound_messages.id", ondelete="SET NULL"), index=True
    )
    step_id: Mapped[int | None] = mapped_column(
        ForeignKey("sequence_steps.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(String(10))
    url: Mapped[str] = mapped_column(String(2000), default="")
    path: Mapped[str] = mapped_column(String(1000), default="")
    visitor: Mapped[str] = mapped_column(String(64), default="")
    occurred_at: Mapped[datetime]
    machine: Mapped[str] = mapped_column(String(200), default="")
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    import_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id", ondelete="SET NULL"), index=True
    )
