"""Writing an import: one transaction per batch, Core bulk inserts, a change log for undo.

Everything a batch does — the ``ImportBatch`` row, new leads, changed fields, tags,
``ImportChange`` rows and activities — is written in ONE ``BEGIN IMMEDIATE`` transaction, so a
crash or kill at any moment leaves none or all of it. Bulk paths use Core ``insert()`` with
lists of dicts (ORM ``add_all`` is ~10x slower). Activities go through the event door's bulk
form without reactions, then ``leads_changed`` runs once for every lead touched.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from itertools import repeat
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from leaddesk.activities import (
    ActivityEvent,
    ActivityKind,
    append_activities,
    append_activity_for_batch_leads,
    append_activity_for_leads,
    leads_changed,
)
from leaddesk.db.bulk import BulkInsert, sqlite_indexes_paused
from leaddesk.db.models import (
    Activity,
    EmailState,
    ImportBatch,
    ImportChange,
    Lead,
    LeadTag,
    LifecycleStatus,
)
from leaddesk.importing.activity_rows import parse_when
from leaddesk.importing.fold import Record, field_rows
from leaddesk.importing.mapping import LEAD_FIELDS, TAGS
from leaddesk.importing.new_scores import STORED_FIELDS, BatchScorer
from leaddesk.importing.plan import ImportPlan
from leaddesk.scoring.compute import ScoreResult
from leaddesk.scoring.fresh import UNSCORED, NewLeadScorer

CHUNK = 5000
# The columns each new lead's row gives (the batch's constants are added by BulkInsert).
_LEAD_COLUMNS = (
    *LEAD_FIELDS[:1], "email_key", *STORED_FIELDS, "custom_fields", "score", "fit_score",
    "engagement_score", "score_band", "score_updated_at",
)  # fmt: skip
ORIGIN = "import"


def _table(model: type) -> Table:
    """A mapped class's table, typed as a Core ``Table``."""
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


Tick = Callable[[int, int], None]


class _StoredScores:
    """The score columns of a new lead's row for each distinct result (rows share tuples)."""

    def __init__(self, scored_at: Any) -> None:
        self.scored_at = scored_at
        self.unscored = (UNSCORED.total, UNSCORED.fit, UNSCORED.engagement, UNSCORED.band, None)
        self._known: dict[ScoreResult, tuple[Any, ...]] = {}

    def columns(self, result: ScoreResult) -> tuple[Any, ...]:
        """``score, fit_score, engagement_score, score_band, score_updated_at`` for ``result``."""
        known = self._known.get(result)
        if known is None:
            known = self._known[result] = (
                self.unscored
                if result == UNSCORED
                else (result.total, result.fit, result.engagement, str(result.band), self.scored_at)
            )
        return known


class ImportCancelled(Exception):
    """The user cancelled; the transaction was rolled back and nothing was written."""


