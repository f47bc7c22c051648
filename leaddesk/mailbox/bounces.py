"""Bounces: RFC 3464 delivery status notifications and the common non-standard formats."""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.message import Message
from email.parser import HeaderParser

from leaddesk.mailbox.bounce_kinds import BounceKind, bounce_kind
from leaddesk.mailbox.list_admin import REFUSED_DIAGNOSTIC, list_notice
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
    r"(message|mail) could not be delivered|returned to sender|delivery problem|"
    r"notificación de estado de entrega|no se (pudo|puede) entregar|onbestelbaar|"
    r"mancata consegna|não (foi )?(possível )?entreg|kan niet worden bezorgd|"
    r"errore di consegna|.{0,2}chec de (la )?(remise|distribution)|mail system error|"
    r"aws notification message|"
    r"delivery status|unable to deliver|undelivered)",
    re.I,
)
_FORWARD_RE = re.compile(r"^\s*(fwd?|fw|wg|tr|rv|i|vs|doorst|enc)\s*:", re.I)
_DAEMON_FROM_RE = re.compile(
    r"mailer[-_ ]?daemon|post[-_ ]?master|mail delivery (system|subsystem|service)|"
    r"delivery status notification|microsoftexchange|bounce|amazonses|sns\.amazonaws",
    re.I,
)
_DELAY_RE = re.compile(
    r"(delayed|delay\)|will (retry|keep trying)|still trying|temporar(y|ily)|"
    r"not yet been delivered)",
    re.I,
)


@dataclass(frozen=True)
class FailedRecipient:
    """One recipient in a bounce: its address, the delivery status and what caused it."""

    address: str
    status: str  # e.g. "5.1.1"
    diagnostic: str = ""
    action: str = ""  # the DSN's Action field ("failed", "delayed"), "" when not a DSN
    context: str = ""  # the report's own text, for the cause when the diagnostic is terse
    known_kind: BounceKind | None = None  # set when the format itself says (a list's refusal)

    @property
    def kind(self) -> BounceKind:
        """Address, policy, full, expired or delayed (see :mod:`bounce_kinds`)."""
        if self.known_kind is not None:
            return self.known_kind
        return bounce_kind(self.status, f"{self.diagnostic}\n{self.context}", self.action)

    @property
    def permanent(self) -> bool:
        """True when the address itself does not work (suppress it)."""
        return self.kind == BounceKind.ADDRESS


@dataclass(frozen=True)
class BounceReport:
    """What a bounce says: which recipients failed how, and which message of ours it returns."""

    recipients: list[FailedRecipient]
    original_message_ids: list[str] = field(default_factory=list)
    standard: bool = True


def looks_like_bounce(message: Message) -> bool:
    """Cheap header-only test: could this be a bounce (DSN or a provider's own format)?

    Never gated on one sender form: a report by its structure, then a daemon-like sender
    (with or without a domain, ``<>``), then a bounce-like subject in several languages.
    """
    if message.get_content_type() == "multipart/report":
        return True
    if header(message, "X-Failed-Recipients"):
        return True
    if _FORWARD_RE.search(header(message, "Subject")):
        return False  # a person forwarding a bounce writes a human message
    senders = addresses(message, "From", "Return-Path")
    if any(s.split("@", 1)[0] in _DAEMON_LOCALPARTS for s in senders):
        return True
    if _DAEMON_FROM_RE.search(header(message, "From")):
        return True
    if header(message, "Return-Path").strip() == "<>" or header(message, "From").strip() == "<>":
        return _BOUNCE_SUBJECT_RE.search(header(message, "Subject")) is not None or bool(
            header(message, "Auto-Submitted")
        )
    return bool(_BOUNCE_SUBJECT_RE.search(header(message, "Subject")))


def parse_bounce(message: Message) -> BounceReport | None:
    """The bounce report in ``message``, or None when it is not a bounce."""
    report_type = str(message.get_param("report-type", "")).lower()
    top_report = message.get_content_type() == "multipart/report"
    if top_report and report_type in ("disposition-notification", "feedback-report"):
        return None  # a read receipt, or a complaint (see complaints): not a failed delivery
    if top_report and report_type == "delivery-status":
        report = _parse_dsn(message)
        if report is not None:
            return report
    elif _FORWARD_RE.search(header(message, "Subject")):
        return None  # a person forwarding a bounce: a human message
    elif any(p.get_content_type() == "message/delivery-status" for p in message.walk()):
        report = _parse_dsn(message)  # a DSN inside another container: known by its structure
        if report is not None:
            return report
    ses = _parse_ses_notification(message)
    if ses is not None:
        return ses
    notice = list_notice(message)
    if notice is not None and notice.refused:
        # A list that takes posts from members only: its address will never take ours.
        diagnostic = f"{REFUSED_DIAGNOSTIC} ({notice.line})" if notice.line else REFUSED_DIAGNOSTIC
        recipients = [
            FailedRecipient(a, "5.0.0", diagnostic, known_kind=BounceKind.ADDRESS)
            for a in notice.list_addresses
        ]
        return BounceReport(recipients, notice.original_message_ids, standard=False)
    if looks_like_bounce(message):
        return _parse_non_standard(message)
    return None


