"""Copying a whole LeadDesk database to another one (the move to a team PostgreSQL server).

Every table of the schema is copied with its ids, in foreign-key order, inside one target
transaction (a failure or a cancel leaves the target as it was). The source is only read. The
target is migrated to the newest schema first and must be empty, unless the caller asks to
replace what it holds. At the end every table's row count and a checksum of its rows (values
in id order, through the columns' own types) are compared on both sides.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, delete, func, insert, select, text

from leaddesk.db.engine import Database
from leaddesk.db.models import Base

BATCH = 5000
# Written by the migrations themselves on a new database: not counted as "holding data".
_SEEDED = {"app_settings": {"suppression_secret"}}
Progress = Callable[[str, int, int], None]  # (table, rows copied so far, rows in the table)


class CopyError(Exception):
    """The copy was refused or did not verify; nothing on the target was changed."""


@dataclass
class TableCopy:
    """One table's figures: rows on each side and whether the checksums matched."""

    name: str
    rows: int
    checksum: str
    verified: bool = False


@dataclass
class CopyReport:
    """What was copied (per table) and whether it all verified."""

    tables: list[TableCopy] = field(default_factory=list)

    @property
    def rows(self) -> int:
        """Rows copied, all tables together."""
        return sum(t.rows for t in self.tables)

    @property
    def verified(self) -> bool:
        """True when every table's count and checksum match on both sides."""
        return all(t.verified for t in self.tables)


def tables() -> list[Table]:
    """The schema's tables, parents before children."""
    return list(Base.metadata.sorted_tables)


def target_holds_data(target: Connection) -> list[str]:
    """The tables of the target that hold rows (beyond what migrations seed)."""
    found = []
    for table in tables():
        rows = select(func.count()).select_from(table)
        seeded = _SEEDED.get(table.name)
        if seeded:
            rows = rows.where(table.c.key.not_in(seeded))
        if target.execute(rows).scalar_one():
            found.append(table.name)
    return found


def copy_database(
    source: Database,
    target: Database,
    *,
    replace: bool = False,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> CopyReport:
    """Copy every table of ``source`` into ``target`` (see the module docstring)."""
    report = CopyReport()
    with source.engine.connect() as reader, target.engine.begin() as writer:
        busy = target_holds_data(writer)
        if busy and not replace:
            raise CopyError(
                "the target database already holds data (" + ", ".join(busy) + "); copy into "
                "an empty database, or pass --replace to overwrite it"
            )
        for table in reversed(tables()):
            writer.execute(delete(table))
        for table in tables():
            total = reader.execute(select(func.count()).select_from(table)).scalar_one()
            digest = hashlib.sha256()
            copied = 0
            for batch in _batches(reader, table):
                if should_stop():
                    raise CopyError("cancelled: nothing was written to the target")
                writer.execute(insert(table), batch)
                for row in batch:
                    digest.update(_canonical(row))
                copied += len(batch)
                if progress is not None:
                    progress(table.name, copied, total)
            report.tables.append(TableCopy(table.name, copied, digest.hexdigest()))
        if target.engine.dialect.name == "postgresql":
            _advance_id_sequences(writer)
        _verify(writer, report)
        if not report.verified:
            bad = ", ".join(t.name for t in report.tables if not t.verified)
            raise CopyError(f"the copy did not verify ({bad}); nothing was written to the target")
    return report


def _batches(reader: Connection, table: Table) -> Iterator[list[dict[str, Any]]]:
    order = list(table.primary_key.columns) or list(table.columns)
    result = reader.execution_options(yield_per=BATCH).execute(select(table).order_by(*order))
    for chunk in result.mappings().partitions(BATCH):
        yield [dict(row) for row in chunk]


def _verify(writer: Connection, report: CopyReport) -> None:
    for table, copied in zip(tables(), report.tables, strict=True):
        digest = hashlib.sha256()
        rows = 0
        for batch in _batches(writer, table):
            for row in batch:
                digest.update(_canonical(row))
            rows += len(batch)
        copied.verified = rows == copied.rows and digest.hexdigest() == copied.checksum


def _canonical(row: dict[str, Any]) -> bytes:
    """One row as bytes that are equal on SQLite and PostgreSQL for equal values."""
    return (
        json.dumps({k: _plain(v) for k, v in sorted(row.items())}, sort_keys=True) + "\n"
    ).encode()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize())
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def _advance_id_sequences(writer: Connection) -> None:
    """After explicit ids, move each serial/identity sequence past the highest id."""
    for table in tables():
        columns = list(table.primary_key.columns)
        if len(columns) != 1 or columns[0].name != "id":
            continue
        writer.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
            )
        )
