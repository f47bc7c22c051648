"""Adding a lead by hand and editing a lead's profile, with validation.

Every change goes through the event door (``profile_updated``, ``status_changed``,
``owner_changed``), so the timeline shows it and the scoring reacts to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.activities import ActivityEvent, ActivityKind, record_activity
from leaddesk.db.models import Activity, Lead, LeadTag, LifecycleStatus, TeamMember
from leaddesk.errors import EditConflict
from leaddesk.leads.emails import check_email, email_key
from leaddesk.leads.suppression import is_suppressed

TEXT_FIELDS = (
    "first_name",
    "last_name",
    "company",
    "title",
    "phone",
    "industry",
    "company_size",
    "country",
    "city",
    "timezone",
    "source",
    "state",
    "website",
)
EDITABLE_FIELDS = (*TEXT_FIELDS, "email", "status", "owner_id", "custom_fields")


class ProfileError(ValueError):
    """A value the profile cannot take; ``field`` names the input to highlight."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class DuplicateEmailError(ProfileError):
    """The address already belongs to another lead (``other_lead_id`` links to it)."""

    def __init__(self, address: str, other_lead_id: int) -> None:
        super().__init__("email", f"{address} already belongs to lead #{other_lead_id}")
        self.other_lead_id = other_lead_id


@dataclass(frozen=True)
class ProfileChange:
    """What an edit changed: field → (old value, new value)."""

    lead_id: int
    changes: dict[str, tuple[Any, Any]]


def validate_email_for(session: Session, address: str, *, lead_id: int | None) -> str:
    """The trimmed address, or raise: bad syntax, taken by another lead, or suppressed."""
    reason = check_email(address)
    if reason is not None:
        raise ProfileError("email", reason)
    key = email_key(address)
    other = session.scalar(select(Lead.id).where(Lead.email_key == key))
    if other is not None and other != lead_id:
        raise DuplicateEmailError(address.strip(), other)
    if other is None and is_suppressed(session, key):
        raise ProfileError("email", f"{address.strip()} is on the suppression list")
    return address.strip()


def _clean(session: Session, changes: dict[str, Any], lead_id: int | None) -> dict[str, Any]:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ProfileError(sorted(unknown)[0], f"unknown field(s): {', '.join(sorted(unknown))}")
    cleaned: dict[str, Any] = {}
    for field, value in changes.items():
        if field in TEXT_FIELDS:
            cleaned[field] = str(value or "").strip()
        elif field == "email":
            cleaned[field] = validate_email_for(session, str(value or ""), lead_id=lead_id)
        elif field == "status":
            if value not in set(LifecycleStatus):
                raise ProfileError("status", f"unknown status {value!r}")
            cleaned[field] = str(value)
        elif field == "owner_id":
            if value is not None and session.get(TeamMember, int(value)) is None:
                raise ProfileError("owner_id", f"there is no team member #{value}")
            cleaned[field] = None if value is None else int(value)
        elif field == "custom_fields":
            cleaned[field] = {str(k): str(v) for k, v in dict(value or {}).items()}
    zone = cleaned.get("timezone")
    if zone:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ProfileError("timezone", f"unknown time zone {zone!r}") from None
    return cleaned


def add_lead(
    session: Session,
    fields: dict[str, Any],
    *,
    now: datetime,
    tags: list[str] | None = None,
) -> int:
    """Create a lead typed in by hand; returns its id. Raises :class:`ProfileError`."""
    if not str(fields.get("email") or "").strip():
        raise ProfileError("email", "the email address is empty")
    cleaned = _clean(session, fields, None)
    lead = Lead(
        **{k: v for k, v in cleaned.items()},
        email_key=email_key(cleaned["email"]),
        created_at=now,
        updated_at=now,
    )
    lead.tags = [LeadTag(tag=t) for t in sorted({t.strip() for t in tags or [] if t.strip()})]
    session.add(lead)
    session.flush()
    record_activity(
        session,
        ActivityEvent(lead.id, ActivityKind.CREATED, occurred_at=now, origin="user"),
        now=now,
    )
    return lead.id


