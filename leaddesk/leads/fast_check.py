"""Fast, offline email checking for bulk paths (imports, sending), consistent with ``check_email``.

``email_validator`` costs tens of microseconds per address, mostly in the domain checks. An
ordinary ASCII address is split here: its local part is checked by a dot-atom pattern and its
domain once per distinct domain with the full validator. Anything unusual goes to the full check.
"""

from __future__ import annotations

import re
from functools import lru_cache

from leaddesk.leads.emails import check_email

_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_SIMPLE = re.compile(rf"({_ATEXT}+(?:\.{_ATEXT}+)*)@([A-Za-z0-9.-]+)")
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_PLAIN_DOMAIN = re.compile(rf"(?:{_LABEL}\.)+[a-z]{{2,63}}")
# email_validator's SPECIAL_USE_DOMAIN_NAMES (a test keeps them equal): importing the validator
# costs 50 ms of start-up, and most addresses never need it.
SPECIAL_USE_DOMAINS = ("arpa", "invalid", "local", "localhost", "onion", "test")
_INVALID_PLACEHOLDERS = frozenset({"n/a", "na", "none", "null", "-", "--", "?", "tbd", "unknown"})


@lru_cache(maxsize=65536)
def _domain_problem(domain: str) -> str | None:
    if (
        len(domain) <= 253
        # "xn--" (Punycode) and any other label with "--" in its third and fourth places
        # have rules of their own (IDNA): the full check decides those.
        and "--" not in domain
        and _PLAIN_DOMAIN.fullmatch(domain)
        and not any(domain == s or domain.endswith("." + s) for s in SPECIAL_USE_DOMAINS)
    ):
        return None  # a plain letters-digits-hyphens name: the full check would accept it
    return check_email(f"a@{domain}")


def email_problem(address: str) -> str | None:
    """``None`` when ``address`` is a valid email address, else the reason it is not."""
    candidate = address.strip()
    if not candidate:
        return "no email address"
    if candidate.lower() in _INVALID_PLACEHOLDERS:
        return f"no email address ({candidate!r})"
    match = _SIMPLE.fullmatch(candidate)
    if match and len(match.group(1)) <= 64 and len(candidate) <= 254:
        return _domain_problem(match.group(2).lower())
    return check_email(candidate)
