"""The suppression list: addresses that must never be mailed or re-imported."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from leaddesk.db.models import Suppression
from leaddesk.leads.emails import email_hash, email_key


class SuppressionReason(StrEnum):
    """Why an address is suppressed."""

    UNSUBSCRIBED = "unsubscribed"
    BOUNCED = "bounced"
    FORGOTTEN = "forgotten"
    COMPLAINT = "complaint"
    MANUAL = "manual"


def is_suppressed(session: Session, address: str) -> bool:
    """True when ``address`` (by key or by hash) is on the suppression list."""
    key = email_key(address)
    found = session.scalar(
        select(Suppression.id).where(
            or_(Suppression.email_key == key, Suppression.email_hash == email_hash(key))
        )
    )
    return found is not None


def suppressed_among(session: Session, addresses: Iterable[str]) -> set[str]:
    """The keys among ``addresses`` that are suppressed (one query per 500 addresses)."""
    keys = {email_key(a) for a in addresses}
    by_hash = {email_hash(k): k for k in keys}
    found: set[str] = set()
    hashes = list(by_hash)
    for start in range(0, len(hashes), 500):
        chunk = hashes[start : start + 500]
        for value in session.scalars(
            select(Suppression.email_hash).where(Suppression.email_hash.in_(chunk))
        ):
            found.add(by_hash[value])
    return found


def suppress(
    session: Session, address: str, reason: str, *, note: str = "", keep_address: bool = True
) -> Suppression:
    """Put ``address`` on the suppression list (idempotent).

    ``keep_address=False`` stores only the hash (used when a person is forgotten).
    """
    key = email_key(address)
    digest = email_hash(key)
    existing = session.scalar(select(Suppression).where(Suppression.email_hash == digest))
    if existing is not None:
        if not keep_address:
            existing.email_key = None
        return existing
    entry = Suppression(
        email_key=key if keep_address else None, email_hash=digest, reason=str(reason), note=note
    )
    session.add(entry)
    session.flush()
    return entry
