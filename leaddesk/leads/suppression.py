"""The suppression list: addresses that must never be mailed or re-imported."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.db.models import AppSetting, Suppression
from leaddesk.leads.emails import email_hash, email_key, legacy_email_hash

SECRET_SETTING = "suppression_secret"


class SuppressionReason(StrEnum):
    """Why an address is suppressed."""

    UNSUBSCRIBED = "unsubscribed"
    BOUNCED = "bounced"
    FORGOTTEN = "forgotten"
    COMPLAINT = "complaint"
    MANUAL = "manual"


def suppression_secret(session: Session) -> bytes:
    """The database's secret for suppression hashes (created by migration 0009; created here
    if a database somehow lacks it). Read once per session."""
    cached = session.info.get(SECRET_SETTING)
    if isinstance(cached, bytes):
        return cached
    stored = session.get(AppSetting, SECRET_SETTING)
    if stored is None:
        stored = AppSetting(key=SECRET_SETTING, value={"value": secrets.token_hex(32)})
        session.add(stored)
        session.flush()
    secret = bytes.fromhex(str(stored.value["value"]))
    session.info[SECRET_SETTING] = secret
    return secret


def hashes_for(secret: bytes, addresses: Iterable[str]) -> dict[str, set[str]]:
    """``{hash: keys}``: each address's keyed mailbox hash (shared by every address of one
    mailbox) and its legacy plain hash."""
    found: dict[str, set[str]] = {}
    for key in {email_key(a) for a in addresses}:
        found.setdefault(email_hash(key, secret), set()).add(key)
        found.setdefault(legacy_email_hash(key), set()).add(key)
    return found


def is_suppressed(session: Session, address: str) -> bool:
    """True when the mailbox ``address`` reaches is on the suppression list."""
    return bool(suppressed_among(session, [address]))


def suppressed_among(session: Session, addresses: Iterable[str]) -> set[str]:
    """The keys among ``addresses`` whose mailbox is suppressed (one query per 500 hashes)."""
    by_hash = hashes_for(suppression_secret(session), addresses)
    found: set[str] = set()
    hashes = list(by_hash)
    for start in range(0, len(hashes), 500):
        chunk = hashes[start : start + 500]
        for value in session.scalars(
            select(Suppression.email_hash).where(Suppression.email_hash.in_(chunk))
        ):
            found.update(by_hash[value])
    return found


def suppress(
    session: Session, address: str, reason: str, *, note: str = "", keep_address: bool = True
) -> Suppression:
    """Put ``address`` on the suppression list (idempotent).

    ``keep_address=False`` stores only the hash (used when a person is forgotten).
    """
    key = email_key(address)
    secret = suppression_secret(session)
    digest = email_hash(key, secret)
    existing = session.scalar(
        select(Suppression).where(
            Suppression.email_hash.in_((digest, legacy_email_hash(key)))
            | (Suppression.email_key == key)
        )
    )
    if existing is not None:
        if not keep_address:
            existing.email_key = None
            existing.email_hash = digest  # a legacy plain hash gives way to the keyed one
        return existing
    entry = Suppression(
        email_key=key if keep_address else None, email_hash=digest, reason=str(reason), note=note
    )
    session.add(entry)
    session.flush()
    return entry
