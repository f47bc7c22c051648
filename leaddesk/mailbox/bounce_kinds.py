"""What kind of failure a bounce reports: the address, the sender's standing, a full mailbox.

The status code alone is not enough (RFC 3463 codes are used loosely: 5.7.1 means "user unknown"
at some providers and "blocked as spam" at others; 5.0.0 means anything), so the diagnostic text
decides first when it clearly names a cause, and the code decides otherwise:

* ``address`` — the address does not work (user unknown, no such domain, mailbox disabled):
  suppress it;
* ``policy`` — the receiver refused *us* (spam, reputation, authentication, content, rate):
  the lead is fine; the sender must look at it;
* ``full`` — the mailbox is over quota: try later, suppress only when it keeps failing;
* ``expired`` — the sending server gave up after retrying (``Action: failed`` with 4.x.x);
* ``delayed`` — still being retried: nothing to do yet.
"""

from __future__ import annotations

import re
from enum import StrEnum


class BounceKind(StrEnum):
    """The cause of a failed delivery, as far as a bounce tells it."""

    ADDRESS = "address"
    POLICY = "policy"
    FULL = "full"
    EXPIRED = "expired"
    DELAYED = "delayed"


_FULL_RE = re.compile(
    r"(mailbox ?(is )?full|over ?quota|quota (exceeded|full)|exceeded (the )?(storage|quota)|"
    r"insufficient (storage|system storage)|mailbox size limit|disk full|"
    r"user has exceeded|out of storage|postfach (ist )?voll|boîte (aux lettres )?pleine|"
    r"buzón (está )?lleno)",
    re.I,
)
_POLICY_RE = re.compile(
    r"(spam|blocked|block ?list|black ?list|blacklisted|reputation|\bpolicy\b|"
    r"not (allowed|authori[sz]ed|permitted) to send|\bdmarc\b|\bspf\b|\bdkim\b|"
    r"authentication (failed|required)|unauthenticated|content (rejected|filter)|"
    r"message (content )?rejected|suspicious|virus|malware|phish|rate limit|too many|"
    r"throttl|\brbl\b|spamhaus|barracuda|sender (address )?rejected|relay(ing)? (access )?denied|"
    r"not accepted for policy|banned|low reputation|ip .* (blocked|listed))",
    re.I,
)
_ADDRESS_RE = re.compile(
    r"(user unknown|unknown user|no such (user|recipient|mailbox|address|person)|"
    r"does not exist|doesn'?t exist|not exist|invalid (recipient|mailbox|address|user)|"
    r"recipient (address )?(rejected|not found|unknown|invalid)|address rejected|"
    r"mailbox (unavailable|not found|does not exist|disabled|inactive)|unknown (recipient|mailbox)|"
    r"no mailbox|account (has been )?(disabled|deactivated|suspended|closed|inactive)|"
    r"unrouteable|unroutable|host (or domain name )?not found|domain (not found|does not exist)|"
    r"no such domain|nxdomain|name or service not known|bad destination|"
    r"addressee unknown|user not found|recipient not found|undeliverable address|"
    r"address (is )?(invalid|unknown)|benutzer unbekannt|unbekannter empfänger|"
    r"utilisateur inconnu|destinataire inconnu|usuario desconocido)",
    re.I,
)
# Codes whose meaning is settled whatever the text says.
_ADDRESS_CODES = {"1.1", "1.2", "1.3", "1.6", "1.10", "2.1", "4.4"}
_FULL_CODES = {"2.2"}
_POLICY_CODES = {"7.0", "7.1", "7.8", "7.9", "7.13", "7.23", "7.25", "7.26", "7.27", "7.28",
                 "7.29", "7.7", "2.3", "3.4", "6.0"}  # fmt: skip
_EXPIRED_CODES = {"4.7", "4.2", "4.0", "3.1", "3.2", "3.5"}
_FAILED_ACTIONS = ("failed", "failure")
# The sending server gave up on a host it could not reach: says nothing about the address.
_GAVE_UP_RE = re.compile(
    r"retry timeout exceeded|retry time not reached|timed? ?out|connection refused|"
    r"no route to host|host unreachable|too long in queue|message expired|delivery expired",
    re.I,
)
# Refusals of the sender (Postfix "Sender address rejected: …"): policy, whatever follows.
_SENDER_RE = re.compile(
    r"sender (address )?(rejected|denied|verify failed)|mail from .* rejected", re.I
)


def bounce_kind(status: str, diagnostic: str = "", action: str = "") -> BounceKind:
    """The kind of failure for one recipient: ``status`` like "5.1.1", ``action`` from the DSN."""
    action = action.strip().lower()
    text = diagnostic or ""
    if action in ("delayed", "delay"):
        return BounceKind.DELAYED
    klass, _, detail = status.partition(".")
    if _FULL_RE.search(text) or detail in _FULL_CODES:
        return BounceKind.FULL
    if klass == "4":
        if action in _FAILED_ACTIONS or re.search(r"giv(en|ing) up|gave up|expired", text, re.I):
            return BounceKind.EXPIRED
        return BounceKind.DELAYED
    if _SENDER_RE.search(text):
        return BounceKind.POLICY
    address_text = bool(_ADDRESS_RE.search(text))
    if _POLICY_RE.search(text) and not address_text:
        return BounceKind.POLICY
    if address_text or detail in _ADDRESS_CODES:
        return BounceKind.ADDRESS
    if _GAVE_UP_RE.search(text):
        return BounceKind.EXPIRED
    if detail in _POLICY_CODES:
        return BounceKind.POLICY
    if detail in _EXPIRED_CODES:
        return BounceKind.EXPIRED
    return BounceKind.ADDRESS  # an unexplained permanent failure: the address is suspect
