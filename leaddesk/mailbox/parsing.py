"""Reading a parsed email: headers, addresses, the fresh (unquoted) text and a snippet."""

from __future__ import annotations

import hashlib
import html
import re
from datetime import UTC, datetime
from email.message import EmailMessage, Message
from email.utils import getaddresses, parsedate_to_datetime

MESSAGE_ID_RE = re.compile(r"<[^<>\s]+>")
SNIPPET_CHARS = 240
_REPLY_PREFIX_RE = re.compile(r"^\s*((re|aw|sv|vs|antw|wg|fw|fwd)\s*(\[\d+\])?\s*:\s*)+", re.I)
# Where the quoted original starts in a reply (top-posting clients, many languages).
_QUOTE_START_RE = re.compile(
    r"^\s*(on .{3,200} wrote:|am .{3,200} schrieb .{0,100}:|le .{3,200} a écrit\s*:|"
    r"-{2,}\s*(original message|ursprüngliche nachricht|message d'origine)\s*-{2,}|"
    r"_{8,}|(from|von|de):\s.*@.*|(sent|gesendet|envoyé):\s.*)\s*$",
    re.I,
)


def header(message: Message, name: str) -> str:
    """A header's text ("" when missing or unreadable), whitespace collapsed."""
    try:
        value = message.get(name)
    except (ValueError, IndexError, TypeError):
        value = None
    if value is None and isinstance(message, EmailMessage):
        value = next((v for k, v in message.raw_items() if k.lower() == name.lower()), None)
    return " ".join(str(value).split()) if value is not None else ""


def addresses(message: Message, *names: str) -> list[str]:
    """Lower-cased email addresses found in the named headers."""
    values: list[str] = []
    for name in names:
        try:
            values.extend(str(v) for v in message.get_all(name) or [])
        except (ValueError, IndexError, TypeError):
            continue
    found = []
    for _, address in getaddresses(values):
        address = address.strip().lower()
        if "@" in address and address not in found:
            found.append(address)
    return found


def message_ids(text: str) -> list[str]:
    """Every ``<...>`` Message-ID in ``text``, in order."""
    return MESSAGE_ID_RE.findall(text or "")


def fingerprint(message_id: str, folder: str, uidvalidity: int, uid: int) -> str:
    """What identifies a message across syncs: its Message-ID, else where it was found."""
    value = message_id.strip()
    if not value:
        return f"uid:{folder}:{uidvalidity}:{uid}"
    if len(value) > 250:
        return "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()
    return value


def sent_date(message: Message) -> datetime | None:
    """The Date header as an aware UTC datetime (None when missing or unreadable)."""
    raw = header(message, "Date")
    if not raw:
        return None
    try:
        moment = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def clean_subject(subject: str) -> str:
    """The subject without Re:/AW:/Fwd: prefixes."""
    return _REPLY_PREFIX_RE.sub("", subject).strip()


def body_text(message: Message) -> str:
    """The message's readable text: the plain part, else the HTML part with tags removed."""
    if not isinstance(message, EmailMessage):
        return ""
    try:
        part = message.get_body(preferencelist=("plain", "html"))
        if part is None:
            return ""
        content = part.get_content()
    except (LookupError, KeyError, ValueError, AttributeError, UnicodeError):
        return ""
    if not isinstance(content, str):
        return ""
    if part.get_content_subtype() == "html":
        content = re.sub(r"(?is)<(script|style|blockquote).*?</\1>", " ", content)
        content = re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", content)
        content = html.unescape(re.sub(r"<[^>]+>", " ", content))
    return content


def fresh_text(text: str) -> str:
    """The part of a reply the sender wrote: quoted lines and the quoted original removed."""
    kept: list[str] = []
    for line in text.splitlines():
        if _QUOTE_START_RE.match(line):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    return "\n".join(kept).strip()


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    """A short one-line excerpt for the timeline."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
