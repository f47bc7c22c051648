"""The least any import into LeadDesk's schema can cost: the same writes with no Python logic.

    python tests/bench/schema_floor.py EMPTY_MIGRATED_DB LEADS_CSV

Used by ``bench_import.py`` as a second reference. It reads the benchmark's 8-column CSV with
the ``csv`` module and writes what a LeadDesk import of new leads must write, in one
transaction with LeadDesk's settings (WAL, ``synchronous=FULL``): a batch row, one ``leads``
row per line (the batch's constants written as literals, as the real import does), the lead
indexes and the search index rebuilt after the load, and one "imported" activity per lead
copied by ``INSERT … SELECT``. No validation, folding, merging, scoring or undo log: whatever
LeadDesk takes beyond this is its own work; this much is the schema's.
"""

from __future__ import annotations

import csv
import sqlite3
import sys

STAMP = "2026-01-01 00:00:00.000000"
LEAD_COLUMNS = (
    "email, email_key, first_name, last_name, company, title, phone, country, city, industry, "
    "company_size, timezone, custom_fields, score, fit_score, engagement_score, score_band, "
    "score_updated_at, source, owner_id, status, email_state, last_activity_at, import_batch_id, "
    "created_at, updated_at"
)


def _paused(connection: sqlite3.Connection, table: str) -> list[str]:
    """Drop ``table``'s non-unique indexes (and the search trigger); return the SQL to restore."""
    restore = []
    for name, sql in connection.execute(
        "SELECT name, sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL "
        "AND (type = 'index' AND sql NOT LIKE 'CREATE UNIQUE%' "
        "OR type = 'trigger' AND name = 'leads_fts_after_insert')",
        (table,),
    ).fetchall():
        kind = "TRIGGER" if name.startswith("leads_fts") else "INDEX"
        connection.execute(f'DROP {kind} "{name}"')
        restore.append(sql)
    return restore


def load(database: str, source: str) -> int:
    """Write the leads of ``source`` into ``database`` as described above; return the count."""
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("PRAGMA cache_size=-32768")
    connection.execute("BEGIN IMMEDIATE")
    batch = connection.execute(
        "INSERT INTO import_batches (filename, source, kind, on_existing, state, options, rows, "
        "imported, merged, rejected, suppressed, created_at) "
        "VALUES ('leads.csv', 'bench', 'leads', 'fill', 'done', '{}', 0, 0, 0, 0, 0, ?)",
        (STAMP,),
    ).lastrowid
    restore = _paused(connection, "leads")
    constants = f"'bench', NULL, 'new', 'ok', '{STAMP}', {batch}, '{STAMP}', '{STAMP}'"
    with open(source, newline="", encoding="utf-8") as handle:
        rows = csv.reader(handle)
        next(rows)
        connection.executemany(
            f"INSERT INTO leads ({LEAD_COLUMNS}) VALUES "
            f"(?, lower(?), ?, ?, ?, ?, ?, ?, ?, '', '', '', '{{}}', 0, 0, 0, 'cold', NULL, "
            f"{constants})",
            ((r[0], r[0], *r[1:]) for r in rows),
        )
    for sql in restore:
        connection.execute(sql)
    connection.execute("INSERT INTO leads_fts(leads_fts) VALUES ('rebuild')")
    restore = _paused(connection, "activities")
    connection.execute(
        "INSERT INTO activities (lead_id, kind, occurred_at, recorded_at, origin, payload, "
        f"import_batch_id) SELECT id, 'imported', '{STAMP}', '{STAMP}', 'import', "
        f"'{{\"batch_id\": {batch}}}', {batch} FROM leads WHERE import_batch_id = {batch}"
    )
    for sql in restore:
        connection.execute(sql)
    count = connection.execute("SELECT count(*) FROM leads").fetchone()[0]
    connection.execute("COMMIT")
    connection.close()
    return int(count)


if __name__ == "__main__":
    print(load(sys.argv[1], sys.argv[2]))
