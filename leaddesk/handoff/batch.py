"""Handing many leads to sales at once (the inbox's "Hand to sales…" on a selection).

Each lead goes in its own savepoint: one that cannot go (customer, disqualified, suppressed) is
reported by name and leaves nothing behind, and the others still go.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from leaddesk.db.engine import Database
from leaddesk.db.models import HandoffTrigger, Lead, TeamMember
from leaddesk.handoff.identity import current_member
from leaddesk.handoff.service import HandoffError, hand_off


@dataclass
class HandoffReport:
    """What one "Hand to sales" run did, lead by lead (names and owners, no ORM objects)."""

    handed: list[tuple[str, str]] = field(default_factory=list)
    waiting: list[tuple[str, str]] = field(default_factory=list)
    already: list[tuple[str, str]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    lead_ids: list[int] = field(default_factory=list)

    def summary(self) -> str:
        """One sentence for the status bar, e.g. "Handed 3 leads to sales; 1 not handed: …"."""
        parts: list[str] = []
        if self.handed:
            owners = Counter(owner for _name, owner in self.handed)
            who = ", ".join(
                name if len(owners) == 1 else f"{name} {count}" for name, count in owners.items()
            )
            parts.append(f"Handed {leads_text(len(self.handed))} to sales ({who})")
        if self.waiting:
            names = ", ".join(name for name, _why in self.waiting)
            parts.append(f"{leads_text(len(self.waiting))} waiting for a rep: {names}")
        if self.already:
            names = ", ".join(f"{name} ({owner})" for name, owner in self.already)
            parts.append(f"{len(self.already):,} already with sales: {names}")
        if self.refused:
            parts.append(f"{len(self.refused):,} not handed: {'; '.join(self.refused)}")
        if not parts:
            return "No lead was handed to sales."
        first, *rest = parts
        return "; ".join([first[0].upper() + first[1:], *rest]) + "."

    def headline(self) -> str:
        """How many of the selected leads went to a rep, e.g. "Handed 2 of 3 leads to sales."."""
        asked = len(self.handed) + len(self.waiting) + len(self.already) + len(self.refused)
        if not self.handed and asked == 1:
            return "The lead was not handed to a rep."
        if not self.handed:
            return f"None of the {asked:,} leads was handed to a rep."
        return f"Handed {len(self.handed):,} of {leads_text(asked)} to sales."

    def problems(self) -> list[str]:
        """One line per lead that did not go to a rep, saying why."""
        lines = list(self.refused)
        lines += [f"{name} waits for a rep: {why}" for name, why in self.waiting]
        return lines


def leads_text(count: int) -> str:
    """ "1 lead", "3 leads"."""
    return f"{count:,} lead" + ("" if count == 1 else "s")


def hand_leads_to_sales(
    session: Session,
    db: Database,
    lead_ids: Sequence[int],
    *,
    member_id: int | None,
    reason: str,
    now: datetime,
) -> HandoffReport:
    """Hand each lead to ``member_id`` (None: by the rules); report every lead's outcome."""
    report = HandoffReport(lead_ids=list(lead_ids))
    by = current_member(session, db)
    to = session.get(TeamMember, member_id) if member_id is not None else None
    if member_id is not None and to is None:
        raise HandoffError("that team member no longer exists: choose another one")
    for lead_id in lead_ids:
        lead = session.get(Lead, lead_id)
        if lead is None:  # deleted meanwhile
            continue
        name = lead.full_name
        try:
            with session.begin_nested():  # a refused lead leaves nothing behind
                result = hand_off(
                    session,
                    lead,
                    trigger=HandoffTrigger.MANUAL,
                    now=now,
                    reason=reason,
                    by=by,
                    to=to,
                )
        except HandoffError as error:
            report.refused.append(str(error))
            continue
        if result is None:
            continue
        if not result.created:
            report.already.append((name, result.owner_name))
        elif result.owner_id is None:
            report.waiting.append((name, result.note or "no assignment rule matched"))
        else:
            report.handed.append((name, result.owner_name))
    return report
