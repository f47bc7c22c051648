"""The dry run: what an import will do to the database, before anything is written.

:func:`classify` compares folded records with the leads already stored and the suppression
list. The writer calls it again inside its write transaction, so what is written is exactly
what a plan computed at that moment says.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leaddesk.db.models import EmailState, Lead, LeadTag, Suppression
from leaddesk.importing.activity_rows import ActivityMode
from leaddesk.importing.fold import PREVIEW_ROWS, FoldedFile, Record
from leaddesk.importing.mapping import LEAD_FIELDS
from leaddesk.leads.suppression import hashes_for, suppressed_among, suppression_secret

ON_EXISTING = ("fill", "overwrite", "skip")
# SQLite before 3.32 allowed only 999 bound variables per statement.
CHUNK = 5000 if sqlite3.sqlite_version_info >= (3, 32) else 900
PREFETCH_SUPPRESSIONS = 200_000
_UPDATABLE = (*LEAD_FIELDS[1:], "owner_id")


@dataclass(frozen=True)
class ImportOptions:
    """What the user chose for the batch: source, date, tags, owner, how to treat existing."""

    source: str = ""
    event_date: date | None = None
    tags: tuple[str, ...] = ()
    owner_id: int | None = None
    on_existing: str = "fill"
    activity_mode: ActivityMode | None = None
    enroll_sequence_id: int | None = None  # enroll the batch's leads into this sequence

    def __post_init__(self) -> None:
        if self.on_existing not in ON_EXISTING:
            raise ValueError(f"on_existing must be one of {', '.join(ON_EXISTING)}")


@dataclass
class LeadChange:
    """What the import changes on one existing lead: ``{field: (old, new)}`` and added tags."""

    lead_id: int
    key: str
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    custom_before: dict[str, Any] | None = None
    custom_after: dict[str, Any] | None = None
    tags_added: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """True when the lead will actually be modified."""
        return bool(self.fields or self.custom_after is not None or self.tags_added)


@dataclass
class ImportPlan:
    """The outcome of a dry run: new keys, changes to existing leads, and every count."""

    folded: FoldedFile
    options: ImportOptions
    new_keys: list[str] = field(default_factory=list)
    changes: list[LeadChange] = field(default_factory=list)
    matched: dict[str, int] = field(default_factory=dict)  # key -> existing lead id
    suppressed_keys: set[str] = field(default_factory=set)
    imported: int = 0
    merged: int = 0
    suppressed: int = 0

    @property
    def updated(self) -> int:
        """Existing leads that will change."""
        return sum(1 for change in self.changes if change.changed)

    def counts(self) -> dict[str, int]:
        """Every count the preview and the CLI show."""
        folded = self.folded
        return {
            "rows": folded.rows,
            "imported": self.imported,
            "merged": self.merged,
            "rejected": len(folded.rejected),
            "suppressed": self.suppressed,
            "updated": self.updated,
            "unchanged": len(self.matched) - self.updated,
            "duplicates": folded.duplicates,
            "ignored": len(folded.ignored),
        }

    def preview(self, limit: int = PREVIEW_ROWS) -> list[dict[str, Any]]:
        """The first records as they will be stored, each with what will happen to it."""
        changes = {c.key: c for c in self.changes}
        rows: list[dict[str, Any]] = []
        for record in self.folded.records.values():
            if len(rows) >= limit:
                break
            stored = record.as_stored()
            stored["tags"] = _merged_tags(self.options.tags, record.tags)
            if record.key in self.suppressed_keys:
                action = "suppressed"
            elif record.key in changes:
                action = "update" if changes[record.key].changed else "unchanged"
            else:
                action = "new"
                stored["source"] = record.fields.get("source") or self.options.source
            stored["action"] = action
            stored["row"] = record.row
            rows.append(stored)
        return rows


def _merged_tags(batch_tags: tuple[str, ...], own: tuple[str, ...]) -> list[str]:
    return list(dict.fromkeys([*batch_tags, *own]))


def _suppressed(session: Session, keys: list[str]) -> set[str]:
    """The suppressed keys among ``keys``; a short list is read whole instead of queried."""
    total = session.scalar(select(func.count(Suppression.id))) or 0
    if total == 0:
        return set()
    if total > PREFETCH_SUPPRESSIONS or total > len(keys):
        return suppressed_among(session, keys)
    listed = set(session.scalars(select(Suppression.email_hash)))
    by_hash = hashes_for(suppression_secret(session), keys)
    return {key for digest, keys in by_hash.items() if digest in listed for key in keys}


def _existing_leads(session: Session, keys: list[str], with_custom: bool) -> dict[str, Any]:
    """``{key: {column: value}}`` for the stored leads among ``keys``."""
    if session.scalar(select(Lead.id).limit(1)) is None:
        return {}
    columns = [Lead.id, Lead.email_key, Lead.email_state]
    columns += [getattr(Lead, name) for name in _UPDATABLE]
    if with_custom:  # JSON decoding 100k rows costs; only read it when the file has custom data
        columns.append(Lead.custom_fields)
    names = [column.key for column in columns]
    found: dict[str, Any] = {}
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        for row in session.execute(select(*columns).where(Lead.email_key.in_(chunk))):
            found[str(row[1])] = dict(zip(names, row, strict=True))
    return found


def _existing_tags(session: Session, lead_ids: list[int]) -> dict[int, set[str]]:
    tags: dict[int, set[str]] = {}
    for start in range(0, len(lead_ids), CHUNK):
        chunk = lead_ids[start : start + CHUNK]
        for lead_id, tag in session.execute(
            select(LeadTag.lead_id, LeadTag.tag).where(LeadTag.lead_id.in_(chunk))
        ):
            tags.setdefault(lead_id, set()).add(tag)
    return tags


def _change_for(
    lead: dict[str, Any], record: Record, options: ImportOptions, tags: set[str]
) -> LeadChange:
    change = LeadChange(lead_id=lead["id"], key=record.key)
    if options.on_existing == "skip":
        return change
    overwrite = options.on_existing == "overwrite"
    wanted: dict[str, Any] = record.fields
    batch_source = options.source and not lead["source"] and "source" not in wanted
    if batch_source or options.owner_id is not None:
        wanted = dict(wanted)
        if batch_source:
            wanted["source"] = options.source
        if options.owner_id is not None and (overwrite or lead["owner_id"] is None):
            wanted["owner_id"] = options.owner_id
    for name, value in wanted.items():
        current = lead[name]
        if current == value:
            continue
        if overwrite or current in ("", None):
            change.fields[name] = (current, value)
    if record.custom:
        custom = dict(lead["custom_fields"] or {})
        updated = dict(custom)
        for name, value in record.custom.items():
            if name not in custom or (overwrite and custom[name] != value):
                updated[name] = value
        if updated != custom:
            change.custom_before, change.custom_after = custom, updated
    if options.tags or record.tags:
        change.tags_added = [t for t in _merged_tags(options.tags, record.tags) if t not in tags]
    return change


def classify(session: Session, folded: FoldedFile, options: ImportOptions) -> ImportPlan:
    """Compare the folded file with the database: new, changed, unchanged and suppressed."""
    plan = ImportPlan(folded=folded, options=options)
    keys = list(folded.records)
    plan.suppressed_keys = _suppressed(session, keys)
    with_custom = any(record.custom for record in folded.records.values())
    existing = _existing_leads(session, keys, with_custom)
    wants_tags = bool(options.tags) or any(r.tags for r in folded.records.values())
    tags = _existing_tags(session, [row["id"] for row in existing.values()]) if wants_tags else {}
    for key, record in folded.records.items():
        lead = existing.get(key)
        if key in plan.suppressed_keys or (
            lead is not None and lead["email_state"] != EmailState.OK
        ):
            plan.suppressed_keys.add(key)
            plan.suppressed += record.rows
        elif lead is None:
            plan.new_keys.append(key)
            plan.imported += 1
            plan.merged += record.rows - 1
        else:
            plan.matched[key] = lead["id"]
            plan.changes.append(_change_for(lead, record, options, tags.get(lead["id"], set())))
            plan.merged += record.rows
    return plan
