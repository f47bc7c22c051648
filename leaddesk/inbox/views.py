"""Saved views: named inbox queries (search, filters, sort) stored in ``saved_views``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.db.models import SavedView
from leaddesk.inbox.query import InboxQuery


@dataclass(frozen=True)
class SavedViewInfo:
    """A saved view as the GUI lists it."""

    id: int
    name: str
    query: InboxQuery


def list_views(session: Session) -> list[SavedViewInfo]:
    """Every saved view, by name."""
    views = session.scalars(select(SavedView).order_by(SavedView.name))
    return [SavedViewInfo(v.id, v.name, InboxQuery.from_dict(v.query)) for v in views]


def save_view(session: Session, name: str, query: InboxQuery, *, now: datetime) -> int:
    """Save ``query`` under ``name`` (replacing a view of that name); returns its id."""
    cleaned = name.strip()
    if not cleaned:
        raise ValueError("a saved view needs a name")
    if len(cleaned) > 100:
        raise ValueError("a view name has at most 100 characters")
    query.validate()
    view = session.scalar(select(SavedView).where(SavedView.name == cleaned))
    if view is None:
        view = SavedView(name=cleaned, created_at=now)
        session.add(view)
    view.query = query.to_dict()
    view.updated_at = now
    session.flush()
    return view.id


def load_view(session: Session, name: str) -> InboxQuery:
    """The query saved under ``name``; LookupError when there is none."""
    view = session.scalar(select(SavedView).where(SavedView.name == name.strip()))
    if view is None:
        raise LookupError(f"there is no saved view named {name!r}")
    return InboxQuery.from_dict(view.query)


def delete_view(session: Session, view_id: int) -> bool:
    """Delete a saved view; False when it did not exist."""
    view = session.get(SavedView, view_id)
    if view is None:
        return False
    session.delete(view)
    session.flush()
    return True
