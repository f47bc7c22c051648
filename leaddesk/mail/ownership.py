"""Whose copy of LeadDesk works each sending account.

An account with an owner (``sender_accounts.member_id``) is that member's: their password is in
their keyring, their limits pace it, and only the copy acting as them (:mod:`~leaddesk.handoff.
identity`) sends from it and reads its mailbox. An account without an owner is the team's and
any copy may work it; on a team server a per-account lock then lets one copy at a time do so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.db.engine import Database
from leaddesk.db.models import SenderAccount, TeamMember
from leaddesk.handoff.identity import current_member


@dataclass(frozen=True)
class AccountShare:
    """The accounts this copy works, and those left to their owners' copies."""

    mine: frozenset[int] = frozenset()
    others: frozenset[int] = frozenset()
    owners: dict[int, str] = field(default_factory=dict)  # account id -> owner's name

    def describe_others(self) -> str:
        """ "2 accounts belong to Maya and Tom: their copies send them" ("" when none)."""
        if not self.others:
            return ""
        names = sorted({self.owners[a] for a in self.others if a in self.owners})
        count = len(self.others)
        who = " and ".join(names) if names else "other members"
        noun = "account belongs" if count == 1 else "accounts belong"
        return f"{count} {noun} to {who}: their own LeadDesk sends and reads them"


def account_share(session: Session, db: Database) -> AccountShare:
    """Split the accounts between this copy (its member's and the team's) and the others."""
    me = current_member(session, db)
    mine: set[int] = set()
    others: set[int] = set()
    owners: dict[int, str] = {}
    rows = session.execute(
        select(SenderAccount.id, SenderAccount.member_id, TeamMember.name).outerjoin(
            TeamMember, TeamMember.id == SenderAccount.member_id
        )
    )
    for account_id, member_id, owner in rows:
        if member_id is None or (me is not None and member_id == me.id):
            mine.add(account_id)
        else:
            others.add(account_id)
            if owner:
                owners[account_id] = owner
    return AccountShare(frozenset(mine), frozenset(others), owners)
