"""Keeping the stored score columns fresh, and recording band crossings through the event door.

* one lead (a new activity, a profile edit, the breakdown view): :func:`rescore_lead`;
* a set of leads after a bulk change (an import): :func:`rescore_leads`;
* every lead (a rule change): :func:`rescore_all`; the periodic decay pass, which writes only
  the changes a person can see: :func:`leaddesk.scoring.decay.decay_scores`.

Whenever a lead's band changes, exactly one activity is recorded for that change:
``became_warm``, ``became_sales_ready`` or ``became_cold`` (payload: from, to, score), through
:func:`leaddesk.activities.record_activity`, so hand-off and other reactions follow.
``score_updated_at`` is the moment the stored score last changed.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from typing import Any

from sqlalchemy.orm import Session

from leaddesk.activities.door import (
    ActivityEvent,
    any_reaction_to,
    record_activities,
    record_activities_bulk,
    record_activity,
)
from leaddesk.activities.kinds import ActivityKind
from leaddesk.db.models import Activity, Lead, ScoreBand
from leaddesk.scoring.compute import BreakdownItem, CompiledConfig, ScoreResult, evaluate
from leaddesk.scoring.everyone import score_everyone
from leaddesk.scoring.facts import (
    LEADS,
    Needs,
    StoredScore,
    lead_activities,
    lead_fields,
    stream_leads,
)
from leaddesk.scoring.fresh import UNSCORED
from leaddesk.scoring.rules import BAND_KINDS
from leaddesk.scoring.store import compiled_config

CROSSING_KIND: dict[str, str] = {
    ScoreBand.COLD: ActivityKind.BECAME_COLD,
    ScoreBand.WARM: ActivityKind.BECAME_WARM,
    ScoreBand.SALES_READY: ActivityKind.BECAME_SALES_READY,
}
BATCH_SIZE = 5000
SCORE_COLUMNS = ["score", "fit_score", "engagement_score", "score_band", "score_updated_at"]


@dataclass(frozen=True)
class RescoreSummary:
    """What a bulk re-score did: leads scored, scores changed, band crossings, band counts."""

    leads: int
    changed: int
    crossings: dict[str, int] = field(default_factory=dict)
    bands: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "leads": self.leads,
            "changed": self.changed,
            "crossings": dict(self.crossings),
            "bands": dict(self.bands),
            "seconds": round(self.seconds, 3),
        }


def score_loaded_lead(
    session: Session,
    lead: Lead,
    now: datetime,
    items: list[BreakdownItem] | None = None,
    *,
    cause: Activity | None = None,
) -> ScoreResult:
    """Re-score a lead already loaded in ``session``; record a crossing when its band changes.

    ``cause`` is the event being reacted to: a crossing names it (``cause_id``, ``cause_kind``),
    so a hand-off can say which event tipped the lead over.
    """
    compiled = compiled_config(session)
    activities = lead_activities(session, Needs.of(compiled), lead.id, now)
    result = evaluate(compiled, lead_fields(lead), activities, items)
    previous_band = lead.score_band
    if (lead.score, lead.fit_score, lead.engagement_score, previous_band) != (
        result.total,
        result.fit,
        result.engagement,
        result.band,
    ):
        lead.score = result.total
        lead.fit_score = result.fit
        lead.engagement_score = result.engagement
        lead.score_band = result.band
        lead.score_updated_at = now
    if result.band != previous_band:
        record_crossing(session, lead.id, previous_band, result, now, cause=cause)
    return result


def rescore_lead(session: Session, lead_id: int, now: datetime) -> ScoreResult:
    """Re-score one lead (after a profile edit, say); raises LookupError for an unknown id."""
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise LookupError(f"lead {lead_id} does not exist")
    return score_loaded_lead(session, lead, now)


def on_activity(session: Session, lead: Lead, activity: Activity, now: datetime) -> None:
    """The event door's scoring reaction: re-score the lead unless the event is a band change."""
    if activity.kind in BAND_KINDS:
        return
    score_loaded_lead(session, lead, now, cause=activity)


def kinds_affect_score(session: Session, kinds: Iterable[str]) -> bool:
    """True when the model in force counts activities of one of ``kinds`` (new activities of
    other kinds cannot change any score)."""
    return not compiled_config(session).kinds.isdisjoint(str(kind) for kind in kinds)


def _crossing_event(
    lead_id: int,
    previous_band: str,
    result: ScoreResult,
    now: datetime,
    cause: Activity | None = None,
) -> ActivityEvent:
    payload: dict[str, Any] = {"from": previous_band, "to": result.band, "score": result.total}
    moment = now
    if cause is not None:
        payload.update(cause_id=cause.id, cause_kind=cause.kind)
        # The lead crossed when the event that caused it happened (an imported webinar visit,
        # the demo's history), not when LeadDesk got to it; a clock it starts still uses now.
        if cause.occurred_at is not None and cause.occurred_at < now:
            moment = cause.occurred_at
    return ActivityEvent(
        lead_id, CROSSING_KIND[result.band], occurred_at=moment, payload=payload, origin="scoring"
    )


def record_crossing(
    session: Session,
    lead_id: int,
    previous_band: str,
    result: ScoreResult,
    now: datetime,
    *,
    cause: Activity | None = None,
) -> Activity:
    """Record one band change of one lead through the event door (``cause``: what changed)."""
    event = _crossing_event(lead_id, previous_band, result, now, cause)
    return record_activity(session, event, now=now)


