"""Turning an outbox row into a MIME message with the standard ``email`` package.

``multipart/alternative`` with the text part first and the HTML part second, ``Date``, the
Message-ID fixed when the message was planned, ``List-Unsubscribe`` (mailto with the token, plus
an HTTPS URL and One-Click when the account has one). Header values are stripped of CR/LF and
other control characters so lead data can never add or split a header.
"""

from __future__ import annotations

import html
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from email._policybase import Compat32
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

from leaddesk.leads.fast_check import email_problem
from leaddesk.mail.ids import domain_of

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]+")


class _WirePolicy(Compat32):
    """compat32 generation (three times faster than EmailPolicy) with CRLF line ends.

    ASCII values are folded at spaces only and never before their first word (compat32 would
    start a long first word on a continuation line, which parsers read as a leading space).
    """

    def _fold(self, name: str, value: Any, sanitize: bool) -> str:
        if not isinstance(value, str) or not value.isascii():
            return str(super()._fold(name, value, sanitize))  # type: ignore[misc]
        words = value.split(" ")
        lines = [f"{name}: {words[0]}"]
        for word in words[1:]:
            if len(lines[-1]) + 1 + len(word) > 78:
                lines.append(f" {word}")
            else:
                lines[-1] += f" {word}"
        return self.linesep.join(lines) + self.linesep


_WIRE_POLICY = _WirePolicy(linesep="\r\n")


def _address_header(name: str, address: str) -> str:
    """``Name <address>``; a non-ASCII name becomes one RFC 2047 word (names are kept short)."""
    display = clean_header(name)[:MAX_DISPLAY_NAME]
    return formataddr((display, address), charset="utf-8")


def _text_header(value: str) -> str | Header:
    text = clean_header(value)
    return Header(text, "utf-8") if not text.isascii() else text


_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP


def _normal_lines(content: str) -> str:
    body = content.replace("\r\n", "\n").replace("\r", "\n")
    return body if body.endswith("\n") else body + "\n"


MAX_DISPLAY_NAME = 40


class CompositionError(ValueError):
    """The message cannot be built (bad address, nothing to send); the reason says why."""


@dataclass(frozen=True)
class Sender:
    """What composition needs to know about the sending account."""

    from_address: str
    display_name: str = ""
    reply_to: str = ""
    unsubscribe_mailto: str = ""
    unsubscribe_url: str = ""


class Outgoing:
    """One message ready for the SMTP envelope: sender, the one recipient, the bytes.

    The bytes are generated on first use of :attr:`data`; the SMTP session asks for them
    right after sending MAIL FROM, so they are generated while the server checks the sender.
    """

    __slots__ = ("_data", "_message", "envelope_from", "recipient")

    def __init__(self, envelope_from: str, recipient: str, message: Message | bytes) -> None:
        self.envelope_from = envelope_from
        self.recipient = recipient
        self._message = message if isinstance(message, Message) else None
        self._data = message if isinstance(message, bytes) else None

    @property
    def data(self) -> bytes:
        """The message as sent: CRLF line ends, 7-bit (quoted-printable bodies)."""
        if self._data is None:
            assert self._message is not None
            self._data = self._message.as_bytes(policy=_WIRE_POLICY)
            self._message = None
        return self._data


def clean_header(value: str) -> str:
    """A header value on one line: control characters (CR, LF, TAB…) become single spaces."""
    return " ".join(_CONTROL.sub(" ", value or "").split())


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "p", "div", "li", "tr", "h1", "h2", "h3"):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def text_from_html(source: str) -> str:
    """A readable plain-text version of an HTML body (tags dropped, paragraphs kept)."""
    extractor = _TextExtractor()
    extractor.feed(source)
    text = "".join(extractor.parts)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def html_from_text(text: str) -> str:
    """A simple HTML version of a plain-text body (paragraphs, escaped)."""
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    body = "\n".join(
        "<p>" + "<br>\n".join(html.escape(line) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )
    head = '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body>\n'
    return f"{head}{body}\n</body></html>\n"


def list_unsubscribe(sender: Sender, token: str) -> tuple[str, bool]:
    """The ``List-Unsubscribe`` value, and whether One-Click (RFC 8058) applies."""
    mailbox = sender.unsubscribe_mailto or sender.from_address
    parts = [f"<mailto:{mailbox}?subject={quote('unsubscribe ' + token)}>"]
    one_click = False
    if sender.unsubscribe_url:
        separator = "&" if "?" in sender.unsubscribe_url else "?"
        parts.append(f"<{sender.unsubscribe_url}{separator}token={quote(token)}>")
        one_click = sender.unsubscribe_url.startswith("https://")
    return ", ".join(parts), one_click


def compose(
    sender: Sender,
    *,
    to_address: str,
    to_name: str,
    rendered: dict[str, str],
    subject: str,
    message_id: str,
    unsubscribe_token: str,
    now: datetime,
    alert: bool = False,
) -> Outgoing:
    """Build the message for one outbox row (raises :class:`CompositionError` when it cannot).

    ``alert``: an internal alert to a team member — no list or unsubscribe headers (it is not
    marketing), marked ``Auto-Submitted: auto-generated`` (RFC 3834) so that vacation
    responders stay quiet.
    """
    recipient = to_address.strip()
    if _CONTROL.search(recipient) or email_problem(recipient):
        raise CompositionError(f"the recipient address {to_address!r} is not valid")
    text = rendered.get("text") or ""
    markup = rendered.get("html") or ""
    if not text.strip() and not markup.strip():
        raise CompositionError("the message has no content")
    if not text.strip():
        text = text_from_html(markup)
    if not markup.strip():
        markup = html_from_text(text)
    # Our own boundary: the generator would otherwise compile a regex per message to check
    # that its random one does not occur in the text; "=_" cannot occur in quoted-printable.
    boundary = f"=_LeadDesk_{secrets.token_hex(12)}"
    message = MIMEMultipart("alternative", boundary=boundary, policy=_WIRE_POLICY)
    message["From"] = _address_header(sender.display_name, sender.from_address)
    message["To"] = _address_header(to_name, recipient)
    message["Subject"] = _text_header(rendered.get("subject") or subject)  # type: ignore[assignment]
    message["Date"] = format_datetime(now)
    message["Message-ID"] = clean_header(message_id)
    if sender.reply_to:
        message["Reply-To"] = clean_header(sender.reply_to)
    if alert:
        message["Auto-Submitted"] = "auto-generated"
        message["X-Auto-Response-Suppress"] = "All"
    else:
        # List-Unsubscribe without List-Id reads as a half-built bulk mail to spam filters.
        message["List-Id"] = f"<leaddesk.{domain_of(sender.from_address)}>"
        value, one_click = list_unsubscribe(sender, unsubscribe_token)
        message["List-Unsubscribe"] = value
        if one_click:
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    for subtype, content in (("plain", text), ("html", markup)):
        part = MIMEText(_normal_lines(content), subtype, _UTF8_QP, policy=_WIRE_POLICY)  # type: ignore[arg-type]
        del part["MIME-Version"]
        message.attach(part)
    return Outgoing(sender.from_address, recipient, message)
