"""Bounces: RFC 3464 delivery status notifications and the common non-standard formats."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import Message
from email.parser import HeaderParser

from leaddesk.mailbox.parsing import addresses, body_text, header, message_ids

_ENHANCED_STATUS_RE = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_SMTP_CODE_RE = re.compile(r"\b([45]\d\d)[ -]")
_ADDRESS_RE = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_DAEMON_LOCALPARTS = ("mailer-daemon", "postmaster", "mail-daemon", "bounce", "bounces")
# Anchored at the start, like the auto-reply subjects: "Undeliverable: …", "failure notice".
_BOUNCE_SUBJECT_RE = re.compile(
    r"^\s*(undeliver|returned mail|mail delivery (failed|failure|subsystem)|"
    r"delivery (status notification|failure|has failed|notification|incomplete)|"
    r"failure notice|non[- ]?remis|unzustellbar|nicht zustellbar|"
    r"(message|mail) could not be delivered)",
    re.I,
)
_DELAY_RE = re.compile(
    r"(delayed|delay\)|will (retry|keep trying)|still trying|temporar(y|ily)|"
    r"not yet been delivered)",
    re.I,
)


@dataclass(frozen=True)
class FailedRecipient:
    """One recipient in a bounce: its address and the delivery status."""

    address: str
    status: str  # e.g. "5.1.1"
    diagnostic: str = ""

    @property
    def permanent(self) -> bool:
        """True for a permanent failure (status class 5)."""
        return self.status.startswith("5")


@dataclass(frozen=True)
class BounceReport:
    """What a bounce says: which recipients failed how, and which message of ours it returns."""

    recipients: list[FailedRecipient]
    original_message_ids: list[str] = field(default_factory=list)
    standard: bool = True


def looks_like_bounce(message: Message) -> bool:
    """Cheap header-only test: could this be a bounce (DSN or a provider's own format)?"""
    if message.get_content_type() == "multipart/report":
        return True
    if header(message, "X-Failed-Recipients"):
        return True
    senders = addresses(message, "From", "Return-Path")
    if any(s.split("@", 1)[0] in _DAEMON_LOCALPARTS for s in senders):
        return True
    return bool(_BOUNCE_SUBJECT_RE.search(header(message, "Subject")))


def parse_bounce(message: Message) -> BounceReport | None:
    """The bounce report in ``message``, or None when it is not a bounce."""
    if (
        message.get_content_type() == "multipart/report"
        and str(message.get_param("report-type", "")).lower() == "delivery-status"
    ):
        report = _parse_dsn(message)
        if report is not None:
            return report
    if looks_like_bounce(message):
        return _parse_non_standard(message)
    return None


def _parse_dsn(message: Message) -> BounceReport | None:
    recipients: list[FailedRecipient] = []
    originals: list[str] = []
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            blocks = part.get_payload()
            if not isinstance(blocks, list):
                continue
            for block in blocks[1:] if len(blocks) > 1 else blocks:
                if not isinstance(block, Message):
                    continue
                recipient = _recipient_from_block(block)
                if recipient is not None:
                    recipients.append(recipient)
        elif kind == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                originals.extend(message_ids(header(inner[0], "Message-ID")))
        elif kind == "text/rfc822-headers":
            text = part.get_payload(decode=True)
            if isinstance(text, bytes):
                headers = HeaderParser().parsestr(text.decode("utf-8", "replace"))
                originals.extend(message_ids(header(headers, "Message-ID")))
    if not recipients:
        return None
    return BounceReport(recipients=recipients, original_message_ids=originals, standard=True)


def _recipient_from_block(block: Message) -> FailedRecipient | None:
    raw = header(block, "Final-Recipient") or header(block, "Original-Recipient")
    address = raw.split(";", 1)[-1].strip().strip("<>").lower()
    if "@" not in address:
        return None
    status_match = _ENHANCED_STATUS_RE.search(header(block, "Status"))
    action = header(block, "Action").lower()
    if status_match:
        status = ".".join(status_match.groups())
    elif action == "failed":
        status = "5.0.0"
    else:
        status = "4.0.0"
    if action in ("delivered", "relayed", "expanded"):
        return None
    return FailedRecipient(address, status, header(block, "Diagnostic-Code"))


def _parse_non_standard(message: Message) -> BounceReport:
    text = _all_text(message)
    failed = addresses(message, "X-Failed-Recipients")
    if not failed:
        own = set(addresses(message, "From", "To", "Return-Path"))
        failed = []
        for found in _ADDRESS_RE.findall(_before_returned_message(text)):
            address = found.lower()
            if address not in own and address not in failed:
                failed.append(address)
    status_match = _ENHANCED_STATUS_RE.search(text)
    code_match = _SMTP_CODE_RE.search(text)
    if status_match and status_match.group(1) != "2":
        status = ".".join(status_match.groups())
    elif code_match:
        status = f"{code_match.group(1)[0]}.0.0"
    elif _DELAY_RE.search(header(message, "Subject")) or _DELAY_RE.search(text):
        status = "4.0.0"
    else:
        status = "5.0.0"
    diagnostic = _diagnostic_line(text)
    return BounceReport(
        recipients=[FailedRecipient(a, status, diagnostic) for a in failed],
        original_message_ids=list(
            dict.fromkeys(
                m
                for m in message_ids(_returned_headers(text))
                if m not in header(message, "Message-ID")
            )
        ),
        standard=False,
    )


def _all_text(message: Message) -> str:
    chunks = [body_text(message)]
    for part in message.walk():
        if part.get_content_type() in ("text/plain", "text/rfc822-headers"):
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                chunks.append(payload.decode("utf-8", "replace"))
        elif part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                chunks.append(f"Message-ID: {header(inner[0], 'Message-ID')}")
    return "\n".join(chunks)


def _before_returned_message(text: str) -> str:
    """The report part of a bounce, before the copy of the original message."""
    cut = re.search(
        r"^(-+ ?(original|returned|below this line).*|message-id:.*)$", text, re.I | re.M
    )
    return text[: cut.start()] if cut else text


def _returned_headers(text: str) -> str:
    return "\n".join(re.findall(r"(?im)^message-id:\s*(<[^>\s]+>)", text))


def _diagnostic_line(text: str) -> str:
    for line in text.splitlines():
        if _ENHANCED_STATUS_RE.search(line) or _SMTP_CODE_RE.search(line):
            return " ".join(line.split())[:300]
    return ""
