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


def _asked_in_chunks(session: Session, hashes: list[str]) -> list[str]:
    """The suppression hashes among ``hashes``, one query per 500 of them."""
    found: list[str] = []
    for start in range(0, len(hashes), 500):
        chunk = hashes[start : start + 500]
        found.extend(
            session.scalars(select(Suppression.email_hash).where(Suppression.email_hash.in_(chunk)))
        )
    return found


def _against_whole_list(secret: bytes, keys: set[str], listed: set[str]) -> set[str]:
    """The keys whose keyed mailbox hash or legacy hash is in ``listed`` (every hash on the
    list): the same test as :func:`hashes_for` and a lookup, without building its mapping."""
    keyed = hmac.new(secret, digestmod=hashlib.sha256)
    sha256 = hashlib.sha256
    found: set[str] = set()
    for key in keys:
        mailbox = keyed.copy()
        mailbox.update(mailbox_of_key(key).encode("utf-8"))
        if mailbox.hexdigest() in listed or sha256(key.encode("utf-8")).hexdigest() in listed:
            found.add(key)
    return found


def suppressed_among(
    session: Session, addresses: Iterable[str], *, read_whole: bool | None = None
) -> set[str]:
    """The keys among ``addresses`` whose mailbox is suppressed.

    An empty list answers at once; a list shorter than the addresses asked about is read whole
    and each address tested against it; a longer one is asked for the addresses' hashes 500 at
    a time (``read_whole`` forces one route, for the tests).
    """
    keys = {address.strip().lower() for address in addresses}  # each one's email_key
    if not keys:
        return set()
    if read_whole is None:
        count = session.scalar(select(func.count()).select_from(Suppression)) or 0
        if count == 0:
            return set()
        read_whole = count <= 2 * len(keys)
    secret = suppression_secret(session)
    if read_whole:
        listed = set(session.scalars(select(Suppression.email_hash)))
        return _against_whole_list(secret, keys, listed)
    by_hash = hashes_for(secret, keys)
    found: set[str] = set()
    for value in _asked_in_chunks(session, list(by_hash)):
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
