"""Turning a table's rows into one record per person (folding duplicates), or rejecting them.

This step reads only the file: nothing here touches the database.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

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
    """One person as the file describes them, folded over every row with their address."""

    __slots__ = ("custom", "email", "events", "fields", "key", "row", "rows", "tags")

    def __init__(
        self, email: str, key: str, row: int, fields: dict[str, str] | None = None
    ) -> None:
        self.email = email
        self.key = key
        self.row = row  # the first row/line number the person appears on
        self.rows = 1
        # Only non-empty values: a field missing here is empty in the file.
        self.fields: dict[str, str] = {} if fields is None else fields
        # Shared empty containers until a value arrives: 100k records stay small.
        self.custom: dict[str, str] = _NO_CUSTOM
        self.tags: tuple[str, ...] = ()
        self.events: list[dict[str, object]] = _NO_EVENTS

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
