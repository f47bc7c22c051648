"""Fast Core bulk inserts: the statement compiled once, values converted once where shared.

SQLAlchemy's per-row parameter processing costs more than SQLite's own insert at 100k rows.
``BulkInsert`` compiles ``insert(table)`` for the connection's dialect, converts values with
each column's own bind processor (so dates and JSON are stored exactly as the ORM stores them),
and hands plain tuples to the driver's ``executemany`` inside the session's transaction.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Table, bindparam, insert, literal_column
from sqlalchemy.orm import Session

# Compiled statement and bind processors per (table, columns, dialect): compiling costs more
# than inserting a handful of rows (the outbox appends a few activities per commit).
_COMPILED: dict[tuple[Any, ...], tuple[str, bool, tuple[str, ...]]] = {}
_PROCESSORS: dict[tuple[Any, ...], dict[str, Any]] = {}


class BulkInsert:
    """Inserts many rows of ``columns`` (tuples in that order) into ``table`` via ``session``.

    ``constants`` are columns with the same value in every row (the batch id, a timestamp).
    On SQLite they are written into the statement as literals instead of being bound for each
    row, which saves a third of a 100k-row load with many such columns; elsewhere, or when a
    value cannot be written as a literal, they are bound with each row like the others.
    """

    def __init__(
        self,
        session: Session,
        table: Table,
        columns: Sequence[str],
        constants: Mapping[str, Any] | None = None,
    ) -> None:
        self.connection = session.connection()
        dialect = self.connection.dialect
        self.columns = tuple(columns)
        self._processors = _processors(table, (*self.columns, *(constants or {})), dialect)
        fixed = {name: self.value(name, value) for name, value in (constants or {}).items()}
        literals = {
            name: text
            for name, value in fixed.items()
            if dialect.name == "sqlite" and (text := _sqlite_literal(value)) is not None
        }
        bound = (*self.columns, *(name for name in fixed if name not in literals))
        self._extra = tuple(value for name, value in fixed.items() if name not in literals)
        key = (table, bound, tuple(literals.items()), dialect.name, dialect.paramstyle)
        known = _COMPILED.get(key)
        if known is None:
            values: dict[str, Any] = {name: bindparam(name) for name in bound}
            values.update({name: literal_column(text) for name, text in literals.items()})
            statement = insert(table).values(values)
            compiled = statement.compile(dialect=dialect, for_executemany=True)
            positional = bool(compiled.positional)
            order = tuple(compiled.positiontup or ()) if positional else ()
            if len(_COMPILED) > 256:  # literals make keys per batch: keep the cache small
                _COMPILED.clear()
            known = _COMPILED[key] = (str(compiled), positional, order)
        self.sql, self.positional, self.order = known
        self._bound = bound

    def value(self, column: str, value: Any) -> Any:
        """``value`` as the driver receives it for ``column`` (compute once, reuse per row)."""
        processor = self._processors[column]
        return processor(value) if processor is not None and value is not None else value

    def converter(self, column: str) -> Callable[[Any], Any]:
        """The per-row conversion for ``column`` (identity when the column needs none)."""
        processor = self._processors[column]
        return processor if processor is not None else _identity

    def execute(self, rows: list[tuple[Any, ...]]) -> None:
        """Insert ``rows`` (already converted, in ``columns`` order) with one executemany."""
        if not rows:
            return
        if self._extra:
            rows = [(*row, *self._extra) for row in rows]
        if self.positional and self.order == self._bound:
            self.connection.exec_driver_sql(self.sql, rows)
        elif self.positional:
            index = [self._bound.index(name) for name in self.order]
            self.connection.exec_driver_sql(
                self.sql, [tuple(row[i] for i in index) for row in rows]
            )
        else:
            self.connection.exec_driver_sql(
                self.sql, [dict(zip(self._bound, row, strict=True)) for row in rows]
            )


def _processors(table: Table, names: tuple[str, ...], dialect: Any) -> dict[str, Any]:
    """Each column's bind processor (None when the driver takes the value as it is), cached."""
    key = (table, names, dialect.name)
    known = _PROCESSORS.get(key)
    if known is None:
        known = _PROCESSORS[key] = {
            name: table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
        }
    return known


def _sqlite_literal(value: Any) -> str | None:
    """``value`` (as the driver would receive it) as SQLite literal text, or None to bind it."""
    if value is None:
        return "NULL"
    if type(value) is int:
        return str(value)
    if type(value) is float and math.isfinite(value):
        return repr(value)
    if type(value) is str and "\x00" not in value:
        return "'" + value.replace("'", "''") + "'"
    return None


def _identity(value: Any) -> Any:
    return value


BIG_LOAD_ROWS = 20_000
# Triggers that only maintain a derived index, with the statement that rebuilds that index from
# scratch. During a big load they are paused like indexes: 100k trigger-fired FTS5 inserts cost
# ~6 s, one rebuild after the load ~0.6 s. (The FTS table comes from migration 0002.)
REBUILDABLE_TRIGGERS = {
    "leads_fts_after_insert": "INSERT INTO leads_fts(leads_fts) VALUES ('rebuild')",
}


@contextmanager
def sqlite_indexes_paused(session: Session, table: Table, incoming: int) -> Iterator[None]:
    """Around a big load on SQLite, drop ``table``'s non-unique indexes and rebuild them after.

    Maintaining seven secondary indexes row by row costs more than the inserts themselves;
    rebuilding one index after the load is a single sort. Insert triggers that only feed a
    derived index (the inbox's search index) are paused the same way and the index is rebuilt
    once at the end. Only done when at least
    ``BIG_LOAD_ROWS`` rows arrive and they outnumber the rows already there. The DDL runs in
    the caller's transaction: if anything fails the rollback restores the indexes too.
    Unique indexes (the email key) stay, so uniqueness is enforced throughout.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite" or incoming < BIG_LOAD_ROWS:
        yield
        return
    present = connection.exec_driver_sql(f'SELECT count(*) FROM "{table.name}"').scalar() or 0
    if incoming < present:
        yield
        return
    indexes = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'",
        (table.name,),
    ).all()
    triggers = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
        (table.name,),
    ).all()
    paused = [(name, sql) for name, sql in triggers if name in REBUILDABLE_TRIGGERS]
    for name, _sql in indexes:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    for name, _sql in paused:
        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield
    for _name, sql in indexes:
        connection.exec_driver_sql(sql)
    for name, sql in paused:
        connection.exec_driver_sql(sql)
        connection.exec_driver_sql(REBUILDABLE_TRIGGERS[name])
