"""The least any import into LeadDesk's schema can cost: the same writes with no Python logic.

    python tests/bench/schema_floor.py EMPTY_MIGRATED_DB LEADS_CSV [--variant NAME] [--steps]
        [--scores-from IMPORTED_DB]

Used by ``bench_import.py`` as a second reference. It reads the benchmark's 8-column CSV with
the ``csv`` module and writes what a LeadDesk import of new leads must write, in one
transaction with LeadDesk's settings (WAL, ``synchronous=FULL``): a batch row, one ``leads``
row per line (the batch's constants written as literals, as the real import does), the lead
indexes and the search index rebuilt after the load, and one "imported" activity per lead
copied by ``INSERT … SELECT``. No validation, folding, merging, scoring or undo log: whatever
LeadDesk takes beyond this is its own work; this much is the schema's.

``--variant`` questions the schema itself (issue 21): the database copy given is changed first
(it is a scratch copy), then loaded the same way.

* ``as-migrated`` (default): the schema as the migrations leave it.
* ``no-fts``: without the search index (what the FTS5 table costs, by difference).
* ``fts-contentless``: the search index as a contentless FTS5 table (``content=''``), filled
  by ``INSERT … SELECT`` (the current one already keeps no copy: ``content='leads'``).
* ``fts-detail-none``: the search index without positions (``detail=none``); smaller, but
  multi-token phrases (``"first_last"*``) are then refused by FTS5.
* ``narrow``: timestamps stored as integer seconds and the activity payload as ``{}`` (what
  row width costs; LeadDesk's readers expect text timestamps: a measurement only).
* ``drop:IX[,IX…]``: without the named indexes (each index's cost, by difference; ``--steps``
  shows each index's build directly).

``--scores-from`` writes the scores LeadDesk stored for the same file (read from that
database in id order, i.e. file order) instead of zeros: the score indexes cost about 1.5x as
much to build over real, varied scores as over one constant value, so without it the floor is
lower than the same writes can be. ``--steps`` prints each statement's CPU and wall time to
stderr.

Prints ``COUNT WALL_S CPU_S``: the leads written and the load's own time, from opening the
database to the commit (start-up and reading the stored scores are not counted).
"""

from __future__ import annotations

import argparse
import csv
import sqlite3
import sys
import time
from collections.abc import Iterable
from typing import Any

STAMP = "2026-01-01 00:00:00.000000"
NARROW_STAMP = "1767225600"  # the same moment as integer seconds
LEAD_COLUMNS = (
    "email, email_key, first_name, last_name, company, title, phone, country, city, industry, "
    "company_size, timezone, custom_fields, score, fit_score, engagement_score, score_band, "
    "score_updated_at, source, owner_id, status, email_state, last_activity_at, import_batch_id, "
    "created_at, updated_at"
)
FTS_COLUMNS = "first_name, last_name, email, company, title"
FTS_OPTIONS = "tokenize='unicode61 remove_diacritics 2', columnsize=0"
VARIANTS = ("as-migrated", "no-fts", "fts-contentless", "fts-detail-none", "narrow")


class Steps:
    """Runs statements on ``connection``, timing each one when ``report`` is set."""

    def __init__(self, connection: sqlite3.Connection, report: bool) -> None:
        self.connection = connection
        self.report = report

    def __call__(self, sql: str, parameters: Iterable[Any] = ()) -> sqlite3.Cursor:
        """Execute one statement."""
        return self._timed(sql, lambda: self.connection.execute(sql, tuple(parameters)))

    def many(self, sql: str, rows: Iterable[Any]) -> sqlite3.Cursor:
        """Execute one statement for each of ``rows``."""
        return self._timed(sql, lambda: self.connection.executemany(sql, rows))

    def _timed(self, sql: str, run: Any) -> sqlite3.Cursor:
        cpu, wall = time.process_time(), time.perf_counter()
        cursor: sqlite3.Cursor = run()
        if self.report:
            label = " ".join(sql.split())[:70]
            print(
                f"{time.process_time() - cpu:7.3f} s CPU {time.perf_counter() - wall:7.3f} s "
                f"wall  {label}",
                file=sys.stderr,
            )
        return cursor


def _paused(run: Steps, table: str) -> list[str]:
    """Drop ``table``'s non-unique indexes (and the search trigger); return the SQL to restore."""
    restore = []
    for name, sql in run(
        "SELECT name, sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL "
        "AND (type = 'index' AND sql NOT LIKE 'CREATE UNIQUE%' "
        "OR type = 'trigger' AND name = 'leads_fts_after_insert')",
        (table,),
    ).fetchall():
        kind = "TRIGGER" if name.startswith("leads_fts") else "INDEX"
        run(f'DROP {kind} "{name}"')
        restore.append(sql)
    return restore


