"""Deciding what an inbound message means for our leads: reply, bounce, auto-reply, unsubscribe.

:func:`read_facts` extracts everything from the message alone (no database);
:func:`decide` looks the facts up against our outbox and leads and returns a :class:`Verdict`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import Message
from enum import StrEnum

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from leaddesk.db.models import Enrollment, Lead, OutboundMessage, OutboxState, SenderAccount
from leaddesk.leads.emails import email_key
from leaddesk.mailbox.autoreply import is_auto_reply, return_date
from leaddesk.mailbox.bounce_kinds import BounceKind
from leaddesk.mailbox.bounces import (
    BounceReport,
    FailedRecipient,
    looks_like_bounce,
    parse_bounce,
)
from leaddesk.mailbox.complaints import FeedbackReport, parse_feedback
from leaddesk.mailbox.list_admin import is_list_admin, list_notice
from leaddesk.mailbox.parsing import (
    addresses,
    body_text,
    clean_subject,
    fresh_text,
    header,
    message_ids,
    sent_date,
    snippet,
)
from leaddesk.sequences.exits import LIVE_ENROLLMENT
from leaddesk.settings import get_setting

_TOKEN_RE = re.compile(r"unsubscribe(?:%20|[\s:_+-])+([0-9a-f]{16,64})\b", re.I)
_REMOVAL_RE = re.compile(
    r"\b(unsubscribe|remove me|take me off|stop (e-?mailing|emails|sending|contacting|writing)|"
    r"opt(ing)?[ -]?out|do not (e-?mail|contact|write)|don'?t (e-?mail|contact|write) me|"
    r"no more e-?mails|abmelden|désinscri(re|ption)|darse de baja)\b",
    re.I,
)
# A removal request is a short answer; a long message that mentions "opt out" in passing is
# treated as a reply (a human will read it).
REMOVAL_MAX_WORDS = 60
COLLEAGUE_SETTING = "mailbox_colleague_reply_stops"
FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "proton.me",
        "protonmail.com",
        "mail.com",
        "yandex.ru",
        "",
    }
)
MAILED_STATES = (OutboxState.SENT, OutboxState.UNKNOWN, OutboxState.SENDING, OutboxState.DEFERRED)


class Classification(StrEnum):
    """What an inbound message is, as stored in ``inbound_messages.classification``."""

    REPLY = "reply"
    BOUNCE = "bounce"  # the address does not work: suppressed
    SOFT_BOUNCE = "bounce_soft"  # mailbox full, or the server gave up: suppressed if it repeats
    POLICY_BOUNCE = "bounce_policy"  # the receiver refused the sender: the lead is kept
    TEMPORARY_BOUNCE = "bounce_temporary"  # delayed, still being retried
    AUTO_REPLY = "auto_reply"
    UNSUBSCRIBE = "unsubscribe"
    COMPLAINT = "complaint"  # an ARF spam complaint: suppressed, every sequence stopped
    DMARC_FAILURE = "dmarc_failure"  # about our domain's authentication, never about a lead
    UNRELATED = "unrelated"
    OWN = "own"
    UNREADABLE = "unreadable"  # classification failed (logged); never retried


@dataclass
class MessageFacts:
    """Everything a message says about itself, read without the database."""

    message_id: str
    from_address: str
    recipients: list[str]
    subject: str
    sent_at: datetime | None
    referenced_ids: list[str]
    fresh: str
    bounce: BounceReport | None
    auto_reply: bool
    tokens: list[str]
    asks_removal: bool
    bulk: bool = False  # a list or bulk mailing (List-Id, Precedence: bulk/list/junk)
    feedback: FeedbackReport | None = None  # an ARF complaint or DMARC failure report
    list_held: bool = False  # a mailing list holds our post for its moderator


@dataclass
class Verdict:
    """What to do about one message: its classification and the leads/addresses concerned."""

    classification: Classification
    lead_id: int | None = None
    outbound_id: int | None = None
    addresses: list[str] = field(default_factory=list)
    detail: dict[str, str] = field(default_factory=dict)
    not_before: date | None = None


def read_facts(message: Message) -> MessageFacts:
    """Parse ``message`` (headers and text) into :class:`MessageFacts`."""
    senders = addresses(message, "From")
    subject = header(message, "Subject")
    fresh = fresh_text(body_text(message))
    sent_at = sent_date(message)
    feedback = parse_feedback(message)
    bounce = parse_bounce(message)
    notice = list_notice(message) if bounce is None else None
    auto = bounce is None and feedback is None and is_auto_reply(message)
    request_text = f"{clean_subject(subject)}\n{fresh}"
    return MessageFacts(
        message_id=header(message, "Message-ID"),
        from_address=senders[0] if senders else "",
        recipients=addresses(message, "To", "Cc", "Delivered-To", "X-Original-To"),
        subject=subject,
        sent_at=sent_at,
        referenced_ids=message_ids(header(message, "In-Reply-To") + header(message, "References")),
        fresh=fresh,
        bounce=bounce,
        auto_reply=auto,
        tokens=[t.lower() for t in _TOKEN_RE.findall(request_text)],
        asks_removal=bool(_REMOVAL_RE.search(request_text))
        and len(fresh.split()) <= REMOVAL_MAX_WORDS,
        bulk=bool(header(message, "List-Id"))
        or header(message, "Precedence").lower() in ("bulk", "list", "junk"),
        feedback=feedback,
        list_held=notice is not None and notice.held,
    )


def may_concern_us(
    message: Message,
    known_ids: set[str],
    known_senders: set[str],
    unsubscribe_addresses: frozenset[str] = frozenset(),
) -> bool:
    """Header-only pre-check: is the message worth downloading whole?"""
    refs = message_ids(header(message, "In-Reply-To") + header(message, "References"))
    if known_ids.intersection(refs):
        return True
    if known_senders.intersection(addresses(message, "From", "Reply-To")):
        return True
    recipients = addresses(message, "To", "Cc", "Delivered-To", "X-Original-To")
    if unsubscribe_addresses.intersection(recipients):
        return True
    if header(message, "Auto-Submitted").lower().startswith("auto-"):
        return True  # machine-written (RFC 3834): a bounce or auto-reply in any wording
    if is_list_admin(message):
        return True  # a list's software refusing or holding our post to a lead's list
    return bool(looks_like_bounce(message) or "unsubscribe" in header(message, "Subject").lower())


def decide(session: Session, account: SenderAccount, facts: MessageFacts, now: datetime) -> Verdict:
    """Match ``facts`` against our outbox and leads; the verdict says what to do."""
    own = {email_key(account.from_address), email_key(account.imap_username)}
    if facts.feedback is not None:
        return _feedback_verdict(session, facts)
    if facts.bounce is not None:
        return _bounce_verdict(session, facts)
    if facts.list_held:  # list software, not a person: the post may still go through
        return Verdict(Classification.UNRELATED, detail={"note": "held by a list's moderator"})
    if facts.from_address in own:
        return Verdict(Classification.OWN)
    outbound = _threaded_outbound(session, facts.referenced_ids)
    if outbound is None and facts.bulk and not facts.auto_reply:
        # A newsletter or list post, not an answer (auto-responders such as Mimecast's also
        # say "Precedence: bulk": they are still auto-replies to us).
        return Verdict(Classification.UNRELATED)
    lead_id = outbound.lead_id if outbound is not None else _enrolled_lead(session, facts)
    unsubscribe = _unsubscribe_verdict(session, account, facts, outbound, lead_id)
    # A message to the unsubscribe address or with a valid token is an unsubscribe whatever
    # its other headers say (Apple Mail's one-tap unsubscribe is marked auto-replied).
    if unsubscribe is not None and (
        not facts.auto_reply or unsubscribe.detail.get("via") in ("token", "mailto")
    ):
        return unsubscribe
    colleague = False
    if lead_id is None and not facts.auto_reply and colleague_replies_stop(session):
        lead_id = colleague_lead(session, facts.from_address)
        colleague = lead_id is not None
    if lead_id is None:
        return Verdict(Classification.UNRELATED)
    outbound_id = outbound.id if outbound is not None else None
    text = snippet(facts.fresh)
    detail = {"subject": facts.subject, "snippet": text, "from": facts.from_address}
    if colleague:
        detail["colleague"] = facts.from_address
    if facts.auto_reply:
        received = min(facts.sent_at or now, now).date()
        back = return_date(f"{facts.subject}\n{facts.fresh}", received)
        if back is not None:
            detail["return_date"] = back.isoformat()
        return Verdict(
            Classification.AUTO_REPLY, lead_id, outbound_id, detail=detail, not_before=back
        )
    return Verdict(Classification.REPLY, lead_id, outbound_id, detail=detail)


def _threaded_outbound(session: Session, referenced: list[str]) -> OutboundMessage | None:
    if not referenced:
        return None
    rows = list(
        session.scalars(select(OutboundMessage).where(OutboundMessage.message_id.in_(referenced)))
    )
    by_id = {row.message_id: row for row in rows}
    for message_id in reversed(referenced):  # the last reference is the nearest parent
        if message_id in by_id:
            return by_id[message_id]
    return None


def _enrolled_lead(session: Session, facts: MessageFacts) -> int | None:
    if not facts.from_address:
        return None
    lead_id = session.scalar(select(Lead.id).where(Lead.email_key == email_key(facts.from_address)))
    if lead_id is None:
        return None
    enrolled = session.scalar(select(Enrollment.id).where(Enrollment.lead_id == lead_id).limit(1))
    mailed = session.scalar(
        select(OutboundMessage.id).where(OutboundMessage.lead_id == lead_id).limit(1)
    )
    return lead_id if enrolled is not None or mailed is not None else None


def _unsubscribe_verdict(
    session: Session,
    account: SenderAccount,
    facts: MessageFacts,
    outbound: OutboundMessage | None,
    lead_id: int | None,
) -> Verdict | None:
    by_token = None
    if facts.tokens:
        by_token = session.scalar(
            select(OutboundMessage).where(OutboundMessage.unsubscribe_token.in_(facts.tokens))
        )
    to_mailto = bool(unsubscribe_mailboxes(account).intersection(facts.recipients))
    if by_token is None and not to_mailto and not (facts.asks_removal and lead_id is not None):
        return None
    source = by_token or outbound
    found = [source.to_address] if source is not None else []
    if facts.from_address and (by_token is None or lead_id is not None):
        found.append(facts.from_address)
    keys = list(dict.fromkeys(email_key(a) for a in found if a))
    if not keys:
        return None
    how = "token" if by_token is not None else ("mailto" if to_mailto else "request")
    return Verdict(
        Classification.UNSUBSCRIBE,
        lead_id=(by_token.lead_id if by_token is not None else None) or lead_id,
        outbound_id=source.id if source is not None else None,
        addresses=keys,
        detail={"subject": facts.subject, "snippet": snippet(facts.fresh), "via": how},
    )


_KIND_CLASSES = {
    BounceKind.ADDRESS: Classification.BOUNCE,
    BounceKind.FULL: Classification.SOFT_BOUNCE,
    BounceKind.EXPIRED: Classification.SOFT_BOUNCE,
    BounceKind.POLICY: Classification.POLICY_BOUNCE,
    BounceKind.DELAYED: Classification.TEMPORARY_BOUNCE,
}
# When one report names several of our recipients, the gravest kind decides what is done.
_KIND_ORDER = (
    BounceKind.ADDRESS,
    BounceKind.POLICY,
    BounceKind.FULL,
    BounceKind.EXPIRED,
    BounceKind.DELAYED,
)


def _bounce_verdict(session: Session, facts: MessageFacts) -> Verdict:
    report = facts.bounce
    assert report is not None
    if not report.recipients:
        return Verdict(Classification.UNRELATED, detail={"note": "a delivery receipt"})
    originals = _threaded_outbound(session, report.original_message_ids)
    matched: list[tuple[FailedRecipient, OutboundMessage]] = []
    for recipient in report.recipients:
        mailed = _mailed_to(session, recipient.address, report.original_message_ids, originals)
        if mailed is not None:
            matched.append((recipient, mailed))
    if not matched and originals is not None and len(report.recipients) == 1:
        # The failed address is not ours as written (a forwarding alias, a rewritten or
        # encoded address): the returned original's Message-ID says which message it was.
        matched.append((report.recipients[0], originals))
    if not matched:
        return Verdict(
            Classification.UNRELATED, detail={"note": "bounce for an address we never mailed"}
        )
    matched.sort(key=lambda pair: _KIND_ORDER.index(pair[0].kind))
    first, mailed = matched[0]
    same = [pair for pair in matched if pair[0].kind == first.kind]
    return Verdict(
        _KIND_CLASSES[first.kind],
        lead_id=mailed.lead_id,
        outbound_id=mailed.id,
        addresses=list(dict.fromkeys(email_key(m.to_address) for _r, m in same)),
        detail={
            "status": first.status,
            "kind": str(first.kind),
            "diagnostic": first.diagnostic[:300],
            "subject": facts.subject,
            "standard": "yes" if report.standard else "no",
        },
    )


def _feedback_verdict(session: Session, facts: MessageFacts) -> Verdict:
    report = facts.feedback
    assert report is not None
    detail = {"subject": facts.subject, "feedback_type": report.feedback_type}
    if not report.is_complaint:
        detail["detail"] = report.detail
        return Verdict(Classification.DMARC_FAILURE, detail=detail)
    original = _threaded_outbound(session, report.original_message_ids)
    if original is None:
        for address in report.recipients:
            original = _mailed_to(session, address, report.original_message_ids, None)
            if original is not None:
                break
    if original is None:
        return Verdict(Classification.UNRELATED, detail={"note": "a complaint about mail not ours"})
    return Verdict(
        Classification.COMPLAINT,
        lead_id=original.lead_id,
        outbound_id=original.id,
        addresses=[email_key(original.to_address)],
        detail=detail,
    )


def _mailed_to(
    session: Session,
    address: str,
    original_ids: list[str],
    original: OutboundMessage | None,
) -> OutboundMessage | None:
    """Our message to ``address`` this bounce is about: the returned original first."""
    if original is not None and email_key(original.to_address) == email_key(address):
        return original
    return session.scalar(
        select(OutboundMessage)
        .where(
            func.lower(OutboundMessage.to_address) == email_key(address),
            or_(
                OutboundMessage.state.in_(MAILED_STATES),
                OutboundMessage.message_id.in_(original_ids or [""]),
            ),
        )
        .order_by(OutboundMessage.id.desc())
        .limit(1)
    )


def colleague_replies_stop(session: Session) -> bool:
    """The team setting: does a reply from a lead's colleague stop the lead's sequence?"""
    return bool(get_setting(session, COLLEAGUE_SETTING, False))


def colleague_lead(session: Session, sender: str) -> int | None:
    """The enrolled lead we last mailed at ``sender``'s company domain (not free-mail domains)."""
    domain = sender.rpartition("@")[2].lower()
    if not domain or domain in FREE_MAIL_DOMAINS:
        return None
    return session.scalar(
        select(OutboundMessage.lead_id)
        .join(Enrollment, Enrollment.id == OutboundMessage.enrollment_id)
        .where(
            func.lower(OutboundMessage.to_address).like(f"%@{domain}"),
            OutboundMessage.state == OutboxState.SENT,
            Enrollment.state.in_(LIVE_ENROLLMENT),
        )
        .order_by(OutboundMessage.sent_at.desc())
        .limit(1)
    )


def unsubscribe_mailboxes(account: SenderAccount) -> frozenset[str]:
    """The account's dedicated unsubscribe address (empty when it is the from address)."""
    mailto = email_key(account.unsubscribe_mailto or "")
    if not mailto or mailto == email_key(account.from_address):
        return frozenset()
    return frozenset({mailto})
