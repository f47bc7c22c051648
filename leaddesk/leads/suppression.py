"""The suppression list: addresses that must never be mailed or re-imported."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leaddesk.db.models import AppSetting, Suppression
from leaddesk.leads.emails import email_hash, email_key, legacy_email_hash, mailbox_of_key

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
    mailbox, the same as :func:`email_hash`) and its legacy plain hash."""
    keyed = hmac.new(secret, digestmod=hashlib.sha256)  # copied per address: no re-keying
    sha256 = hashlib.sha256
    found: dict[str, set[str]] = {}
    for key in {address.strip().lower() for address in addresses}:  # each one's email_key
        mailbox = keyed.copy()
        mailbox.update(mailbox_of_key(key).encode("utf-8"))
        found.setdefault(mailbox.hexdigest(), set()).add(key)
        found.setdefault(sha256(key.encode("utf-8")).hexdigest(), set()).add(key)  # legacy
    return found


def _listed(session: Session, hashes: list[str], read_whole: bool | None = None) -> list[str]:
    """The suppression hashes among ``hashes``: the whole list read once when it is the shorter
    (or ``read_whole``), else one query per 500 hashes."""
    if read_whole is None:
        listed = session.scalar(select(func.count()).select_from(Suppression)) or 0
        read_whole = listed <= len(hashes)
    if read_whole:
        wanted = set(hashes)
        return [
            value for value in session.scalars(select(Suppression.email_hash)) if value in wanted
        ]
    found: list[str] = []
    for start in range(0, len(hashes), 500):
        chunk = hashes[start : start + 500]
        found.extend(
            session.scalars(select(Suppression.email_hash).where(Suppression.email_hash.in_(chunk)))
        )
    return found


def suppressed_among(session: Session, addresses: Iterable[str]) -> set[str]:
    """The keys among ``addresses`` whose mailbox is suppressed."""
    by_hash = hashes_for(suppression_secret(session), addresses)
    found: set[str] = set()
    if not by_hash:
        return found
    for value in _listed(session, list(by_hash)):
        found.update(by_hash[value])
    return found


def is_suppressed(session: Session, address: str) -> bool:
    """True when the mailbox ``address`` reaches is on the suppression list."""
    return bool(suppressed_among(session, [address]))


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
