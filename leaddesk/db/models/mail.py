"""Sender accounts, the outbox, and the mailbox sync bookkeeping."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from leaddesk.clock import utcnow
from leaddesk.db.models.base import Base, JSONDict, Timestamps


class OutboxState(StrEnum):
    """The life of one outbound message."""

    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    DEFERRED = "deferred"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


class MessagePurpose(StrEnum):
    """Who a message is for: a lead (drip emails) or a team member (internal alerts)."""

    LEAD = "lead"
    ALERT = "alert"


class SenderAccount(Timestamps, Base):
    """A mailbox LeadDesk sends from (and reads replies from). Passwords live in the keyring."""

    __tablename__ = "sender_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    from_address: Mapped[str] = mapped_column(String(320))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    reply_to: Mapped[str] = mapped_column(String(320), default="")
    provider: Mapped[str] = mapped_column(String(30), default="custom")
    smtp_host: Mapped[str] = mapped_column(String(255), default="")
    smtp_port: Mapped[int] = mapped_column(default=587)
    smtp_security: Mapped[str] = mapped_column(String(10), default="starttls")
    smtp_username: Mapped[str] = mapped_column(String(320), default="")
    per_minute: Mapped[int | None]
    per_hour: Mapped[int | None]
    per_day: Mapped[int | None]
    paused_until: Mapped[datetime | None]
    pause_reason: Mapped[str] = mapped_column(Text, default="")
    unsubscribe_mailto: Mapped[str] = mapped_column(String(320), default="")
    unsubscribe_url: Mapped[str] = mapped_column(String(1000), default="")
    imap_host: Mapped[str] = mapped_column(String(255), default="")
    imap_port: Mapped[int] = mapped_column(default=993)
    imap_security: Mapped[str] = mapped_column(String(10), default="ssl")
    imap_username: Mapped[str] = mapped_column(String(320), default="")
    imap_folders: Mapped[list[str]] = mapped_column(default=lambda: ["INBOX"])
    sent_folder: Mapped[str] = mapped_column(String(200), default="Sent")
    # File a copy of each sent email in ``sent_folder`` (skipped where the provider does).
    append_to_sent: Mapped[bool] = mapped_column(default=True, server_default=true())
    poll_minutes: Mapped[int] = mapped_column(default=5)
    last_sync_at: Mapped[datetime | None]
    last_sync_error: Mapped[str] = mapped_column(Text, default="")
    # The member whose copy sends from it and reads its mailbox (None: the team's, any copy).
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("team_members.id", ondelete="SET NULL"), index=True
    )


class OutboundMessage(Timestamps, Base):
    """One planned email. At most one per enrollment step; its Message-ID is fixed at planning."""

    __tablename__ = "outbound_messages"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "step_id"),
        Index("ix_outbound_messages_due", "state", "due_at"),
        Index("uq_outbound_messages_alert_key", "alert_key", unique=True),
        Index("uq_outbound_messages_link_token", "link_token", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int | None] = mapped_column(
        ForeignKey("leads.id", ondelete="CASCADE"), index=True
    )
    enrollment_id: Mapped[int | None] = mapped_column(
        ForeignKey("enrollments.id", ondelete="CASCADE")
    )
    step_id: Mapped[int | None] = mapped_column(
        ForeignKey("sequence_steps.id", ondelete="SET NULL")
    )
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("sender_accounts.id", ondelete="SET NULL"), index=True
    )
    message_id: Mapped[str] = mapped_column(String(300), unique=True)
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(500), default="")
    unsubscribe_token: Mapped[str] = mapped_column(String(64), default="", index=True)
    # The opaque token its links to the user's own sites carry (``ld=…``), None when none do.
    link_token: Mapped[str | None] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(20), default=OutboxState.SCHEDULED)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    due_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime | None]
    first_attempt_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    # When the DATA command was about to go (committed first): a row still ``sending`` after a
    # crash with this set may have been delivered; without it, it certainly was not.
    handed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    finished_reason: Mapped[str] = mapped_column(Text, default="")
    rendered: Mapped[JSONDict] = mapped_column(default=dict)
    # Internal alerts (``purpose="alert"``) go to a team member about ``about_lead_id``; they
    # have no ``lead_id`` (never a lead email), and ``alert_key`` makes each one unique.
    purpose: Mapped[str] = mapped_column(String(10), default=MessagePurpose.LEAD)
    alert_key: Mapped[str | None] = mapped_column(String(200))
    about_lead_id: Mapped[int | None] = mapped_column(
        ForeignKey("leads.id", ondelete="CASCADE"), index=True
    )


class MailboxFolderState(Base):
    """How far the mailbox sync got in one folder (UIDVALIDITY and the last UID seen)."""

    __tablename__ = "mailbox_folders"
    __table_args__ = (UniqueConstraint("account_id", "folder"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("sender_accounts.id", ondelete="CASCADE"))
    folder: Mapped[str] = mapped_column(String(300))
    uidvalidity: Mapped[int | None]
    last_uid: Mapped[int] = mapped_column(default=0)
    synced_at: Mapped[datetime | None]


class InboundMessage(Base):
    """One mailbox message LeadDesk has classified, so it never counts twice."""

    __tablename__ = "inbound_messages"
    __table_args__ = (UniqueConstraint("account_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("sender_accounts.id", ondelete="CASCADE"))
    fingerprint: Mapped[str] = mapped_column(String(300))
    folder: Mapped[str] = mapped_column(String(300), default="")
    uid: Mapped[int | None]
    classification: Mapped[str] = mapped_column(String(30))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="SET NULL"))
    outbound_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbound_messages.id", ondelete="SET NULL")
    )
    subject: Mapped[str] = mapped_column(String(500), default="")
    received_at: Mapped[datetime | None]
    processed_at: Mapped[datetime] = mapped_column(default=utcnow)
