"""Sender accounts: provider presets with their published limits, validation, add/edit/remove.

Passwords are not here: :mod:`leaddesk.mail.secrets` keeps them in the OS keyring.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leaddesk.db.models import OutboundMessage, OutboxState, SenderAccount, TeamMember
from leaddesk.leads.emails import check_email
from leaddesk.mail import secrets
from leaddesk.mail.ids import domain_of

SMTP_KIND = "smtp"
SECURITY_CHOICES = ("ssl", "starttls", "none")
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
DOMAIN_DAILY_LIMIT = 5000
DOMAIN_WARNING_SHARE = 0.8


@dataclass(frozen=True)
class ProviderPreset:
    """A mail provider's SMTP server and its published sending limits."""

    key: str
    label: str
    smtp_host: str
    smtp_port: int
    smtp_security: str
    per_minute: int | None
    per_hour: int | None
    per_day: int | None
    note: str = ""


PRESETS: dict[str, ProviderPreset] = {
    preset.key: preset
    for preset in (
        ProviderPreset(
            "gmail", "Gmail", "smtp.gmail.com", 587, "starttls", None, None, 500,
            "Personal Gmail allows about 500 recipients a day; use an app password.",
        ),
        ProviderPreset(
            "workspace", "Google Workspace", "smtp.gmail.com", 587, "starttls", None, None, 2000,
            "Google Workspace allows 2,000 messages a day per user.",
        ),
        ProviderPreset(
            "microsoft365", "Microsoft 365", "smtp.office365.com", 587, "starttls", 30, None,
            10000, "Microsoft 365 allows 30 messages a minute and 10,000 recipients a day.",
        ),
        ProviderPreset("custom", "Other (custom SMTP server)", "", 587, "starttls", None, None,
                       None),
    )
}  # fmt: skip

EDITABLE_FIELDS = (
    "name",
    "from_address",
    "display_name",
    "reply_to",
    "provider",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_username",
    "per_minute",
    "per_hour",
    "per_day",
    "unsubscribe_mailto",
    "unsubscribe_url",
    "member_id",  # the member whose copy sends from it (None: the team's)
)


class AccountError(ValueError):
    """An account setting the user has to correct (the message says which and why)."""


def apply_preset(values: dict[str, Any], provider: str) -> dict[str, Any]:
    """``values`` with the provider's server and limits filled in where the user left them out."""
    try:
        preset = PRESETS[provider]
    except KeyError:
        raise AccountError(f"unknown provider {provider!r}; choose {', '.join(PRESETS)}") from None
    merged = dict(values)
    merged["provider"] = provider
    defaults = {
        "smtp_host": preset.smtp_host,
        "smtp_port": preset.smtp_port,
        "smtp_security": preset.smtp_security,
        "per_minute": preset.per_minute,
        "per_hour": preset.per_hour,
        "per_day": preset.per_day,
    }
    for key, value in defaults.items():
        if merged.get(key) in (None, ""):
            merged[key] = value
    return merged


def validate_account(values: dict[str, Any]) -> None:
    """Raise :class:`AccountError` when the settings cannot work (or would be unsafe)."""
    if not str(values.get("name", "")).strip():
        raise AccountError("give the account a name")
    problem = check_email(str(values.get("from_address", "")))
    if problem:
        raise AccountError(f"the From address is not valid: {problem}")
    for key in ("reply_to", "unsubscribe_mailto"):
        if values.get(key) and (problem := check_email(str(values[key]))):
            raise AccountError(f"the {key.replace('_', '-')} address is not valid: {problem}")
    url = str(values.get("unsubscribe_url") or "")
    if url and not url.startswith("https://"):
        raise AccountError("the unsubscribe URL must start with https://")
    host = str(values.get("smtp_host", "")).strip()
    if not host:
        raise AccountError("enter the SMTP server name (for example smtp.example.com)")
    if any(ch in host for ch in " /\r\n"):
        raise AccountError(f"{host!r} is not a server name")
    port = values.get("smtp_port")
    if not isinstance(port, int) or not 0 < port < 65536:
        raise AccountError("the SMTP port must be a number between 1 and 65535")
    security = values.get("smtp_security")
    if security not in SECURITY_CHOICES:
        raise AccountError(f"security must be one of {', '.join(SECURITY_CHOICES)}")
    if security == "none" and host.lower() not in LOCAL_HOSTS:
        raise AccountError(
            "unencrypted SMTP is only allowed to this computer (localhost); use SSL or STARTTLS"
        )
    for key in ("per_minute", "per_hour", "per_day"):
        cap = values.get(key)
        if cap is not None and (not isinstance(cap, int) or cap < 1):
            raise AccountError(f"{key.replace('_', ' ')} must be a positive whole number or empty")
    for key in ("name", "display_name", "smtp_username"):
        if any(ch in str(values.get(key, "")) for ch in "\r\n"):
            raise AccountError(f"the {key.replace('_', ' ')} cannot contain line breaks")


def account_values(account: SenderAccount) -> dict[str, Any]:
    """The editable settings of an account as plain data (what screens and the CLI show)."""
    data = {key: getattr(account, key) for key in EDITABLE_FIELDS}
    data["id"] = account.id
    data["paused_until"] = account.paused_until
    data["pause_reason"] = account.pause_reason
    return data


