"""Feedback reports (RFC 5965 ARF): a spam complaint about one of our messages, or a DMARC
failure report (RFC 6591) about our domain.

A complaint (``Feedback-Type: abuse`` and the like) names a person who does not want our mail:
the address is suppressed and every sequence stops. A DMARC failure report
(``Feedback-Type: auth-failure``) is about the sender's domain and authentication, never about a
lead: it is shown as a deliverability warning and no lead is touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import Message
from email.parser import HeaderParser

from leaddesk.mailbox.bounces import clean_address
from leaddesk.mailbox.parsing import header, message_ids


@dataclass(frozen=True)
class FeedbackReport:
    """What a feedback report says: its type, the complained-about recipient and message."""

    feedback_type: str  # "abuse", "fraud", "virus", "other", "not-spam", "auth-failure"…
    recipients: list[str] = field(default_factory=list)
    original_message_ids: list[str] = field(default_factory=list)
    detail: str = ""  # for auth-failure: the failing domain and what failed

    @property
    def is_complaint(self) -> bool:
        """A person's complaint (not a DMARC/authentication report, not "not spam")."""
        return self.feedback_type not in ("auth-failure", "not-spam")


def parse_feedback(message: Message) -> FeedbackReport | None:
    """The feedback report in ``message`` (multipart/report; report-type=feedback-report)."""
    if message.get_content_type() != "multipart/report":
        return None
    if str(message.get_param("report-type", "")).lower() != "feedback-report":
        return None
    kind, recipients, originals, detail = "", [], [], ""
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type == "message/feedback-report":
            fields = _fields(part)
            kind = fields.get("feedback-type", "").strip().lower()
            recipients += [
                clean_address(v) for k, v in fields.items() if k == "original-rcpt-to" and "@" in v
            ]
            detail = "; ".join(
                f"{k}: {fields[k]}"
                for k in ("reported-domain", "auth-failure", "source-ip", "delivery-result")
                if fields.get(k)
            )
        elif content_type in ("message/rfc822", "text/rfc822-headers"):
            headers = _inner_headers(part)
            if headers is not None:
                originals += message_ids(header(headers, "Message-ID"))
                recipients += [
                    clean_address(a) for a in header(headers, "To").split(",") if "@" in a
                ]
    if not kind:
        return None
    return FeedbackReport(kind, list(dict.fromkeys(recipients)), originals, detail[:300])


def _fields(part: Message) -> dict[str, str]:
    payload = part.get_payload()
    if isinstance(payload, list):  # parsed as a message of header blocks
        found: dict[str, str] = {}
        for block in payload:
            if isinstance(block, Message):
                found.update({k.lower(): str(v) for k, v in block.items()})
        return found
    raw = part.get_payload(decode=True)
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(payload or "")
    return {k.lower(): str(v) for k, v in HeaderParser().parsestr(text).items()}


def _inner_headers(part: Message) -> Message | None:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        return payload[0]
    raw = part.get_payload(decode=True)
    if isinstance(raw, bytes):
        return HeaderParser().parsestr(raw.decode("utf-8", "replace"))
    return None
