"""The import as one call, used alike by the CLI and the GUI wizard.

``open_import`` reads the file's shape and proposes a mapping (remembered for the source, else
automatic); ``run_import`` folds the rows, then either plans (dry run, read-only) or plans again
inside one write transaction and writes the batch.
"""

from __future__ import annotations

import csv
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leaddesk.db.engine import Database
from leaddesk.importing.encoding import display_name
from leaddesk.importing.fold import FoldedFile, fold_table
from leaddesk.importing.mapping import (
    auto_map,
    guess_email_column,
    remember_mapping,
    remembered_mapping,
    source_key,
)
from leaddesk.importing.plan import ImportOptions, ImportPlan, classify
from leaddesk.importing.table import ReadOptions, SheetTable, open_table
from leaddesk.importing.writer import BatchWriter

WRITE_CACHE_KIB = 32 * 1024
Progress = Callable[[str, int, int], None]  # (phase, done, total; total 0 = unknown)


@dataclass
class ImportResult:
    """What an import did (or, for a dry run, would do)."""

    table: SheetTable
    plan: ImportPlan
    dry_run: bool
    batch_id: int | None = None
    counts: dict[str, Any] = field(default_factory=dict)

    @property
    def folded(self) -> FoldedFile:
        """The rows as read from the file."""
        return self.plan.folded

    def errors(self) -> list[dict[str, Any]]:
        """Every rejected row: its row/line number in the file and the reason."""
        return [{"row": r.row, "reason": r.reason} for r in self.folded.rejected]

    def as_json(self) -> dict[str, Any]:
        """The result as one JSON-ready object (the CLI's ``--json`` output)."""
        table = self.table
        return {
            **self.counts,
            "batch_id": self.batch_id,
            "dry_run": self.dry_run,
            "errors": self.errors(),
            "file": str(table.path),
            "format": table.kind,
            "encoding": display_name(table.encoding) if table.encoding else None,
            "delimiter": table.delimiter or None,
            "sheet": table.sheet or None,
            "header_row": table.header_row,
            "mapping": dict(zip(table.headers, self.folded.mapping, strict=False)),
            "preview": self.plan.preview(),
        }


def open_import(
    db: Database | None, path: Path | str, read_options: ReadOptions | None = None, source: str = ""
) -> tuple[SheetTable, list[str]]:
    """Open ``path`` and propose a mapping.

    The mapping remembered for the source wins, then the one remembered for files with the same
    header layout (the wizard asks for the source later), else the automatic one.
    """
    table = open_table(path, read_options)
    headers = list(table.headers)
    mapping: list[str] | None = None
    if db is not None:
        with db.session() as session:
            for key in dict.fromkeys([source_key(source, headers), source_key("", headers)]):
                mapping = remembered_mapping(session, key, headers)
                if mapping is not None:
                    break
    mapping = mapping or auto_map(headers)
    sample = [list(cells) for number, cells in table.sample if number > table.header_row]
    return table, guess_email_column(mapping, sample)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: 100k small records otherwise cost seconds of GC."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def run_import(
    db: Database,
    table: SheetTable,
    mapping: list[str],
    options: ImportOptions,
    *,
    now: Any,
    dry_run: bool = False,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportResult:
    """Read, plan and (unless ``dry_run``) write one import batch.

    ``now`` is an aware UTC datetime. ``cancelled()`` is polled between chunks; a cancelled
    import raises ``ImportCancelled`` and writes nothing.
    """
    with _collector_paused():
        return _run_import(db, table, mapping, options, now, dry_run, progress, cancelled)


def _run_import(
    db: Database,
    table: SheetTable,
    mapping: list[str],
    options: ImportOptions,
    now: Any,
    dry_run: bool,
    progress: Progress | None,
    cancelled: Callable[[], bool] | None,
) -> ImportResult:
    read_tick = (lambda n: progress("reading", n, 0)) if progress else None
    folded = fold_table(table, mapping, activity_mode=options.activity_mode, progress=read_tick)
    if cancelled is not None and cancelled():
        from leaddesk.importing.writer import ImportCancelled

        raise ImportCancelled("the import was cancelled; nothing was written")
    if dry_run:
        with db.session() as session:
            plan = classify(session, folded, options)
            counts = dict(plan.counts())
            if options.enroll_sequence_id is not None:
                from leaddesk.importing.enroll import preview_enrollment

                counts.update(preview_enrollment(session, plan, options.enroll_sequence_id))
        return ImportResult(table, plan, True, None, counts)
    write_tick = (lambda done, total: progress("writing", done, total)) if progress else None
    with db.write() as session:
        if db.is_sqlite:
            # The default 2 MB page cache spills constantly while 100k leads are indexed.
            session.connection().exec_driver_sql(f"PRAGMA cache_size=-{WRITE_CACHE_KIB}")
        plan = classify(session, folded, options)
        writer = BatchWriter(
            session, plan, filename=table.path.name, now=now, tick=write_tick, cancelled=cancelled
        )
        batch = writer.write()
        counts = plan.counts()
        if options.enroll_sequence_id is not None:
            from leaddesk.importing.enroll import enroll_batch  # sequences load only when used

            enroll_tick = (
                (lambda done, total: progress("enrolling", done, total)) if progress else None
            )
            enrolment = enroll_batch(
                session, plan, batch.id, options.enroll_sequence_id, now=now, tick=enroll_tick
            )
            counts.update(enrolment)
            batch.options = {**(batch.options or {}), "enrollment": enrolment}
        headers = list(table.headers)
        for key in dict.fromkeys([source_key(options.source, headers), source_key("", headers)]):
            remember_mapping(session, key, headers, mapping, now)
        batch_id = batch.id
    return ImportResult(table, plan, False, batch_id, counts)


def save_rejected(result: ImportResult, destination: Path | str) -> Path:
    """Write the rejected rows as a CSV (row number, reason, then the original columns)."""
    target = Path(destination)
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row", "reason", *result.table.headers])
        for rejected in result.folded.rejected:
            writer.writerow([rejected.row, rejected.reason, *rejected.values])
    return target
