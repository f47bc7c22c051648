"""Outcomes of a sales episode: an opportunity with an amount, won, or lost with a reason.

Each outcome is an event through the door with who and when; the amounts and dates live in
``deals`` (one open deal per lead, history kept) so reports can sum revenue and time to close.
Winning or losing ends the open hand-off; a lost lead goes back to marketing by the reason's
recycle policy.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from leaddesk.activities import ActivityKind
from leaddesk.db.models import Deal, DealState, Lead, LifecycleStatus, TeamMember
from leaddesk.handoff.service import HandoffError, end_handoff, open_handoff, record_event
from leaddesk.leads.suppression import is_suppressed
from leaddesk.outcomes.config import load_outcome_settings
from leaddesk.outcomes.money import AmountError, parse_amount

OutcomeError = HandoffError  # one kind of refusal for every step sales takes


def open_deal(session: Session, lead_id: int) -> Deal | None:
    """The lead's open deal (opportunity), if any."""
    return session.scalar(select(Deal).where(Deal.lead_id == lead_id, Deal.state == DealState.OPEN))


def _cents(amount: Any, *, required: bool) -> int | None:
    if amount is None or (isinstance(amount, str) and not amount.strip()):
        if required:
            raise OutcomeError("give the amount (a number such as 12500)")
        return None
    try:
        return parse_amount(amount)
    except AmountError as error:
        raise OutcomeError(str(error)) from None


def _refuse_closed(lead: Lead) -> None:
    if lead.status == LifecycleStatus.CUSTOMER:
        raise OutcomeError(f"{lead.full_name} is a customer already")
    if lead.status == LifecycleStatus.DISQUALIFIED:
        raise OutcomeError(f"{lead.full_name} is disqualified: re-open the lead first")


def convert_to_opportunity(
    session: Session,
    lead: Lead,
    *,
    amount: Any,
    expected_close: date | None = None,
    by: TeamMember | None,
    now: datetime,
) -> Deal:
    """Open (or update) the lead's deal with an amount and expected close: "opportunity"."""
    _refuse_closed(lead)
    cents = _cents(amount, required=True)
    if expected_close is not None and expected_close < now.date():
        raise OutcomeError("the expected close date is in the past")
    deal = open_deal(session, lead.id)
    if deal is None:
        handoff = open_handoff(session, lead.id)
        deal = Deal(
            lead_id=lead.id,
            handoff_id=handoff.id if handoff is not None else None,
            state=DealState.OPEN,
            currency=load_outcome_settings(session).currency,
            opened_at=now,
            by_member_id=by.id if by is not None else None,
        )
        try:
            with session.begin_nested():
                session.add(deal)
                session.flush()
        except IntegrityError:  # another laptop opened it a moment ago
            raise OutcomeError(f"{lead.full_name} has an open opportunity already") from None
    deal.amount_cents, deal.expected_close = cents, expected_close
    previous = lead.status
    lead.status = LifecycleStatus.OPPORTUNITY
    lead.status_reason = ""
    record_event(
        session,
        lead,
        ActivityKind.DEAL_OPENED,
        now,
        by,
        deal_id=deal.id,
        amount_cents=cents,
        currency=deal.currency,
        expected_close=expected_close.isoformat() if expected_close else None,
        **{"from": previous, "to": lead.status},
    )
    return deal


def mark_won(
    session: Session,
    lead: Lead,
    *,
    amount: Any = None,
    won_on: date | None = None,
    by: TeamMember | None,
    now: datetime,
) -> Deal:
    """The deal is won (amount: the opportunity's unless given): the lead becomes a customer."""
    _refuse_closed(lead)
    if is_suppressed(session, lead.email):
        raise OutcomeError(
            f"{lead.full_name} is on the suppression list (unsubscribed or forgotten): "
            "check the address before recording a won deal"
        )
    deal = open_deal(session, lead.id)
    cents = _cents(amount, required=deal is None or deal.amount_cents is None)
    if deal is None:
        handoff = open_handoff(session, lead.id)
        deal = Deal(
            lead_id=lead.id,
            handoff_id=handoff.id if handoff is not None else None,
            currency=load_outcome_settings(session).currency,
            opened_at=now,
            amount_cents=cents,
            by_member_id=by.id if by is not None else None,
        )
        session.add(deal)
    from leaddesk.outcomes.recycling import cancel_plans

    cancel_plans(session, lead.id, "the deal was won", now)
    deal.state = DealState.WON
    deal.amount_cents = cents if cents is not None else deal.amount_cents
    deal.closed_at = now
    deal.won_on = won_on or now.date()
    session.flush()
    _end_episode(session, lead, "won", "won", now)
    previous = lead.status
    lead.status = LifecycleStatus.CUSTOMER
    lead.status_reason = ""
    record_event(
        session,
        lead,
        ActivityKind.DEAL_WON,
        now,
        by,
        deal_id=deal.id,
        amount_cents=deal.amount_cents,
        currency=deal.currency,
        won_on=deal.won_on.isoformat(),
        **{"from": previous, "to": lead.status},
    )
    return deal


def check_reason(session: Session, reason: str, note: str) -> str:
    """``reason`` as stored, or :class:`OutcomeError` when it is missing or not on the list."""
    text = " ".join((reason or "").split()).lower()
    if not text:
        raise OutcomeError("say why (a reason is required)")
    reasons = load_outcome_settings(session).reasons
    if text not in reasons:
        raise OutcomeError(f"{reason!r} is not one of the reasons: {', '.join(reasons)}")
    if text == "other" and not (note or "").strip():
        raise OutcomeError('with the reason "other", add a note that says why')
    return text


def mark_lost(
    session: Session,
    lead: Lead,
    *,
    reason: str,
    note: str = "",
    by: TeamMember | None,
    now: datetime,
) -> Deal | None:
    """The deal is lost for ``reason``: the lead is "lost" and goes back by the reason's policy."""
    from leaddesk.outcomes.recycling import recycle  # recycling builds on the outcomes

    _refuse_closed(lead)
    text = check_reason(session, reason, note)
    deal = open_deal(session, lead.id)
    if deal is not None:
        deal.state = DealState.LOST
        deal.closed_at = now
        deal.lost_reason = text
        deal.note = note.strip()
    _end_episode(session, lead, "lost", f"{text}: {note.strip()}" if note.strip() else text, now)
    previous = lead.status
    lead.status = LifecycleStatus.LOST
    lead.status_reason = text
    record_event(
        session,
        lead,
        ActivityKind.DEAL_LOST,
        now,
        by,
        deal_id=deal.id if deal is not None else None,
        reason=text,
        note=note.strip(),
        **{"from": previous, "to": lead.status},
    )
    recycle(session, lead, text, now=now, by=by)
    return deal


def _end_episode(session: Session, lead: Lead, outcome: str, reason: str, now: datetime) -> None:
    handoff = open_handoff(session, lead.id, lock=True)
    if handoff is not None:
        end_handoff(session, handoff, outcome=outcome, reason=reason, now=now)
