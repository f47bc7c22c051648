"""What the outcome dialogs read and write: opportunity, won, lost, as plain functions.

Nothing here imports Qt. Each function opens its own short session, acts as the member this
computer acts as, and returns the sentence to show the user; the core's refusals
(:class:`~leaddesk.handoff.service.HandoffError`) carry messages made for people.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.db.engine import Database
from leaddesk.db.models import Deal, DealState, Lead, Sequence
from leaddesk.handoff.identity import current_member
from leaddesk.handoff.service import HandoffError
from leaddesk.outcomes import deals
from leaddesk.outcomes.config import load_outcome_settings
from leaddesk.outcomes.money import format_amount


@dataclass(frozen=True)
class OutcomeChoices:
    """The database's currency, the reasons people pick from, and what each reason does."""

    currency: str = "EUR"
    reasons: tuple[str, ...] = ()
    policies: dict[str, str] = field(default_factory=dict)  # reason → the policy in words
    open_deals: dict[int, int | None] = field(default_factory=dict)  # lead id → amount (cents)


def reason_label(reason: str) -> str:
    """A reason as shown in a list: "Bad timing"."""
    return reason[:1].upper() + reason[1:]


def load_choices(session: Session, lead_ids: list[int] | None = None) -> OutcomeChoices:
    """The outcome settings, and the open deals of ``lead_ids`` (every lead when None)."""
    settings = load_outcome_settings(session)
    names = dict(session.execute(select(Sequence.id, Sequence.name)).all())
    query = select(Deal.lead_id, Deal.amount_cents).where(Deal.state == DealState.OPEN)
    if lead_ids is not None:
        query = query.where(Deal.lead_id.in_(lead_ids))
    return OutcomeChoices(
        settings.currency,
        tuple(settings.reasons),
        {reason: settings.policy(reason).describe(names) for reason in settings.reasons},
        {lead_id: cents for lead_id, cents in session.execute(query)},
    )


def read_choices(db: Database, lead_ids: list[int] | None = None) -> OutcomeChoices:
    """:func:`load_choices` in its own session."""
    with db.session() as session:
        return load_choices(session, lead_ids)


def _lead(session: Session, lead_id: int) -> Lead:
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise HandoffError("that lead no longer exists (deleted or merged meanwhile)")
    return lead


def open_opportunity(
    db: Database, lead_id: int, amount: str, close: date | None, note: str, now: datetime
) -> str:
    """Convert the lead to an opportunity of ``amount``; returns what to tell the user."""
    with db.write() as session:
        lead = _lead(session, lead_id)
        deal = deals.convert_to_opportunity(
            session, lead, amount=amount, expected_close=close, by=current_member(session, db),
            now=now,
        )  # fmt: skip
        if note:
            deal.note = note
        money = format_amount(deal.amount_cents, deal.currency)
        when = f", expected to close {close:%d %b %Y}" if close else ""
        return f"{lead.full_name} is an opportunity of {money}{when}."


def win(db: Database, lead_id: int, amount: str, won_on: date | None, now: datetime) -> str:
    """Mark the lead's deal won (the lead becomes a customer); returns what to tell the user."""
    with db.write() as session:
        lead = _lead(session, lead_id)
        deal = deals.mark_won(
            session, lead, amount=amount or None, won_on=won_on,
            by=current_member(session, db), now=now,
        )  # fmt: skip
        money = format_amount(deal.amount_cents, deal.currency)
        return f"Won {money} with {lead.full_name} — now a customer."


def lose(db: Database, lead_ids: list[int], reason: str, note: str, now: datetime) -> str:
    """Mark each lead lost with ``reason``; returns what to tell the user (with the skipped
    leads and why, when several were asked)."""
    done, skipped, last = 0, [], "the lead"
    with db.write() as session:
        by = current_member(session, db)
        deals.check_reason(session, reason, note)  # a bad reason refuses the whole batch
        for lead_id in lead_ids:
            lead = session.get(Lead, lead_id)
            if lead is None:
                continue
            try:
                with session.begin_nested():
                    deals.mark_lost(session, lead, reason=reason, note=note, by=by, now=now)
            except HandoffError as problem:
                if len(lead_ids) == 1:
                    raise
                skipped.append(f"{lead.full_name}: {problem}")
                continue
            done += 1
            last = lead.full_name
    if len(lead_ids) == 1:
        return f"{last} is lost ({reason}); the lead goes back to marketing by its policy."
    text = f"Marked {done} lead{'' if done == 1 else 's'} lost ({reason})."
    if skipped:
        text += f" {len(skipped)} skipped — " + "; ".join(skipped[:3])
        text += " …" if len(skipped) > 3 else ""
    return text