def _search_index(run: Steps, variant: str) -> str | None:
    """Reshape the search index for ``variant``; the statement that fills it (None: none)."""
    if variant in ("as-migrated", "narrow") or variant.startswith("drop:"):
        return "INSERT INTO leads_fts(leads_fts) VALUES ('rebuild')"
    for (name,) in run(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'leads_fts%'"
    ).fetchall():
        run(f'DROP TRIGGER "{name}"')
    run("DROP TABLE leads_fts")
    if variant == "no-fts":
        return None
    if variant == "fts-contentless":
        run(f"CREATE VIRTUAL TABLE leads_fts USING fts5({FTS_COLUMNS}, content='', {FTS_OPTIONS})")
    else:
        run(f"CREATE VIRTUAL TABLE leads_fts USING fts5({FTS_COLUMNS}, detail=none, "
            f"content='leads', content_rowid='id', {FTS_OPTIONS})")  # fmt: skip
        return "INSERT INTO leads_fts(leads_fts) VALUES ('rebuild')"
    return f"INSERT INTO leads_fts(rowid, {FTS_COLUMNS}) SELECT id, {FTS_COLUMNS} FROM leads"


def prepare(run: Steps, variant: str) -> str | None:
    """Change the schema copy for ``variant``; returns the statement that fills the search index."""
    if variant not in VARIANTS and not variant.startswith("drop:"):
        raise SystemExit(f"unknown --variant {variant!r}: {', '.join(VARIANTS)} or drop:IX,…")
    drops = variant[5:].split(",") if variant.startswith("drop:") else []
    for name in filter(None, drops):
        run(f'DROP INDEX "{name}"')
    return _search_index(run, variant)


def stored_scores(database: str) -> list[tuple[Any, ...]]:
    """The score columns of every lead in ``database``, in id order."""
    with sqlite3.connect(database) as connection:
        return connection.execute(
            "SELECT score, fit_score, engagement_score, score_band, score_updated_at "
            "FROM leads ORDER BY id"
        ).fetchall()


def load(
    database: str,
    source: str,
    variant: str = "as-migrated",
    steps: bool = False,
    scores: list[tuple[Any, ...]] | None = None,
) -> int:
    """Write the leads of ``source`` into ``database`` as described above; return the count."""
    connection = sqlite3.connect(database, isolation_level=None)
    run = Steps(connection, steps)
    run("PRAGMA journal_mode=WAL")
    run("PRAGMA synchronous=FULL")
    run("PRAGMA foreign_keys=ON")
    run("PRAGMA cache_size=-32768")
    fill_search = prepare(run, variant)
    stamp = NARROW_STAMP if variant == "narrow" else f"'{STAMP}'"
    run("BEGIN IMMEDIATE")
    batch = run(
        "INSERT INTO import_batches (filename, source, kind, on_existing, state, options, rows, "
        "imported, merged, rejected, suppressed, created_at) "
        "VALUES ('leads.csv', 'bench', 'leads', 'fill', 'done', '{}', 0, 0, 0, 0, 0, ?)",
        (STAMP,),
    ).lastrowid
    restore = _paused(run, "leads")
    constants = f"'bench', NULL, 'new', 'ok', {stamp}, {batch}, {stamp}, {stamp}"
    with open(source, newline="", encoding="utf-8") as handle:
        rows = csv.reader(handle)
        next(rows)
        if scores is None:
            run.many(
                f"INSERT INTO leads ({LEAD_COLUMNS}) VALUES "
                f"(?, lower(?), ?, ?, ?, ?, ?, ?, ?, '', '', '', '{{}}', 0, 0, 0, 'cold', NULL, "
                f"{constants})",
                ((r[0], r[0], *r[1:]) for r in rows),
            )
        else:
            run.many(
                f"INSERT INTO leads ({LEAD_COLUMNS}) VALUES "
                f"(?, lower(?), ?, ?, ?, ?, ?, ?, ?, '', '', '', '{{}}', ?, ?, ?, ?, ?, "
                f"{constants})",
                ((r[0], r[0], *r[1:], *s) for r, s in zip(rows, scores, strict=True)),
            )
    for sql in restore:
        run(sql)
    if fill_search is not None:
        run(fill_search)
    restore = _paused(run, "activities")
    payload = "{}" if variant == "narrow" else f'{{"batch_id": {batch}}}'
    run(
        "INSERT INTO activities (lead_id, kind, occurred_at, recorded_at, origin, payload, "
        f"import_batch_id) SELECT id, 'imported', {stamp}, {stamp}, 'import', "
        f"'{payload}', {batch} FROM leads WHERE import_batch_id = {batch}"
    )
    for sql in restore:
        run(sql)
    count = run("SELECT count(*) FROM leads").fetchone()[0]
    run("COMMIT")
    connection.close()
    return int(count)


def main() -> None:
    """Parse the command line and load."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database", help="an empty, migrated LeadDesk database (it is changed)")
    parser.add_argument("source", help="the benchmark's CSV")
    parser.add_argument("--variant", default="as-migrated", help=", ".join(VARIANTS) + ", drop:IX")
    parser.add_argument("--steps", action="store_true", help="time each statement (stderr)")
    parser.add_argument("--scores-from", help="write the scores stored in this database")
    args = parser.parse_args()
    scores = stored_scores(args.scores_from) if args.scores_from else None
    cpu, wall = time.process_time(), time.perf_counter()
    count = load(args.database, args.source, args.variant, args.steps, scores)
    print(count, f"{time.perf_counter() - wall:.3f}", f"{time.process_time() - cpu:.3f}")


if __name__ == "__main__":
    main()
