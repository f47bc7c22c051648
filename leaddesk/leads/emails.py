"""Email addresses: the normalised key that identifies a lead, and an offline syntax check."""

from __future__ import annotations

import hashlib
import hmac
import re


def email_key(address: str) -> str:
    """The key a lead is stored under: the address trimmed and lower-cased."""
    return address.strip().lower()


# Providers that ignore dots in the local part (and share one mailbox between both names).
DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def mailbox_key(address: str) -> str:
    """The mailbox an address reaches, for suppression matching (never stored as the address).

    ``+tags`` are dropped (``person+promo@example.com`` reaches ``person@example.com``), and
    for Gmail the dots too and googlemail.com becomes gmail.com.
    """
    return mailbox_of_key(email_key(address))


def mailbox_of_key(key: str) -> str:
    """:func:`mailbox_key` of an address already trimmed and lower-cased (its :func:`email_key`)."""
    local, at, domain = key.rpartition("@")
    if not at or not local:
        return key
    base = local.split("+", 1)[0] or local
    if domain in DOTLESS_DOMAINS:
        return f"{base.replace('.', '') or base}@{DOTLESS_DOMAINS[domain]}"
    return f"{base}@{domain}"


def email_hash(address: str, secret: bytes) -> str:
    """The keyed hash (HMAC-SHA256 with the database's secret) of the address's mailbox —
    all that is kept of a forgotten person; without the secret it cannot be tested."""
    return hmac.new(secret, mailbox_key(address).encode("utf-8"), hashlib.sha256).hexdigest()


def legacy_email_hash(address: str) -> str:
    """The plain SHA-256 of the key, as suppressions were hashed before the keyed hash (a
    person forgotten then is still matched by it)."""
    return hashlib.sha256(email_key(address).encode("utf-8")).hexdigest()


# Plain addresses that email-validator always accepts (tests/leads/test_plain_addresses.py
# checks that against it): ASCII dot-atoms, hostname labels without a double hyphen (no
# Punycode, no "ab--" forms), an alphabetic top-level domain. Anything else goes to it.
_PLAIN = re.compile(
    r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}",
    re.ASCII,
)
_SPECIAL_USE = ("arpa", "invalid", "local", "localhost", "onion", "test")  # email-validator's


def is_plain_address(candidate: str) -> bool:
    """True for an everyday address that certainly passes the full check (a quick path: most
    leads' addresses are like this, and a scheduler pass checks thousands)."""
    if len(candidate) > 254 or _PLAIN.fullmatch(candidate) is None or "--" in candidate:
        return False
    local, _, domain = candidate.rpartition("@")
    return len(local) <= 64 and domain.rsplit(".", 1)[-1].lower() not in _SPECIAL_USE


def check_email(address: str) -> str | None:
    """``None`` when ``address`` is a syntactically valid email, else the reason it is not.

    Never looks anything up on the network (no DNS deliverability check).
    """
    candidate = address.strip()
    if not candidate:
        return "the email address is empty"
    if is_plain_address(candidate):
        return None
    from email_validator import EmailNotValidError, validate_email  # 50 ms to import: on use

    try:
        validate_email(candidate, check_deliverability=False)
    except EmailNotValidError as error:
        return str(error)
    return None