def add_account(
    session: Session, values: dict[str, Any], *, password: str | None = None
) -> tuple[SenderAccount, secrets.Storage | None]:
    """Create an account from ``values`` (preset applied, validated) and store its password."""
    merged = apply_preset(values, str(values.get("provider") or "custom"))
    if merged.get("smtp_username") is None:  # not given: most servers log in as the From address
        merged["smtp_username"] = merged.get("from_address", "")
    # given as "": a relay that needs no login (a company relay, a local MTA)
    validate_account(merged)
    check_owner(session, merged.get("member_id"))
    if session.scalar(select(SenderAccount.id).where(SenderAccount.name == merged["name"])):
        raise AccountError(f"an account named {merged['name']!r} already exists")
    account = SenderAccount(**{k: merged[k] for k in EDITABLE_FIELDS if k in merged})
    session.add(account)
    session.flush()
    storage = None
    if password is not None:
        storage = secrets.set_password(SMTP_KIND, account.id, account.smtp_username, password)
    return account, storage


def edit_account(
    session: Session, account: SenderAccount, changes: dict[str, Any], *, password: str | None
) -> secrets.Storage | None:
    """Change an account's settings (and password); a fixed account is un-paused."""
    values = account_values(account)
    old_username = account.smtp_username
    values.update({k: v for k, v in changes.items() if k in EDITABLE_FIELDS})
    validate_account(values)
    if values["member_id"] != account.member_id:
        check_owner(session, values["member_id"])
    for key in EDITABLE_FIELDS:
        setattr(account, key, values[key])
    account.paused_until = None
    account.pause_reason = ""
    session.flush()
    if password is None and old_username != account.smtp_username:
        password = secrets.get_password(SMTP_KIND, account.id, old_username)
    if old_username != account.smtp_username:
        secrets.delete_password(SMTP_KIND, account.id, old_username)
    if password is not None:
        return secrets.set_password(SMTP_KIND, account.id, account.smtp_username, password)
    return None


def check_owner(session: Session, member_id: int | None) -> None:
    """Refuse an owner who is not an active team member (None, the team, is always fine)."""
    if member_id is None:
        return
    member = session.get(TeamMember, member_id)
    if member is None:
        raise AccountError(f"team member #{member_id} does not exist (see `leaddesk team list`)")
    if not member.active:
        raise AccountError(f"{member.name} is inactive: choose an active member or the team")


def remove_account(session: Session, account: SenderAccount) -> None:
    """Delete an account and its stored password (its planned messages keep no sender)."""
    secrets.delete_password(SMTP_KIND, account.id, account.smtp_username)
    session.delete(account)
    session.flush()


def find_account(session: Session, name_or_id: str) -> SenderAccount | None:
    """An account by its id or its name."""
    if name_or_id.isdigit():
        found = session.get(SenderAccount, int(name_or_id))
        if found is not None:
            return found
    return session.scalar(select(SenderAccount).where(SenderAccount.name == name_or_id))


def account_password(account: SenderAccount) -> str | None:
    """The account's SMTP password from the keyring or this session (``None``: ask the user)."""
    return secrets.get_password(SMTP_KIND, account.id, account.smtp_username)


def domain_volume_warnings(session: Session, now: datetime) -> list[str]:
    """Warnings for sender domains whose daily volume approaches the 5,000/day bulk-sender line.

    Counts what each domain sent in the last 24 hours and what its accounts' daily caps allow.
    """
    since = now - timedelta(days=1)
    accounts = list(session.scalars(select(SenderAccount)))
    sent_by_account = dict(
        session.execute(
            select(OutboundMessage.account_id, func.count(OutboundMessage.id))
            .where(OutboundMessage.state.in_((OutboxState.SENT, OutboxState.UNKNOWN)))
            .where(OutboundMessage.claimed_at >= since)
            .group_by(OutboundMessage.account_id)
        ).all()
    )
    sent: dict[str, int] = {}
    caps: dict[str, int] = {}
    for account in accounts:
        domain = domain_of(account.from_address)
        sent[domain] = sent.get(domain, 0) + int(sent_by_account.get(account.id, 0))
        caps[domain] = caps.get(domain, 0) + (account.per_day or 0)
    warnings = []
    threshold = int(DOMAIN_DAILY_LIMIT * DOMAIN_WARNING_SHARE)
    for domain in sorted(sent):
        if sent[domain] >= threshold:
            warnings.append(
                f"{domain} sent {sent[domain]:,} emails in the last 24 hours; at 5,000 a day "
                "Gmail and Yahoo apply bulk-sender rules (SPF, DKIM, DMARC, one-click unsubscribe)."
            )
        elif caps[domain] >= threshold:
            warnings.append(
                f"The daily caps of {domain}'s accounts add up to {caps[domain]:,}; near 5,000 a "
                "day Gmail and Yahoo apply bulk-sender rules (SPF, DKIM, DMARC, one-click "
                "unsubscribe)."
            )
    return warnings