def _parse_ses_notification(message: Message) -> BounceReport | None:
    """An Amazon SES bounce notification delivered by mail: a JSON body (possibly wrapped in
    an SNS envelope) with ``"notificationType": "Bounce"``."""
    text = body_text(message).strip()
    if '"notificationType"' not in text and '\\"notificationType\\"' not in text:
        return None
    start = text.find("{")
    try:
        data = json.loads(text[start:]) if start >= 0 else None
        if isinstance(data, dict) and isinstance(data.get("Message"), str):
            data = json.loads(data["Message"])  # the SNS envelope around the notification
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("notificationType") != "Bounce":
        return None
    bounce = data.get("bounce") or {}
    permanent = str(bounce.get("bounceType", "")).lower() == "permanent"
    recipients = []
    for item in bounce.get("bouncedRecipients") or []:
        if not isinstance(item, dict) or "@" not in str(item.get("emailAddress", "")):
            continue
        status = str(item.get("status") or ("5.0.0" if permanent else "4.0.0"))
        found = _ENHANCED_STATUS_RE.search(status)
        recipients.append(
            FailedRecipient(
                clean_address(str(item["emailAddress"])),
                ".".join(found.groups()) if found else status,
                f"{bounce.get('bounceSubType', '')}: {item.get('diagnosticCode') or ''}",
                action="failed",  # SES reports a bounce once it has stopped trying
            )
        )
    mail = data.get("mail") or {}
    originals = [
        str(h.get("value", ""))
        for h in mail.get("headers") or []
        if isinstance(h, dict) and str(h.get("name", "")).lower() == "message-id"
    ]
    return BounceReport(recipients, message_ids(" ".join(originals)), standard=False)


def _parse_dsn(message: Message) -> BounceReport | None:
    recipients: list[FailedRecipient] = []
    originals: list[str] = []
    receipts = 0
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
                elif header(block, "Final-Recipient") or header(block, "Original-Recipient"):
                    receipts += 1
        elif kind == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                originals.extend(message_ids(header(inner[0], "Message-ID")))
        elif kind == "text/rfc822-headers":
            text = part.get_payload(decode=True)
            if isinstance(text, bytes):
                headers = HeaderParser().parsestr(text.decode("utf-8", "replace"))
                originals.extend(message_ids(header(headers, "Message-ID")))
    if not recipients and not receipts:
        return None
    # Only "delivered"/"relayed" blocks: a delivery receipt, which is no bounce (no recipients).
    return BounceReport(recipients=recipients, original_message_ids=originals, standard=True)


def _recipient_from_block(block: Message) -> FailedRecipient | None:
    raw = header(block, "Final-Recipient") or header(block, "Original-Recipient")
    address = clean_address(raw.split(";", 1)[-1])
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
    if action in ("delivered", "relayed", "expanded", "deliverable") or status.startswith("2"):
        return None  # a delivery receipt, not a failure
    return FailedRecipient(address, status, header(block, "Diagnostic-Code"), action)


def clean_address(text: str) -> str:
    """An address as a bounce writes it, made comparable: RFC 2047 words decoded, the source
    route of ``<@relay.example:user@host>`` dropped, brackets and case removed."""
    value = text.strip()
    if "=?" in value:
        with contextlib.suppress(ValueError, LookupError):  # a broken word stays as written
            value = str(make_header(decode_header(value)))
    value = value.strip().strip("<>").strip()
    if value.startswith("@") and ":" in value:
        value = value.rsplit(":", 1)[1]
    return value.strip("<>").lower()


def _parse_non_standard(message: Message) -> BounceReport:
    text = _all_text(message)
    failed = [
        clean_address(a) for a in header(message, "X-Failed-Recipients").split(",") if "@" in a
    ]
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
    report_text = _before_returned_message(text)[:4000]
    return BounceReport(
        recipients=[FailedRecipient(a, status, diagnostic, context=report_text) for a in failed],
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
