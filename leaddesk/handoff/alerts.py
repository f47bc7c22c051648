"""Internal alerts to the team: a new lead for a rep, a missed deadline, nobody left to take it.

Alerts are outbox rows with ``purpose="alert"``: they go out through the same sender with the
same at-most-once guarantees, from the notification account chosen in Settings → Team (the
first sender account when none is chosen). They have no ``lead_id`` — they are never counted as
lead emails, never carry an unsubscribe header or footer, and only ever go to a team member's
address. ``alert_key`` is unique, so each alert is queued exactly once even when two processes
see the same moment.
"""

from __future__ import annotations

import html
import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from leaddesk.db.models import (
    Handoff,
    Lead,
    MessagePurpose,
    OutboundMessage,
    OutboxState,
    SenderAccount,
    TeamMember,
)
from leaddesk.handoff.brief import build_brief
from leaddesk.handoff.brief_render import brief_html, brief_text, format_when, zone_or_none
from leaddesk.handoff.config import load_settings
from leaddesk.handoff.team import managers
from leaddesk.mail.compose import clean_header
from leaddesk.mail.ids import make_message_id

log = logging.getLogger(__name__)


def alert_account(session: Session) -> SenderAccount | None:
    """The account alerts are sent from: the chosen one, else the first account."""
    cached = session.info.get(_ACCOUNT_KEY)
    if cached is not None:
        return session.get(SenderAccount, cached)
    account = _find_alert_account(session)
    if account is not None:
        session.info[_ACCOUNT_KEY] = account.id
    return account


_ACCOUNT_KEY = "leaddesk.alert_account_id"


def _find_alert_account(session: Session) -> SenderAccount | None:
    chosen = load_settings(session).alert_account_id
    if chosen is not None:
        account = session.get(SenderAccount, chosen)
        if account is not None:
            return account
    return session.scalar(select(SenderAccount).order_by(SenderAccount.id).limit(1))


def queue_alert(
    session: Session,
    *,
    key: str,
    member: TeamMember,
    lead: Lead,
    subject: str,
    intro: str,
    now: datetime,
) -> OutboundMessage | None:
    """Queue one alert to ``member`` about ``lead`` unless ``key`` was queued before.

    Returns the new outbox row, or None (already queued, or no account to send from).
    """
    if session.scalar(select(OutboundMessage.id).where(OutboundMessage.alert_key == key)):
        return None
    account = alert_account(session)
    if account is None:
        log.info("alert %s not sent: no sender account for notifications", key)
        return None
    with session.no_autoflush:  # reading only: one flush for the row below is enough
        brief = build_brief(session, lead.id, now, viewer_zone=member.timezone)
    text = f"{intro}\n\n{brief_text(brief, viewer_zone=member.timezone)}"
    markup = brief_html(brief, viewer_zone=member.timezone).replace(
        "<body>\n", f"<body>\n<p><b>{html.escape(intro)}</b></p>\n", 1
    )
    row = OutboundMessage(
        purpose=MessagePurpose.ALERT,
        alert_key=key,
        lead_id=None,
        about_lead_id=lead.id,
        account_id=account.id,
        message_id=make_message_id(account.from_address),
        to_address=clean_header(member.email),
        subject=clean_header(subject)[:500],
        unsubscribe_token="",
        state=OutboxState.SCHEDULED,
        due_at=now,
        rendered={"subject": clean_header(subject)[:500], "text": text, "html": markup},
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # another process queued the same alert first
        return None
    return row


def _local(moment: datetime | None, member: TeamMember) -> str:
    if moment is None:
        return ""
    return format_when(moment, zone_or_none(member.timezone), "%a %d %b %H:%M")


def alert_new_owner(
    session: Session,
    handoff: Handoff,
    lead: Lead,
    member: TeamMember,
    now: datetime,
    *,
    assignment: int | str = 0,
) -> OutboundMessage | None:
    """Tell ``member`` that ``lead`` is now theirs, with the brief and the deadline.

    ``assignment`` tells this assignment from earlier ones of the same hand-off (the id of its
    "reassigned" event), so someone who gets the lead back is told again.
    """
    due = _local(handoff.due_at, member)
    company = f" ({lead.company})" if lead.company else ""
    subject = f"New lead for you: {lead.full_name}{company} — follow up by {due}"
    intro = (
        f"{lead.full_name} has been handed to you. Make a first follow-up attempt by {due} "
        "and log it in LeadDesk (Sales queue → Log attempt)."
    )
    key = f"handoff:{handoff.id}:owner:{member.id}:{assignment}"
    return queue_alert(
        session, key=key, member=member, lead=lead, subject=subject, intro=intro, now=now
    )


def alert_breach(
    session: Session, handoff: Handoff, lead: Lead, owner: TeamMember | None, now: datetime
) -> int:
    """Tell the owner and every manager that the follow-up deadline passed; returns how many."""
    recipients = [owner] if owner is not None else []
    recipients += [m for m in managers(session) if owner is None or m.id != owner.id]
    queued = 0
    for member in recipients:
        who = (
            "you"
            if owner is not None and member.id == owner.id
            else (owner.name if owner is not None else "nobody")
        )
        subject = f"Follow-up deadline missed: {lead.full_name} ({who})"
        intro = (
            f"Nobody has followed up with {lead.full_name} yet; the deadline was "
            f"{_local(handoff.sla_due_at, member)}. Owner: {who}."
        )
        if queue_alert(
            session,
            key=f"handoff:{handoff.id}:breach:{member.id}",
            member=member,
            lead=lead,
            subject=subject,
            intro=intro,
            now=now,
        ):
            queued += 1
    return queued


def alert_stuck(session: Session, handoff: Handoff, lead: Lead, now: datetime) -> int:
    """Tell the managers that nobody is left to reassign an overdue lead to."""
    queued = 0
    for member in managers(session):
        if queue_alert(
            session,
            key=f"handoff:{handoff.id}:stuck:{member.id}",
            member=member,
            lead=lead,
            subject=f"Still no follow-up, nobody left to reassign: {lead.full_name}",
            intro=(
                f"{lead.full_name} is overdue and every sales rep has had it. "
                "Decide who calls, or hand the lead back to marketing."
            ),
            now=now,
        ):
            queued += 1
    return queued
