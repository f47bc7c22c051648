"""Mailing-list software answering for a lead whose address is a list (Mailman, Google Groups,
Sympa, LISTSERV, Majordomo).

Two kinds of notice come back, never from a person:

- **Refused**: only members may post, or the moderator rejected the post. The list will never
  take LeadDesk's email, so it is read as a bounce of the list's address (which is suppressed).
- **Held**: the post awaits moderator approval. Nothing is known yet; it is not a reply.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message

from leaddesk.mailbox.parsing import addresses, body_text, header, message_ids

_ADMIN_SENDER = re.compile(
    r"^(?:[^@]+-(?:owner|request|bounces)|owner-[^@]+|mailman|listserv|sympa|majordomo)@",
    re.I,
)
_ADMIN_HEADERS = ("X-Mailman-Version", "X-List-Administrivia", "X-Google-Group-Id")
_REFUSED = re.compile(
    r"not allowed to post|you are not a member|not a member of|permission to post|"
    r"only (?:members|subscribers) (?:can|may) (?:post|send)|non-?member (?:post|submission)|"
    r"post(?:ing)? (?:was |has been )?(?:rejected|refused|denied)|auto-discard notification|"
    r"(?:message|post) (?:to [^\n]{1,80} )?(?:was|has been) (?:rejected|discarded|denied)|"
    r"rejected by the (?:list )?moderator|not authori[sz]ed to (?:send|post)|"
    r"authori[sz]ation denied",
    re.I,
)
_HELD = re.compile(
    r"awaits? moderator approval|held for (?:moderation|approval)|"
    r"being held until the list moderator|pending (?:moderation|moderator approval)|"
    r"requires? (?:the )?(?:moderator'?s? )?approval",
    re.I,
)
_MAILTO = re.compile(r"<mailto:([^>?]+)")
REFUSED_DIAGNOSTIC = (
    "the mailing list takes posts from its members only (or its moderator refused the post): "
    "this address cannot receive LeadDesk email"
)


@dataclass(frozen=True)
class ListNotice:
    """What a list's software said: refused or held, for which list address."""

    refused: bool
    held: bool
    list_addresses: list[str] = field(default_factory=list)
    original_message_ids: list[str] = field(default_factory=list)
    line: str = ""


def is_list_admin(message: Message) -> bool:
    """Header-only: does this come from mailing-list software (not a person)?"""
    senders = addresses(message, "From", "Sender", "Return-Path")
    if any(_ADMIN_SENDER.match(s) for s in senders):
        return True
    return any(header(message, name) for name in _ADMIN_HEADERS) and bool(
        header(message, "Auto-Submitted") or header(message, "Precedence")
    )


def list_notice(message: Message) -> ListNotice | None:
    """The notice in ``message`` when mailing-list software refused or held our post."""
    if not is_list_admin(message):
        return None
    text = f"{header(message, 'Subject')}\n{body_text(message)}"
    refused = bool(_REFUSED.search(text))
    held = not refused and bool(_HELD.search(text))
    if not (refused or held):
        return None
    candidates = [m.strip().lower() for m in _MAILTO.findall(header(message, "List-Post"))]
    for sender in addresses(message, "From", "Sender"):
        local, _, domain = sender.partition("@")
        for suffix in ("-owner", "-request", "-bounces"):
            if local.endswith(suffix):
                candidates.append(f"{local[: -len(suffix)]}@{domain}")
        if local.startswith("owner-"):
            candidates.append(f"{local[len('owner-') :]}@{domain}")
    returned = list(_returned_posts(message))
    # The returned post's own headers (Mailman and Sympa attach it) name the list too.
    for post in returned:
        candidates.extend(addresses(post, "To", "Cc"))
    match = (_REFUSED if refused else _HELD).search(text)
    line = ""
    if match is not None:
        start = text.rfind("\n", 0, match.start()) + 1
        end = text.find("\n", match.end())
        line = text[start : end if end != -1 else None].strip()[:300]
    ids = message_ids(header(message, "In-Reply-To") + header(message, "References"))
    for post in returned:
        ids += message_ids(header(post, "Message-ID"))
    # No address named: one unnamed recipient, matched by the returned post's Message-ID.
    found = list(dict.fromkeys(c.lower() for c in candidates)) or [""]
    return ListNotice(refused, held, found, ids, line)


def _returned_posts(message: Message) -> Iterator[Message]:
    """The copies of our post a notice carries (attached, or only its headers)."""
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                yield payload[0]
        elif kind == "text/rfc822-headers":
            raw = part.get_payload(decode=True)
            if isinstance(raw, bytes):
                yield message_from_bytes(raw)
