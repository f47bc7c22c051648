"""Deliverability warnings from the mailbox: DMARC failure reports about the sender's domain.

A DMARC failure report (RFC 6591, ``Feedback-Type: auth-failure``) says a receiver could not
verify mail sent as the account's domain: it is about SPF/DKIM/DMARC set-up, never about a
lead, so no lead is touched; the user is warned until no report has come for 30 days.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leaddesk.db.models import InboundMessage
from leaddesk.mailbox.classify import Classification

WINDOW = timedelta(days=30)


def dmarc_failures(session: Session, account_id: int, now: datetime) -> int:
    """DMARC failure reports the account's mailbox received in the last 30 days."""
    since = now - WINDOW
    return int(
        session.scalar(
            select(func.count(InboundMessage.id)).where(
                InboundMessage.account_id == account_id,
                InboundMessage.classification == Classification.DMARC_FAILURE,
                InboundMessage.processed_at >= since,
            )
        )
        or 0
    )


def deliverability_warning(session: Session, account_id: int, now: datetime) -> str:
    """What to tell the user about the account's DMARC failure reports ("" when none)."""
    count = dmarc_failures(session, account_id, now)
    if not count:
        return ""
    reports = "report" if count == 1 else "reports"
    return (
        f"{count} DMARC failure {reports} in 30 days: receivers could not verify email sent as "
        "your domain, so more of it may land in spam. Ask your email provider which SPF, DKIM "
        "and DMARC records to publish for your domain."
    )
