"""Email addresses: the normalised key that identifies a lead, and an offline syntax check."""

from __future__ import annotations

import hashlib


def email_key(address: str) -> str:
    """The key a lead is stored under: the address trimmed and lower-cased."""
    return address.strip().lower()


def email_hash(address: str) -> str:
    """SHA-256 of the key — all that is kept of a forgotten person."""
    return hashlib.sha256(email_key(address).encode("utf-8")).hexdigest()


def check_email(address: str) -> str | None:
    """``None`` when ``address`` is a syntactically valid email, else the reason it is not.

    Never looks anything up on the network (no DNS deliverability check).
    """
    from email_validator import EmailNotValidError, validate_email  # 50 ms to import: on use

    candidate = address.strip()
    if not candidate:
        return "the email address is empty"
    try:
        validate_email(candidate, check_deliverability=False)
    except EmailNotValidError as error:
        return str(error)
    return None