def record_crossings(
    session: Session, crossings: Sequence[tuple[int, str, ScoreResult]], now: datetime
) -> list[Activity]:
    """Record many band changes through the event door's bulk entry (one flush).

    Changes to a band no reaction acts on (becoming warm while no sequence enrols warm leads,
    say) are written in bulk without objects; the returned activities are the others.
    """
    events = [_crossing_event(lead_id, band, result, now) for lead_id, band, result in crossings]
    loud = {kind: any_reaction_to(session, kind) for kind in {str(e.kind) for e in events}}
    record_activities_bulk(session, [e for e in events if not loud[str(e.kind)]], now=now)
    return record_activities(session, [e for e in events if loud[str(e.kind)]], now=now)


def rescore_all(session: Session, now: datetime) -> RescoreSummary:
    """Re-score every lead (a rule change, ``leaddesk rescore``) in one set-based pass.

    Every score that changed at all is written. The periodic decay pass writes only what a
    person would see change: :func:`leaddesk.scoring.decay.decay_scores`.
    """
    started = time.perf_counter()
    scored = score_everyone(session, compiled_config(session), now)
    return _store(session, scored, now, started=started)


def rescore_leads(
    session: Session,
    lead_ids: Iterable[int],
    now: datetime,
    fresh: Mapping[int, ScoreResult] | None = None,
) -> RescoreSummary:
    """Re-score the given leads (e.g. after an import), a few thousand per query.

    ``fresh`` holds leads just created with their score already stored (computed with
    :class:`leaddesk.scoring.fresh.NewLeadScorer`): they are not read back, but their crossing
    from the unscored band (cold) is recorded like any other, in lead id order.
    """
    fresh = fresh or {}
    ids = sorted(set(lead_ids) - fresh.keys())
    batches = [ids[start : start + BATCH_SIZE] for start in range(0, len(ids), BATCH_SIZE)]
    return _rescore(session, compiled_config(session), batches, now, fresh)


def _rescore(
    session: Session,
    compiled: CompiledConfig,
    batches: Sequence[Collection[int]],
    now: datetime,
    fresh: Mapping[int, ScoreResult] | None = None,
) -> RescoreSummary:
    started = time.perf_counter()
    needs = Needs.of(compiled)

    def scored() -> Iterator[tuple[int, StoredScore, ScoreResult]]:
        for batch in batches:
            for lead_id, fields, stored, activities in stream_leads(session, needs, now, batch):
                yield lead_id, stored, evaluate(compiled, fields, activities)

    return _store(session, scored(), now, fresh, started=started)


def _store(
    session: Session,
    scored: Iterable[tuple[int, StoredScore, ScoreResult]],
    now: datetime,
    fresh: Mapping[int, ScoreResult] | None = None,
    *,
    started: float,
    worth_writing: Callable[[StoredScore, ScoreResult], bool] | None = None,
) -> RescoreSummary:
    """Write the scores that changed, record the band crossings, count the bands.

    ``worth_writing`` (stored, new) -> bool narrows the writes further (the decay pass writes
    only changes a person can see); a band change is always written and always recorded.
    """
    bands: Counter[str] = Counter()
    updates: list[tuple[Any, ...]] = []
    crossings: list[tuple[int, str, ScoreResult]] = []
    count = changed = 0
    for lead_id, stored, result in scored:
        count += 1
        bands[result.band] += 1
        if (stored.total, stored.fit, stored.engagement, stored.band) == (
            result.total,
            result.fit,
            result.engagement,
            result.band,
        ):
            continue
        if result.band != stored.band:
            crossings.append((lead_id, stored.band, result))
        elif worth_writing is not None and not worth_writing(stored, result):
            continue
        updates.append((lead_id, result.total, result.fit, result.engagement, str(result.band)))
    _write(session, updates, now)
    if fresh:
        unscored = UNSCORED.band
        for lead_id, result in fresh.items():
            count += 1
            bands[result.band] += 1
            if result != UNSCORED:
                changed += 1
            if result.band != unscored:
                crossings.append((lead_id, unscored, result))
        crossings.sort(key=itemgetter(0))
    for start in range(0, len(crossings), BATCH_SIZE):
        record_crossings(session, crossings[start : start + BATCH_SIZE], now)
    return RescoreSummary(
        leads=count,
        changed=changed + len(updates),
        crossings=dict(Counter(CROSSING_KIND[result.band] for _l, _b, result in crossings)),
        bands={band: bands.get(band, 0) for band in ScoreBand},
        seconds=time.perf_counter() - started,
    )


_UPDATE_SQL = (
    "UPDATE leads SET score = ?, fit_score = ?, engagement_score = ?, score_band = ?, "
    "score_updated_at = ? WHERE id = ?"
)


def _write(session: Session, updates: list[tuple[Any, ...]], now: datetime) -> None:
    """Write changed scores with one driver-level executemany (no per-row ORM/Core work)."""
    if not updates:
        return
    session.flush()
    connection = session.connection()
    dialect = connection.dialect
    processor = LEADS.c.score_updated_at.type.bind_processor(dialect)
    stamp = processor(now) if processor else now
    sql = _UPDATE_SQL if dialect.paramstyle == "qmark" else _UPDATE_SQL.replace("?", "%s")
    connection.exec_driver_sql(sql, [(*row, stamp, row_id) for row_id, *row in updates])
    changed = {row[0] for row in updates}
    for instance in list(session.identity_map.values()):
        if isinstance(instance, Lead) and instance.id in changed:
            session.expire(instance, SCORE_COLUMNS)
