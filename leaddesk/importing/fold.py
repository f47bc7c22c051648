"""Turning a table's rows into one record per person (folding duplicates), or rejecting them.

This step reads only the file: nothing here touches the database.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import cast

from leaddesk.importing.activity_rows import ActivityMode, row_events
from leaddesk.importing.mapping import CUSTOM, FULL_NAME, IGNORE, LEAD_FIELDS, TAGS, split_name
from leaddesk.importing.table import SheetTable
from leaddesk.leads.emails import email_key
from leaddesk.leads.fast_check import email_problem

_TOTALS = re.compile(r"^(grand\s+)?(total|totals|sum|count|summe|gesamt)\b", re.IGNORECASE)
# What report exports (Salesforce, HubSpot, Zoho…) print under the data: not rows of leads.
_FOOTER = re.compile(
    r"^(confidential|copyright|©|\(c\)|all rights reserved|generated (by|on|at)|"
    r"report generated|exported (by|on|at)|filtered by|run by|printed (by|on)|page \d+|"
    r"vertraulich|confidentiel)|all rights reserved|do not distribute",
    re.IGNORECASE,
)
PREVIEW_ROWS = 20
_NO_CUSTOM: dict[str, str] = {}
_NO_EVENTS: list[dict[str, object]] = []
Progress = Callable[[int], None]


class Record:
    """One person as the file describes them, folded over every row with their address.

    ``fields`` holds the non-empty field values. Until something asks for them, a person read
    from one row keeps that row's cells as one tuple in ``layout`` order instead (a third of a
    dict's memory; :func:`field_rows` reads it as it is).
    """

    __slots__ = ("_fields", "custom", "email", "events", "key", "layout", "row", "rows", "tags")

    def __init__(
        self,
        email: str,
        key: str,
        row: int,
        fields: dict[str, str] | tuple[str, ...] | None = None,
        layout: tuple[str, ...] = (),
    ) -> None:
        self.email = email
        self.key = key
        self.row = row  # the first row/line number the person appears on
        self.rows = 1
        self._fields: dict[str, str] | tuple[str, ...] = {} if fields is None else fields
        self.layout = layout  # the field each cell of a tuple of cells belongs to
        # Shared empty containers until a value arrives: 100k records stay small.
        self.custom: dict[str, str] = _NO_CUSTOM
        self.tags: tuple[str, ...] = ()
        self.events: list[dict[str, object]] = _NO_EVENTS

    @property
    def fields(self) -> dict[str, str]:
        """The person's non-empty field values by lead field name (a field missing is empty)."""
        values = self._fields
        if type(values) is tuple:
            values = self._fields = {t: v for t, v in zip(self.layout, values, strict=True) if v}
        return cast(dict[str, str], values)

    def as_stored(self) -> dict[str, object]:
        """The record as it would be stored for a new lead (for the preview)."""
        values: dict[str, object] = {"email": self.email}
        values.update({name: self.fields.get(name, "") for name in LEAD_FIELDS[1:]})
        values["custom_fields"] = dict(self.custom)
        values["tags"] = list(self.tags)
        return values


REPLACEMENT = "\ufffd"  # what a byte that is not valid UTF-8 decodes to
NOT_UTF8 = (
    "the row has bytes that are not valid UTF-8 (shown as \ufffd): fix them in the file, or "
    "pick the file's real encoding in the preview"
)


@dataclass(frozen=True)
class RejectedRow:
    """A row that cannot be imported, with the file's row/line number and the reason."""

    row: int
    reason: str
    values: tuple[str, ...]


@dataclass
class FoldedFile:
    """Everything read from the file: records by email key, rejects and row counts."""

    headers: list[str]
    mapping: list[str]
    records: dict[str, Record] = field(default_factory=dict)
    rejected: list[RejectedRow] = field(default_factory=list)
    rows: int = 0
    duplicates: int = 0
    ignored: list[tuple[int, str]] = field(default_factory=list)


def _split_tags(text: str) -> list[str]:
    return [t.strip() for t in re.split(r"[;,|]", text) if t.strip()]


