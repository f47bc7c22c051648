"""Merge fields: what ``{{ first_name }}`` and friends mean for one lead, owner and sender."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from jinja2 import Undefined

from leaddesk.db.models import Lead, SenderAccount, TeamMember

LEAD_FIELDS = (
    "first_name",
    "last_name",
    "full_name",
    "email",
    "company",
    "title",
    "phone",
    "industry",
    "company_size",
    "country",
    "city",
    "state",
    "website",
    "source",
)
PEOPLE_FIELDS = ("owner_name", "owner_first_name", "owner_email", "sender_name", "sender_email")
FOOTER_FIELDS = ("unsubscribe_text", "postal_address")
BUILTIN_FIELDS = (*LEAD_FIELDS, *PEOPLE_FIELDS, *FOOTER_FIELDS, "custom")

FIELD_HELP = {
    "first_name": "Lead's first name",
    "last_name": "Lead's last name",
    "full_name": "Lead's full name (or email)",
    "email": "Lead's email address",
    "company": "Lead's company",
    "title": "Lead's job title",
    "source": "Where the lead came from (e.g. the tradeshow)",
    "owner_name": "The lead's owner on your team",
    "sender_name": "The name the email is sent from",
    "unsubscribe_text": "The unsubscribe instruction",
    "postal_address": "Your postal address",
}

UNSUBSCRIBE_TEXT = (
    "You are receiving this because we met or you asked us for information. "
    'To stop these emails, reply with the word "unsubscribe".'
)


class EmptyField(Undefined):
    """A known merge field with no value: prints nothing and lets ``default(...)`` apply."""

    __slots__ = ()


def field_slug(name: str) -> str:
    """A custom field's merge name: ``"Booth notes"`` → ``booth_notes``."""
    slug = re.sub(r"[^0-9a-zA-Z]+", "_", name.strip()).strip("_").lower()
    if not slug or slug[0].isdigit():
        slug = f"field_{slug}"
    return slug


@dataclass(frozen=True)
class People:
    """The people around one email: the lead's owner and the sending mailbox."""

    owner: TeamMember | None = None
    account: SenderAccount | None = None


def sender_name(people: People) -> str:
    """Who signs the email: the mailbox's display name, else the owner's name."""
    if people.account is not None and people.account.display_name:
        return people.account.display_name
    if people.owner is not None and people.owner.name:
        return people.owner.name
    if people.account is not None:
        return people.account.name
    return ""


def _value(value: Any, name: str) -> Any:
    text = "" if value is None else str(value).strip()
    return text if text else EmptyField(name=name)


def merge_context(lead: Lead, people: People, *, postal_address: str) -> dict[str, Any]:
    """Every merge field for ``lead``; empty fields are :class:`EmptyField` so fallbacks work."""
    context: dict[str, Any] = {}
    for name in LEAD_FIELDS:
        raw = lead.full_name if name == "full_name" else getattr(lead, name, "")
        context[name] = _value(raw, name)
    owner, account = people.owner, people.account
    owner_name = owner.name if owner else ""
    context["owner_name"] = _value(owner_name, "owner_name")
    context["owner_first_name"] = _value(owner_name.split(" ")[0], "owner_first_name")
    context["owner_email"] = _value(owner.email if owner else "", "owner_email")
    context["sender_name"] = _value(sender_name(people), "sender_name")
    context["sender_email"] = _value(account.from_address if account else "", "sender_email")
    context["unsubscribe_text"] = UNSUBSCRIBE_TEXT
    context["postal_address"] = _value(postal_address, "postal_address")
    custom: dict[str, Any] = {}
    for key, raw in (lead.custom_fields or {}).items():
        slug = field_slug(str(key))
        custom[slug] = _value(raw, slug)
        context.setdefault(slug, custom[slug])
    context["custom"] = custom
    return context


def raw_field_value(lead: Lead, name: str) -> str:
    """The plain value of merge field ``name`` for ``lead`` ("" when empty or unknown)."""
    if name == "full_name":
        return lead.full_name
    if name in LEAD_FIELDS:
        return str(getattr(lead, name, "") or "").strip()
    for key, raw in (lead.custom_fields or {}).items():
        if field_slug(str(key)) == name:
            return str(raw or "").strip()
    return ""


def known_fields(custom_names: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """Every merge field name a template may use (built-ins first, then custom fields)."""
    return [*BUILTIN_FIELDS, *sorted(field_slug(n) for n in custom_names)]
