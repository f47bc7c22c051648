"""``record_activity``: append to the log, keep the lead's derived fields fresh, react.

Every feature that wants to say "this happened to a lead" calls :func:`record_activity`.
Reactions that follow an event (re-scoring, leaving a sequence, hand-off) are wired in
:func:`_react`, so there is exactly one place that decides what an event sets in motion.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from leaddesk.activities.kinds import DERIVED_KINDS
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
    return record_activities(session, [event], now=now, react=react)[0]


def record_activities(
    session: Session,
    events: Sequence[ActivityEvent],
    *,
    now: datetime | None = None,
    react: bool = True,
) -> list[Activity]:
    """Record many events with one flush, then fire each one's reactions in order.

    The same door as :func:`record_activity`, for callers that produce events in bulk (score
    band crossings after a rule change, say): one INSERT batch instead of one per event.
    """
    moment = now or utcnow()
    activities = [
        Activity(
            lead_id=event.lead_id,
            kind=str(event.kind),
            occurred_at=event.occurred_at or moment,
            recorded_at=moment,
            origin=event.origin,
            payload=dict(event.payload),
            import_batch_id=event.import_batch_id,
        )
        for event in events
    ]
    leads = _load_leads(session, {activity.lead_id for activity in activities})
    for activity in activities:
        lead = leads[activity.lead_id]
        if activity.kind not in DERIVED_KINDS and (
            lead.last_activity_at is None or activity.occurred_at > lead.last_activity_at
        ):
            lead.last_activity_at = activity.occurred_at
    session.add_all(activities)
    session.flush()
    if react:
        for activity in activities:
            _react(session, leads[activity.lead_id], activity, moment)
    return activities


def _load_leads(session: Session, lead_ids: set[int]) -> dict[int, Lead]:
    found: dict[int, Lead] = {}
    missing = []
    for lead_id in lead_ids:
        lead = session.identity_map.get(identity_key(Lead, lead_id))
        if lead is None:
            missing.append(lead_id)
        else:
            found[lead_id] = lead  # type: ignore[assignment]
    for start in range(0, len(missing), 900):
        chunk = missing[start : start + 900]
        for lead in session.scalars(select(Lead).where(Lead.id.in_(chunk))):
            found[lead.id] = lead
    absent = lead_ids - found.keys()
    if absent:
        raise LookupError(f"lead {min(absent)} does not exist")
    return found


def _react(session: Session, lead: Lead, activity: Activity, now: datetime) -> None:
    """Everything an event sets in motion. Later capabilities add their reactions here."""
    from leaddesk.scoring.rescore import on_activity  # scoring records crossings via this door

    on_activity(session, lead, activity, now)


def leads_changed(session: Session, lead_ids: list[int], now: datetime) -> None:
    """Bring derived fields up to date after a bulk change (an import, a bulk edit).

    Bulk paths record activities with ``react=False`` and call this once at the end.
    Later capabilities (scoring, auto-enrolment) add their bulk reactions here.
    """
    from leaddesk.scoring.rescore import rescore_leads

    rescore_leads(session, lead_ids, now)