def _chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class BatchWriter:
    """Writes one plan inside an open write session; ``tick(done, total)`` reports progress."""

    def __init__(
        self,
        session: Session,
        plan: ImportPlan,
        *,
        filename: str,
        now: datetime,
        tick: Tick | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> None:
        self.session = session
        self.plan = plan
        self.filename = filename
        self.now = now
        self._tick = tick
        self._cancelled = cancelled
        self._done = 0
        # New leads are scored as they are written, except when the file also lists activities
        # (those leads are re-scored after their activities, like existing leads).
        self._scorer = (
            NewLeadScorer.for_session(session) if plan.options.activity_mode is None else None
        )
        self._fresh: dict[int, ScoreResult] = {}
        self.created: dict[str, int] = {}  # the new leads' ids by email key, once written
        records = len(plan.new_keys) + len(plan.changes)
        self._total = max(records * 3, 1)

    def _progress(self, amount: int) -> None:
        self._done += amount
        if self._cancelled is not None and self._cancelled():
            raise ImportCancelled("the import was cancelled; nothing was written")
        if self._tick is not None:
            self._tick(min(self._done, self._total), self._total)

    def write(self) -> ImportBatch:
        """Write the batch and return its ``ImportBatch`` row (flushed, not committed)."""
        plan, options = self.plan, self.plan.options
        counts = plan.counts()
        batch = ImportBatch(
            filename=self.filename,
            source=options.source,
            event_date=options.event_date,
            kind=str(options.activity_mode or "leads"),
            on_existing=options.on_existing,
            owner_id=options.owner_id,
            options={"tags": list(options.tags), "mapping": plan.folded.mapping},
            rows=counts["rows"],
            imported=counts["imported"],
            merged=counts["merged"],
            rejected=counts["rejected"],
            suppressed=counts["suppressed"],
            created_at=self.now,
        )
        self.session.add(batch)
        self.session.flush()
        created = self.created = self._insert_new(batch.id)
        changed = self._apply_changes(batch.id)
        self._insert_tags(created)
        listed_for = self._record_events(batch.id, created, changed)
        # Leads that only got listed activities (a webinar report) changed too: their scores
        # move, and a crossing may hand them to sales.
        touched = list(dict.fromkeys([*created.values(), *changed, *sorted(listed_for)]))
        from leaddesk.importing.enroll import batch_origin
        from leaddesk.sequences.reactions import auto_enrolments_caused_by

        with auto_enrolments_caused_by(self.session, batch_origin(batch.id)):
            leads_changed(self.session, touched, self.now, scored=self._fresh)
        return batch

    def _insert_new(self, batch_id: int) -> dict[str, int]:
        """Insert the new leads, scored; returns ``{email key: lead id}``.

        Created leads are found again (and undone) by ``leads.import_batch_id``; ImportChange
        rows are kept for changed existing leads only.
        """
        records = self.plan.folded.records
        options = self.plan.options
        # last_activity_at is the moment of the "imported" event recorded for each lead.
        constants = {
            "owner_id": options.owner_id,
            "status": LifecycleStatus.NEW.value,
            "email_state": EmailState.OK.value,
            "last_activity_at": self.now,
            "import_batch_id": batch_id,
            "created_at": self.now,
            "updated_at": self.now,
        }
        bulk = BulkInsert(self.session, _table(Lead), _LEAD_COLUMNS, constants)
        as_json = bulk.converter("custom_fields")
        no_custom = as_json({})
        stored_scores = _StoredScores(bulk.value("score_updated_at", self.now))
        # The batch's source fills the rows without a "source" of their own (a record's fields
        # hold non-empty values only, so a missing field is the only empty one).
        defaults = ["" if name != "source" else options.source for name in STORED_FIELDS]
        scorer = self._batch_scorer(batch_id)
        scored: list[ScoreResult] = []
        keys_in_order = self.plan.new_keys
        with sqlite_indexes_paused(self.session, _table(Lead), len(keys_in_order)):
            previous_max = self._max_lead_id()
            for keys in _chunks(keys_in_order):
                chunk = list(map(records.__getitem__, keys))
                values = field_rows(chunk, STORED_FIELDS, defaults)
                scores: Iterable[tuple[Any, ...]] = repeat(stored_scores.unscored)
                if scorer is not None:
                    chunk_results = scorer.score(chunk, values)
                    scored.extend(chunk_results)
                    scores = map(stored_scores.columns, chunk_results)
                bulk.execute(
                    [
                        (r.email, r.key, *row, as_json(r.custom) if r.custom else no_custom, *score)
                        for r, row, score in zip(chunk, values, scores, strict=False)
                    ]
                )
                self._progress(len(keys) * 2)
        created = self._created_ids(batch_id, keys_in_order, previous_max)
        if scored:
            self._fresh = {
                created[key]: result for key, result in zip(keys_in_order, scored, strict=True)
            }
        return created

    def _max_lead_id(self) -> int | None:
        """The largest lead id before the batch's inserts (None on PostgreSQL: not used)."""
        connection = self.session.connection()
        if connection.dialect.name != "sqlite":
            return None
        return int(
            connection.exec_driver_sql("SELECT coalesce(max(id), 0) FROM leads").scalar_one()
        )

    def _created_ids(
        self, batch_id: int, keys: list[str], previous_max: int | None
    ) -> dict[str, int]:
        """``{email key: id}`` of the leads the batch inserted, ``keys`` in insertion order.

        On SQLite, with the write lock held, each insert takes the next rowid after the
        largest: when the batch's ids are exactly the next ``len(keys)`` numbers, they were
        given in insertion order and need not be read back one by one. Otherwise (or on
        PostgreSQL) the ids are read by email key.
        """
        if not keys:
            return {}
        connection = self.session.connection()
        if previous_max is not None:
            low, high, count = connection.exec_driver_sql(
                "SELECT min(id), max(id), count(*) FROM leads WHERE import_batch_id = ?",
                (batch_id,),
            ).one()
            if count == len(keys) and low == previous_max + 1 and high == previous_max + count:
                return dict(zip(keys, range(low, high + 1), strict=True))
        query = select(Lead.email_key, Lead.id).where(Lead.import_batch_id == batch_id)
        return {key: lead_id for key, lead_id in connection.execute(query).all()}

    def _batch_scorer(self, batch_id: int) -> BatchScorer | None:
        """Scores new leads as they will be stored (None when the file lists activities)."""
        if self._scorer is None:
            return None
        started = self._scorer.only_activity(
            str(ActivityKind.IMPORTED), self._imported_payload(batch_id)
        )
        return BatchScorer(
            self._scorer,
            source=self.plan.options.source,
            started=started,
            tags_of=self._new_lead_tags,
        )

    def _new_lead_tags(self, record: Record) -> list[str]:
        """The tags a new lead is stored with: the batch's, then the file's own, each once."""
        return [tag[:100] for tag in dict.fromkeys([*self.plan.options.tags, *record.tags])]

    def _imported_payload(self, batch_id: int) -> dict[str, Any]:
        options = self.plan.options
        return {"batch_id": batch_id, "source": options.source, "file": self.filename}

    def _apply_changes(self, batch_id: int) -> list[int]:
        table = _table(Lead)
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        log: list[dict[str, Any]] = []
        for change in self.plan.changes:
            if not change.changed:
                continue
            values = {name: new for name, (_old, new) in change.fields.items()}
            if change.custom_after is not None:
                values["custom_fields"] = change.custom_after
            if values:
                values["updated_at"] = self.now
                params = {f"v_{k}": v for k, v in values.items()}
                params["b_id"] = change.lead_id
                groups[tuple(sorted(values))].append(params)
            previous = {
                "fields": {k: old for k, (old, _new) in change.fields.items()},
                "new": {k: new for k, (_old, new) in change.fields.items()},
                "custom": change.custom_before,
                "custom_new": change.custom_after,
                "tags": change.tags_added,
            }
            log.append(
                {
                    "batch_id": batch_id,
                    "lead_id": change.lead_id,
                    "action": "updated",
                    "previous": previous,
                }
            )
        for columns, grouped in groups.items():
            statement = (
                update(table)
                .where(table.c.id == bindparam("b_id"))
                .values({c: bindparam(f"v_{c}") for c in columns})
            )
            for chunk in _chunks(grouped):
                self.session.execute(statement, chunk)
                self._progress(len(chunk))
        for chunk in _chunks(log):
            self.session.execute(insert(_table(ImportChange)), chunk)
        return [entry["lead_id"] for entry in log]

    def _insert_tags(self, created: dict[str, int]) -> None:
        records = self.plan.folded.records
        rows: list[dict[str, Any]] = []
        tagged: Iterable[tuple[str, int]] = created.items()
        if not self.plan.options.tags:  # only the leads whose rows carry tags
            if TAGS in self.plan.folded.mapping:
                tagged = [(key, lead_id) for key, lead_id in tagged if records[key].tags]
            else:  # no column holds tags: no new lead has any
                tagged = ()
        for key, lead_id in tagged:
            rows.extend({"lead_id": lead_id, "tag": t} for t in self._new_lead_tags(records[key]))
        for change in self.plan.changes:
            rows.extend({"lead_id": change.lead_id, "tag": t[:100]} for t in change.tags_added)
        bulk = BulkInsert(self.session, _table(LeadTag), ("lead_id", "tag"))
        for chunk in _chunks(rows):
            bulk.execute([(row["lead_id"], row["tag"]) for row in chunk])

    def _record_events(
        self, batch_id: int, created: dict[str, int], changed: list[int]
    ) -> set[int]:
        """Append the "imported" and listed activities; returns the leads given listed ones."""
        options = self.plan.options
        lead_ids = [*created.values(), *changed]
        listed: list[ActivityEvent] = []
        if options.activity_mode is not None:
            records = self.plan.folded.records
            targets = {**self.plan.matched, **created}
            default_at = _event_default(options.event_date, self.now)
            listed = [
                event
                for key, lead_id in targets.items()
                for event in _activity_events(
                    records[key], lead_id, batch_id, options.source, default_at
                )
            ]
            known = _recorded_already(self.session, listed)
            listed = [e for e in listed if _event_identity(e) not in known]
        expected = len(lead_ids) + len(listed)
        with sqlite_indexes_paused(self.session, _table(Activity), expected):
            # One "imported" event per lead, then the listed activities, in that order.
            payload = self._imported_payload(batch_id)
            if created:  # the database copies the new leads' ids itself
                append_activity_for_batch_leads(
                    self.session,
                    batch_id,
                    ActivityKind.IMPORTED,
                    payload=payload,
                    origin=ORIGIN,
                    now=self.now,
                )
            append_activity_for_leads(
                self.session,
                changed,
                ActivityKind.IMPORTED,
                payload=payload,
                origin=ORIGIN,
                import_batch_id=batch_id,
                now=self.now,
            )
            append_activities(self.session, listed, now=self.now)
        self._progress(expected)
        return {event.lead_id for event in listed}


def _event_identity(event: ActivityEvent) -> tuple[Any, ...]:
    """What makes a listed activity the same one again (re-importing the same report)."""
    payload = event.payload
    return (
        event.lead_id,
        str(event.kind),
        event.occurred_at,
        payload.get("title"),
        payload.get("asset"),
    )


def _recorded_already(session: Session, events: list[ActivityEvent]) -> set[tuple[Any, ...]]:
    """Identities of ``events`` that are already in the activity log."""
    lead_ids = sorted({e.lead_id for e in events})
    kinds = sorted({str(e.kind) for e in events})
    found: set[tuple[Any, ...]] = set()
    for start in range(0, len(lead_ids), 500):
        chunk = lead_ids[start : start + 500]
        rows = session.execute(
            select(Activity.lead_id, Activity.kind, Activity.occurred_at, Activity.payload).where(
                Activity.lead_id.in_(chunk), Activity.kind.in_(kinds)
            )
        )
        for lead_id, kind, occurred_at, payload in rows:
            payload = payload or {}
            found.add((lead_id, kind, occurred_at, payload.get("title"), payload.get("asset")))
    return found


def _event_default(event_date: Any, now: datetime) -> datetime:
    if event_date is None:
        return now
    return parse_when(event_date.isoformat()) or now


def _activity_events(
    record: Record, lead_id: int, batch_id: int, source: str, default_at: datetime
) -> list[ActivityEvent]:
    events = []
    for event in record.events:
        at = parse_when(str(event["at"])) if event.get("at") else None
        payload = {k: v for k, v in event.items() if k not in ("kind", "at")}
        payload.update(batch_id=batch_id, title=source)
        events.append(
            ActivityEvent(
                lead_id,
                str(event["kind"]),
                occurred_at=at or default_at,
                payload=payload,
                origin=ORIGIN,
                import_batch_id=batch_id,
            )
        )
    return events
