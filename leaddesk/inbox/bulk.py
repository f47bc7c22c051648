"""Bulk actions on a selection of leads: owner, status, tags, delete.

Changes are set-based SQL; each changed lead gets its activity through the event door's bulk
entry (``append_activities``) and the door's ``leads_changed`` runs once at the end (re-scoring,
sequence exits and the like are wired there by their owners).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, insert, select, update
from sqlalchemy.orm import Session

from leaddesk.activities import ActivityEvent, ActivityKind, leads_changed
from leaddesk.activities.door import append_activities
from leaddesk.db.models import Lead, LeadTag, LifecycleStatus, TeamMember
from leaddesk.inbox.profile import owner_name

CHUNK = 500


def chunks(ids: Sequence[int], size: int = CHUNK) -> Iterator[list[int]]:
    """``ids`` in lists of at most ``size`` (for IN (...) lists)."""
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def assign_owner(
    session: Session, lead_ids: Sequence[int], owner_id: int | None, *, now: datetime
) -> int:
    """Give the leads to ``owner_id`` (None: unassign); returns how many changed owner."""
    if owner_id is not None and session.get(TeamMember, owner_id) is None:
        raise LookupError(f"there is no team member #{owner_id}")
    from leaddesk.handoff.service import owner_change_problem  # hand-off reads the inbox

    problem = owner_change_problem(session, list(lead_ids), owner_id)
    if problem is not None:
        raise ValueError(problem)
    name = owner_name(session, owner_id)
    changed: list[int] = []
    for chunk in chunks(lead_ids):
        current = session.execute(
            select(Lead.id, Lead.owner_id).where(
                Lead.id.in_(chunk), _differs(Lead.owner_id, owner_id)
            )
        ).all()
        if not current:
            continue
        session.execute(
            update(Lead)
            .where(Lead.id.in_([row.id for row in current]))
            .values(owner_id=owner_id, updated_at=now)
        )
        events = [
            _event(
                row.id,
                ActivityKind.OWNER_CHANGED,
                {"from": row.owner_id, "to": owner_id, "to_name": name},
                now,
            )
            for row in current
        ]
        append_activities(session, events, now=now)
        changed.extend(row.id for row in current)
    return _finish(session, changed, now)


def set_status(session: Session, lead_ids: Sequence[int], status: str, *, now: datetime) -> int:
    """Move the leads to lifecycle ``status``; returns how many changed."""
    if status not in set(LifecycleStatus):
        raise ValueError(f"unknown status {status!r}")
    changed: list[int] = []
    for chunk in chunks(lead_ids):
        current = session.execute(
            select(Lead.id, Lead.status).where(Lead.id.in_(chunk), Lead.status != status)
        ).all()
        if not current:
            continue
        session.execute(
            update(Lead)
            .where(Lead.id.in_([row.id for row in current]))
            .values(status=status, updated_at=now)
        )
        events = [
            _event(row.id, ActivityKind.STATUS_CHANGED, {"from": row.status, "to": status}, now)
            for row in current
        ]
        append_activities(session, events, now=now)
        changed.extend(row.id for row in current)
    return _finish(session, changed, now)


def add_tag(session: Session, lead_ids: Sequence[int], tag: str, *, now: datetime) -> int:
    """Tag the leads with ``tag``; returns how many did not have it yet."""
    tag = _tag(tag)
    changed: list[int] = []
    for chunk in chunks(lead_ids):
        have = set(
            session.scalars(
                select(LeadTag.lead_id).where(LeadTag.lead_id.in_(chunk), LeadTag.tag == tag)
            )
        )
        existing = set(session.scalars(select(Lead.id).where(Lead.id.in_(chunk))))
        missing = [i for i in chunk if i in existing and i not in have]
        if missing:
            session.execute(insert(LeadTag), [{"lead_id": i, "tag": tag} for i in missing])
            changed.extend(missing)
    return _finish(session, changed, now)


def remove_tag(session: Session, lead_ids: Sequence[int], tag: str, *, now: datetime) -> int:
    """Take ``tag`` off the leads; returns how many had it."""
    tag = _tag(tag)
    changed: list[int] = []
    for chunk in chunks(lead_ids):
        had = list(
            session.scalars(
                select(LeadTag.lead_id).where(LeadTag.lead_id.in_(chunk), LeadTag.tag == tag)
            )
        )
        if had:
            session.execute(delete(LeadTag).where(LeadTag.lead_id.in_(had), LeadTag.tag == tag))
            changed.extend(had)
    return _finish(session, changed, now)


def delete_leads(session: Session, lead_ids: Sequence[int]) -> int:
    """Delete the leads with their tags, activities, tasks, enrollments and planned emails.

    The address is NOT suppressed: a later import may bring the lead back (use *forget* to
    prevent that).
    """
    deleted = 0
    for chunk in chunks(lead_ids):
        result = session.execute(delete(Lead).where(Lead.id.in_(chunk)))
        deleted += int(result.rowcount or 0)  # type: ignore[attr-defined]
    session.expire_all()
    return deleted


def all_tags(session: Session) -> list[str]:
    """Every tag in use, sorted (for the tag filter and the bulk tag menu)."""
    return list(session.scalars(select(LeadTag.tag).distinct().order_by(LeadTag.tag)))


def reasons_in_use(session: Session) -> list[str]:
    """Every status reason leads have (lost, recycled, unresponsive…), for the reason filter."""
    return list(
        session.scalars(
            select(Lead.status_reason)
            .where(Lead.status_reason != "")
            .distinct()
            .order_by(Lead.status_reason)
        )
    )


def _differs(column: Any, value: int | None) -> ColumnElement[bool]:
    if value is None:
        return column.is_not(None)  # type: ignore[no-any-return]
    return (column.is_(None)) | (column != value)  # type: ignore[no-any-return]


def _tag(tag: str) -> str:
    cleaned = tag.strip()
    if not cleaned:
        raise ValueError("the tag is empty")
    if len(cleaned) > 100:
        raise ValueError("a tag has at most 100 characters")
    return cleaned


def _event(lead_id: int, kind: str, payload: dict[str, Any], now: datetime) -> ActivityEvent:
    return ActivityEvent(lead_id, kind, occurred_at=now, payload=payload, origin="user")


def _finish(session: Session, changed: list[int], now: datetime) -> int:
    session.flush()
    if changed:
        leads_changed(session, changed, now)
    return len(changed)