def fold_table(
    table: SheetTable,
    mapping: list[str],
    *,
    activity_mode: ActivityMode | None = None,
    progress: Progress | None = None,
) -> FoldedFile:
    """Read every data row of ``table`` into records keyed by normalised email."""
    headers = list(table.headers)
    if "email" not in mapping:
        raise ValueError("no column is mapped to Email; choose the email column in the mapping")
    plan = [(i, target) for i, target in enumerate(mapping) if target != IGNORE]
    email_col = mapping.index("email")
    simple = [(i, t) for i, t in plan if t in LEAD_FIELDS and i != email_col]
    layout = tuple(t for _i, t in simple)
    # A new person's cells stay one tuple when each field has one column and no full name
    # is split into first and last (else the values go straight into a dict).
    compact = len(set(layout)) == len(layout) and FULL_NAME not in mapping
    pick = _picker([i for i, _t in simple])
    strip, intern = str.strip, sys.intern
    special = [(i, t) for i, t in plan if t in (FULL_NAME, CUSTOM, TAGS)]
    names = [h if h else f"column {i + 1}" for i, h in enumerate(_padded(headers, len(mapping)))]
    width = len(mapping)
    folded = FoldedFile(headers=headers, mapping=list(mapping))
    records = folded.records
    pool: dict[str, str] = {}
    shared = pool.setdefault
    header_row = table.header_row
    in_footer = False  # past a totals or footer line: single-cell lines are the report's
    damaged = bool(table.damaged_lines)
    # The raw rows, each cell stripped only when it is used: most cells are read once.
    rows = 0  # data rows seen (blank, totals and footer lines are not rows)
    for number, cells in table.raw_rows():
        if number <= header_row:
            continue
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        address = cells[email_col].strip()
        problem = email_problem(address)
        if problem is not None:
            stripped = [c.strip() for c in cells]
            if not any(stripped):
                continue  # a blank line
            first = next(c for c in stripped if c)
            filled = sum(1 for c in stripped if c)
            if _TOTALS.match(first):
                folded.ignored.append((number, "totals row"))
                in_footer = True
                continue
            if filled <= 2 and (in_footer or _FOOTER.search(first)):
                folded.ignored.append((number, "report footer"))
                in_footer = True
                continue
            rows += 1
            folded.rejected.append(RejectedRow(number, problem, tuple(stripped)))
            continue
        rows += 1
        if damaged and any(REPLACEMENT in c for c in cells):
            stripped = [c.strip() for c in cells]
            folded.rejected.append(RejectedRow(number, NOT_UTF8, tuple(stripped)))
            continue
        if progress is not None and rows % 5000 == 0:
            progress(rows)
        key = email_key(address)
        record = records.get(key)
        if record is None:
            if key == address:
                key = address  # one string object for both
            # Countries, titles and companies repeat: keep one copy of each value.
            if compact:
                cells_kept = tuple(map(intern, map(strip, pick(cells))))
                record = records[key] = Record(address, key, number, cells_kept, layout)
            else:
                fields = {t: shared(v, v) for i, t in simple if (v := cells[i].strip())}
                record = records[key] = Record(address, key, number, fields)
        else:
            record.rows += 1
            folded.duplicates += 1
            for i, t in simple:
                if t not in record.fields and (value := cells[i].strip()):
                    record.fields[t] = value
        if special:
            for index, target in special:
                value = cells[index].strip()
                if value:
                    _apply_special(record, target, value, names[index])
        if activity_mode is not None:
            row_values = {t: cells[i].strip() for i, t in plan}
            if record.events is _NO_EVENTS:
                record.events = []
            record.events.extend(row_events(activity_mode, row_values, record.events))
    folded.rows = rows
    return folded


def field_rows(
    records: list[Record], names: tuple[str, ...], defaults: list[str]
) -> list[list[str]]:
    """Each record's values of ``names``, in that order; an empty field takes its default.

    The same as ``[record.fields.get(name) or default …]``, without building the dicts of
    records that still hold their row's cells (all of one fold share one ``layout``).
    """
    layout = next((r.layout for r in records if r.layout), ())
    width = len(layout)
    index = [layout.index(n) if n in layout else width + k for k, n in enumerate(names)]
    pick = _picker(index)
    extra = tuple(defaults)
    rows = [
        list(map(values.get, names, defaults))
        if type(values := r._fields) is dict
        else list(pick(cast(tuple[str, ...], values) + extra))
        for r in records
    ]
    # A cell left empty takes the field's default too (a dict holds no empty values).
    for position, (name, default) in enumerate(zip(names, defaults, strict=True)):
        if default and name in layout:
            for row in rows:
                if not row[position]:
                    row[position] = default
    return rows


def _picker(indexes: list[int]) -> Callable[[Sequence[str]], tuple[str, ...]]:
    """``cells -> tuple(cells[i] for i in indexes)`` in one C call."""
    if not indexes:
        return lambda _cells: ()
    if len(indexes) == 1:
        only = indexes[0]
        return lambda cells: (cells[only],)
    return cast(Callable[[Sequence[str]], tuple[str, ...]], itemgetter(*indexes))


def _padded(headers: list[str], width: int) -> list[str]:
    return headers + [""] * (width - len(headers)) if len(headers) < width else headers


def _apply_special(record: Record, target: str, value: str, header: str) -> None:
    values = record.fields
    if target == FULL_NAME:
        first, last = split_name(value)
        if first and "first_name" not in values:
            values["first_name"] = first
        if last and "last_name" not in values:
            values["last_name"] = last
    elif target == CUSTOM:
        if record.custom is _NO_CUSTOM:
            record.custom = {}
        record.custom.setdefault(header, value)
    elif target == TAGS:
        new = [t for t in _split_tags(value) if t not in record.tags]
        record.tags = (*record.tags, *dict.fromkeys(new))
