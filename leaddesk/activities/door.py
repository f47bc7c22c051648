"""``record_activity``: append to the log, keep the lead's derived fields fresh, react.

Every feature that wants to say "this happened to a lead" calls :func:`record_activity`.
Reactions that follow an event (leaving a sequence, re-scoring, hand-off) are the ones the
capabilities register in :mod:`leaddesk.activities.reactions`, in its one fixed order; the door
itself imports none of them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from leaddesk.activities.kinds import DERIVED_KINDS
from leaddesk.activities.reactions import REACTION_MEMO
from leaddesk.activities.reactions import reactions as registered_reactions
from leaddesk.clock import utcnow
from leaddesk.db.bulk import BulkInsert
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
        opened = REACTION_MEMO not in session.info  # the outermost batch keeps the memo
        session.info.setdefault(REACTION_MEMO, {})
        try:
            for activity in activities:
                _react(session, leads[activity.lead_id], activity, moment)
        finally:
            if opened:
                session.info.pop(REACTION_MEMO, None)
    return activities


def record_activities_bulk(
    session: Session, events: Sequence[ActivityEvent], *, now: datetime | None = None
) -> int:
    """What ``record_activities(..., react=False)`` does, for many events at once.

    The rows are written with one Core insert instead of one ORM object each (an enrolment of
    a 20,000-lead list records 20,000 events), and each lead's ``last_activity_at`` is moved
    forward on the lead object itself, exactly as :func:`record_activities` does. No reactions.
    Returns the number of events recorded.
    """
    moment = now or utcnow()
    # Only events that move a lead's last activity need the lead (band changes do not).
    leads = _load_leads(
        session, {event.lead_id for event in events if str(event.kind) not in DERIVED_KINDS}
    )
    bulk = BulkInsert(session, cast(Table, Activity.__table__), _ACTIVITY_COLUMNS)
    stamp, as_json = bulk.converter("occurred_at"), bulk.converter("payload")
    recorded = bulk.value("recorded_at", moment)
    rows = []
    for event in events:
        occurred = event.occurred_at or moment
        lead = leads.get(event.lead_id)
        if lead is not None and (lead.last_activity_at is None or occurred > lead.last_activity_at):
            lead.last_activity_at = occurred
        rows.append(
            (event.lead_id, str(event.kind), stamp(occurred), recorded, event.origin,
             as_json(dict(event.payload)), event.import_batch_id)
        )  # fmt: skip
    session.flush()  # the leads first, as record_activities flushes them with the rows
    for start in range(0, len(rows), _BULK_CHUNK):
        bulk.execute(rows[start : start + _BULK_CHUNK])
    return len(rows)


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


def append_activities(
    session: Session, events: Iterable[ActivityEvent], *, now: datetime | None = None
) -> int:
    """The door's bulk-load entry: append many events with Core inserts and no reactions.

    For imports of tens of thousands of rows. Keeps each lead's ``last_activity_at`` fresh;
    the caller MUST call :func:`leads_changed` once afterwards so the reactions happen in bulk.
    Returns the number of activities appended.
    """
    moment = now or utcnow()
    bulk = BulkInsert(session, cast(Table, Activity.__table__), _ACTIVITY_COLUMNS)
    stamp = bulk.converter("occurred_at")
    as_json = bulk.converter("payload")
    recorded = bulk.value("recorded_at", moment)
    # Events often share one payload object: convert it once. The entry keeps the object
    # alive, so its id cannot be reused by another payload while this runs.
    shared: dict[int, tuple[Any, Any]] = {}
    latest: dict[datetime, list[int]] = {}
    stamps: dict[datetime, Any] = {}
    rows: list[tuple[Any, ...]] = []
    appended = 0
    for event in events:
        appended += 1
        occurred = event.occurred_at or moment
        if occurred not in stamps:
            stamps[occurred] = stamp(occurred)
        entry = shared.get(id(event.payload))
        if entry is None:
            entry = shared[id(event.payload)] = (event.payload, as_json(dict(event.payload)))
        payload = entry[1]
        rows.append(
            (
                event.lead_id,
                str(event.kind),
                stamps[occurred],
                recorded,
                event.origin,
                payload,
                event.import_batch_id,
            )
        )
        if str(event.kind) not in DERIVED_KINDS:
            latest.setdefault(occurred, []).append(event.lead_id)
        if len(rows) >= _BULK_CHUNK:
            bulk.execute(rows)
            rows = []
    bulk.execute(rows)
    _touch_leads(session, latest)
    return appended


def append_activity_for_leads(
    session: Session,
    lead_ids: Sequence[int],
    kind: str,
    *,
    payload: Mapping[str, Any],
    origin: str,
    import_batch_id: int | None = None,
    occurred_at: datetime | None = None,
    now: datetime | None = None,
) -> int:
    """The bulk entry for one event that happened to many leads at once (an import's "imported").

    Appends exactly the rows :func:`append_activities` appends for one ``ActivityEvent`` per
    lead (same payload, origin, batch, moment), and keeps ``last_activity_at`` fresh the same
    way, without building an event per lead. The caller MUST call :func:`leads_changed` after.
    """
    moment = now or utcnow()
    occurred = occurred_at or moment
    bulk = BulkInsert(session, cast(Table, Activity.__table__), _ACTIVITY_COLUMNS)
    common = (
        str(kind),
        bulk.value("occurred_at", occurred),
        bulk.value("recorded_at", moment),
        origin,
        bulk.value("payload", dict(payload)),
        import_batch_id,
    )
    for start in range(0, len(lead_ids), _BULK_CHUNK):
        bulk.execute([(lead_id, *common) for lead_id in lead_ids[start : start + _BULK_CHUNK]])
    if str(kind) not in DERIVED_KINDS:
        _touch_leads(session, {occurred: list(lead_ids)})
    return len(lead_ids)


def _touch_leads(session: Session, latest: Mapping[datetime, list[int]]) -> None:
    """Move ``last_activity_at`` forward to each moment for its leads (never backwards)."""
    for occurred, lead_ids in sorted(latest.items()):
        for start in range(0, len(lead_ids), _IDS_PER_UPDATE):
            chunk = lead_ids[start : start + _IDS_PER_UPDATE]
            session.execute(_TOUCH_LEADS, {"ids": chunk, "at": occurred})


_LEADS = cast(Table, Lead.__table__)
# One statement, compiled once and cached; the id list is expanded per execution.
_TOUCH_LEADS = (
    update(_LEADS)
    .where(
        and_(
            _LEADS.c.id.in_(bindparam("ids", expanding=True)),
            or_(
                _LEADS.c.last_activity_at.is_(None),
                _LEADS.c.last_activity_at < bindparam("at", type_=_LEADS.c.last_activity_at.type),
            ),
        )
    )
    .values(last_activity_at=bindparam("at"))
)
_IDS_PER_UPDATE = 500


_ACTIVITY_COLUMNS = (
    "lead_id",
    "kind",
    "occurred_at",
    "recorded_at",
    "origin",
    "payload",
    "import_batch_id",
)
_BULK_CHUNK = 5000


def any_reaction_to(session: Session, kind: str) -> bool:
    """Whether recording an event of ``kind`` may set anything in motion (else it can be
    written with :func:`record_activities_bulk`, with the same result)."""
    return any(reaction.may_react(session, kind) for reaction in registered_reactions())


def _react(session: Session, lead: Lead, activity: Activity, now: datetime) -> None:
    """Everything an event sets in motion: each registered reaction, in the registry's order."""
    for reaction in registered_reactions():
        if reaction.on_activity is not None:
            reaction.on_activity(session, lead, activity, now)


def leads_changed(
    session: Session,
    lead_ids: list[int],
    now: datetime,
    *,
    scored: Mapping[int, Any] | None = None,
    kinds: Collection[str] | None = None,
) -> None:
    """Bring derived fields up to date after a bulk change (an import, a bulk edit).

    Bulk paths record activities with ``react=False`` and call this once at the end.
    ``kinds``: when the only change is new activities of these kinds, each capability reacts
    only if those kinds concern it (scores: the model counts one; ``None``: anything changed).
    Each registered reaction (:mod:`leaddesk.activities.reactions`) gets the change in turn.
    ``scored`` maps new leads created with their score already stored to that score
    (see :mod:`leaddesk.scoring.fresh`); they are not re-scored, every other reaction runs.
    """
    for reaction in registered_reactions():
        if reaction.on_bulk_change is not None:
            reaction.on_bulk_change(session, lead_ids, now, kinds, scored)
