"""Core statements the sender runs once per batch, executed straight on the DB-API cursor.

For statements this small, SQLAlchemy's per-execution work (cache key, execution context,
result metadata, per-value processing) costs several times what SQLite itself needs.
:class:`DriverStatement` compiles a Core statement once per dialect, expands its IN lists once
per length, and converts parameters and results with the columns' own type processors, so
values are written and read exactly as the ORM writes and reads them. Works for every dialect
(positional or named parameters); see ``leaddesk.db.bulk.BulkInsert`` for the insert side.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect
from sqlalchemy.sql import Executable
from sqlalchemy.sql.compiler import SQLCompiler

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Plan:
    """One dialect's SQL for one set of IN-list lengths, and how to fill its parameters."""

    sql: str
    names: tuple[str, ...]  # the driver's parameters, in statement order
    sources: tuple[tuple[str, int | None] | None, ...]  # caller's (name, list index); None: fixed
    fixed: Mapping[str, Any]  # values written into the statement, already converted
    processors: Mapping[str, Processor]  # per caller parameter
    positional: bool
    results: tuple[Processor, ...]


class DriverStatement:
    """A Core statement (select or DML) run on the driver with ``execute``/``execute_many``."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._compiled: dict[tuple[str, str], SQLCompiler] = {}
        self._plans: dict[tuple[Any, ...], _Plan] = {}

    def _compile(self, dialect: Dialect) -> SQLCompiler:
        key = (dialect.name, str(dialect.paramstyle))
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self.statement.compile(dialect=dialect)  # type: ignore[attr-defined]
            python_side = [*compiled.insert_prefetch, *compiled.update_prefetch]
            if python_side:
                # SQLAlchemy computes these per execution; the driver path would store NULL.
                names = ", ".join(column.name for column in python_side)
                raise ValueError(f"set {names} explicitly: its default is computed in Python")
            self._compiled[key] = compiled
        return compiled

    def _plan(self, dialect: Dialect, params: Mapping[str, Any]) -> _Plan:
        lengths = tuple(
            (name, len(value)) for name, value in params.items() if isinstance(value, list)
        )
        key = (dialect.name, str(dialect.paramstyle), lengths)
        plan = self._plans.get(key)
        if plan is not None:
            return plan
        compiled = self._compile(dialect)
        expanded = compiled.construct_expanded_state(dict(params))
        origin: dict[str, tuple[str, int | None]] = {name: (name, None) for name in params}
        for name, parts in (expanded.parameter_expansion or {}).items():
            for index, part in enumerate(parts):
                origin[part] = (name, index if name in params else None)
        processors = {
            name: bind.type.dialect_impl(dialect).bind_processor(dialect)
            for name, bind in compiled.binds.items()
        }
        names = tuple(expanded.positiontup or expanded.parameters)
        sources: list[tuple[str, int | None] | None] = []
        fixed: dict[str, Any] = {}
        for name in names:
            base, position = origin.get(name, (name, None))
            if base in params:
                sources.append((base, position))
                continue
            sources.append(None)  # a value written in the statement (a literal state, say)
            value, processor = expanded.parameters[name], processors.get(base)
            fixed[name] = processor(value) if processor and value is not None else value
        columns = getattr(self.statement, "selected_columns", ())
        plan = self._plans[key] = _Plan(
            sql=expanded.statement,
            names=names,
            sources=tuple(sources),
            fixed=fixed,
            processors={name: processors.get(name) for name in params},
            positional=bool(compiled.positional),
            results=tuple(
                c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns
            ),
        )
        return plan

    @staticmethod
    def _convert(plan: _Plan, params: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        converted: dict[str, Any] = {}
        for name, value in params.items():
            processor = plan.processors.get(name)
            if processor is None:
                converted[name] = value
            elif isinstance(value, list):
                converted[name] = [processor(v) if v is not None else v for v in value]
            else:
                converted[name] = processor(value) if value is not None else value
        values = [
            plan.fixed[name]
            if source is None
            else converted[source[0]][source[1]]
            if source[1] is not None
            else converted[source[0]]
            for name, source in zip(plan.names, plan.sources, strict=True)
        ]
        return tuple(values) if plan.positional else dict(zip(plan.names, values, strict=True))

    def execute(self, connection: Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run once with ``params`` (lists fill IN lists); the result rows, converted."""
        plan = self._plan(connection.dialect, params)
        result = connection.exec_driver_sql(plan.sql, self._convert(plan, params))  # type: ignore[arg-type]
        if not plan.results:
            return []
        processors = list(enumerate(plan.results))
        rows = []
        for raw in result.fetchall():
            row = list(raw)
            for index, processor in processors:
                if processor is not None:
                    row[index] = processor(row[index])
            rows.append(tuple(row))
        return rows

    def execute_many(self, connection: Connection, rows: Sequence[Mapping[str, Any]]) -> int:
        """Run once per parameter set (no IN lists) with one executemany; rows changed."""
        if not rows:
            return 0
        plan = self._plan(connection.dialect, rows[0])
        result = connection.exec_driver_sql(plan.sql, [self._convert(plan, r) for r in rows])  # type: ignore[arg-type]
        return int(result.rowcount)