_EDIT_KINDS = (
    ActivityKind.PROFILE_UPDATED,
    ActivityKind.STATUS_CHANGED,
    ActivityKind.OWNER_CHANGED,
)


def _same(stored: Any, shown: Any) -> bool:
    if isinstance(shown, str) or shown is None:
        return str(stored or "") == str(shown or "")
    return bool(stored == shown)


def _check_unchanged(session: Session, lead: Lead, expected: dict[str, Any]) -> None:
    """Raise :class:`EditConflict` when a field differs from what the form was showing."""
    moved = [f for f, shown in expected.items() if not _same(getattr(lead, f, None), shown)]
    if not moved:
        return
    last = session.scalar(
        select(Activity)
        .where(Activity.lead_id == lead.id, Activity.kind.in_(_EDIT_KINDS))
        .order_by(Activity.occurred_at.desc(), Activity.id.desc())
        .limit(1)
    )
    by = str((last.payload or {}).get("by", "")) if last is not None else ""
    raise EditConflict(moved, by, last.occurred_at if last is not None else lead.updated_at)


def update_profile(
    session: Session,
    lead_id: int,
    changes: dict[str, Any],
    *,
    now: datetime,
    expected: dict[str, Any] | None = None,
    by: str = "",
) -> ProfileChange:
    """Save edits to a lead's profile and record them; fields left equal are ignored.

    ``expected`` (the values the form was showing) makes the save a compare-and-set: if any of
    them changed meanwhile (another window, another laptop), :class:`EditConflict` says by whom
    and when and nothing is saved; leave it out to overwrite. ``by`` names the editor in the
    timeline.
    """
    # With ``expected``, the row is locked (PostgreSQL) so the check and the save are one step.
    lead = session.get(Lead, lead_id, with_for_update=bool(expected))
    if lead is None:
        raise LookupError(f"lead {lead_id} does not exist")
    if expected:
        _check_unchanged(session, lead, expected)
    if "email" in changes and str(changes["email"] or "").strip() == lead.email:
        changes = {k: v for k, v in changes.items() if k != "email"}  # unchanged: not re-checked
    cleaned = _clean(session, changes, lead_id)
    if "owner_id" in cleaned and cleaned["owner_id"] != lead.owner_id:
        from leaddesk.handoff.service import owner_change_problem  # hand-off reads the inbox

        problem = owner_change_problem(session, [lead_id], cleaned["owner_id"])
        if problem is not None:
            raise ProfileError("owner_id", problem)
    changed: dict[str, tuple[Any, Any]] = {}
    for field, value in cleaned.items():
        old = getattr(lead, field)
        if old != value:
            changed[field] = (old, value)
            setattr(lead, field, value)
    if "email" in changed:
        lead.email_key = email_key(lead.email)
    if not changed:
        return ProfileChange(lead_id, {})
    lead.updated_at = now
    session.flush()
    _record_changes(session, lead_id, changed, now, by)
    return ProfileChange(lead_id, changed)


def _record_changes(
    session: Session, lead_id: int, changed: dict[str, tuple[Any, Any]], now: datetime, by: str
) -> None:
    signed: dict[str, Any] = {"by": by} if by else {}
    if "status" in changed:
        old, new = changed["status"]
        payload = {"from": old, "to": new, **signed}
        record_activity(
            session, ActivityEvent(lead_id, ActivityKind.STATUS_CHANGED, now, payload), now=now
        )
    if "owner_id" in changed:
        old, new = changed["owner_id"]
        payload = {"from": old, "to": new, "to_name": owner_name(session, new), **signed}
        record_activity(
            session, ActivityEvent(lead_id, ActivityKind.OWNER_CHANGED, now, payload), now=now
        )
    profile = {
        k: {"from": o, "to": n} for k, (o, n) in changed.items() if k not in ("status", "owner_id")
    }
    if profile:
        record_activity(
            session,
            ActivityEvent(
                lead_id, ActivityKind.PROFILE_UPDATED, now, {"fields": profile, **signed}
            ),
            now=now,
        )


def owner_name(session: Session, owner_id: int | None) -> str:
    """The team member's name, or ``""`` for no owner."""
    if owner_id is None:
        return ""
    member = session.get(TeamMember, owner_id)
    return member.name if member else ""
