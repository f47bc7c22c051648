"""``record_activity``: append to the log, keep the lead's derived fields fresh, react.

Every feature that wants to say "this happened to a lead" calls :func:`record_activity`.
Reactions that follow an event (re-scoring, leaving a sequence, hand-off) are wired in
:func:`_react`, so there is exactly one place that decides what an event sets in motion.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from leaddesk.clock import utcnow
from leaddesk.db.models import Activity, Lead


@dataclass(frozen=True)
class ActivityEvent:
    """What happened, to whom and when — the input of the event door."""

    lead_id: int
    kind: str
    occurred_at: datetime | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    origin: str = "user"
    import_batch_id: int | None = None


def record_activity(
    session: Session, event: ActivityEvent, *, now: datetime | None = None, react: bool = True
) -> Activity:
    """Append ``event`` to the activity log and fire what follows from it.

    ``react=False`` only appends (bulk paths such as an import re-score once at the end).
    """
    moment = now or utcnow()
    activity = Activity(
        lead_id=event.lead_id,
        kind=str(event.kind),
        occurred_at=event.occurred_at or moment,
        recorded_at=moment,
        origin=event.origin,
        payload=dict(event.payload),
        import_batch_id=event.import_batch_id,
    )
    session.add(activity)
    lead = session.get(Lead, event.lead_id)
    if lead is None:
        raise LookupError(f"lead {event.lead_id} does not exist")
    if lead.last_activity_at is None or activity.occurred_at > lead.last_activity_at:
        lead.last_activity_at = activity.occurred_at
    session.flush()
    if react:
        _react(session, lead, activity, moment)
    return activity


def _react(session: Session, lead: Lead, activity: Activity, now: datetime) -> None:
    """Everything an event sets in motion. Later capabilities add their reactions here."""
    from leaddesk.sequences.reactions import react_to_activity  # sequences import the door

    react_to_activity(session, lead, activity, now)


def leads_changed(session: Session, lead_ids: list[int], now: datetime) -> None:
    """Bring derived fields up to date after a bulk change (an import, a bulk edit).

    Bulk paths record activities with ``react=False`` and call this once at the end.
    Later capabilities (scoring, auto-enrolment) add their bulk reactions here.
    """
    from leaddesk.sequences.reactions import react_to_bulk_change  # sequences import the door

    react_to_bulk_change(session, lead_ids, now)
