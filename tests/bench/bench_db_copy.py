"""Benchmark: `leaddesk db copy` of 100,000 leads with their activities to a loopback PostgreSQL.

Run from the repository root: ``python3 tests/bench/bench_db_copy.py [--leads N]`` (needs
PostgreSQL's server binaries, as the tests do: ``bash packaging/test.sh`` installs them).

The source is a SQLite file built by ``inbox_data.build_inbox`` (leads, tags, one or two
activities each, enrollments). The copy (every table, in one transaction, then a re-read of
the target with a checksum per table) is timed against the reference measured in the same
run: PostgreSQL's own ``COPY FROM STDIN`` of the same rows of every table into a second empty
database, with no LeadDesk logic and no verification — the floor for moving the data.
Target: under 60 s.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> int:
    """Build the source, run the reference and the copy, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    args = parser.parse_args()
    import psycopg
    from sqlalchemy import text

    from leaddesk.db.copy import copy_database, tables
    from leaddesk.db.engine import Database
    from leaddesk.db.migrate import open_database
    from tests.bench.inbox_data import build_inbox
    from tests.support.postgres import postgres_server

    with tempfile.TemporaryDirectory() as folder, postgres_server() as url:
        source_path = Path(folder) / "local.sqlite3"
        source = open_database(str(source_path))
        build_inbox(source, args.leads, now=datetime.now(UTC))
        admin = Database(url)
        with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            for name in ("floor", "team"):
                c.execute(text(f"CREATE DATABASE {name}"))
        admin.dispose()
        base = url.rsplit("/", 1)[0]
        floor_db = open_database(f"{base}/floor")
        floor_db.dispose()
        raw = sqlite3.connect(source_path)
        started = time.perf_counter()
        with psycopg.connect(f"{base}/floor") as pg, pg.cursor() as cursor:
            for table in reversed(tables()):
                cursor.execute(f'DELETE FROM "{table.name}"')
            for table in tables():
                columns = [c.name for c in table.columns]
                names = ", ".join(f'"{c}"' for c in columns)
                rows = raw.execute(f'SELECT {names} FROM "{table.name}"')
                with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
        floor = time.perf_counter() - started
        raw.close()
        team = open_database(f"{base}/team")
        started = time.perf_counter()
        report = copy_database(source, team)
        seconds = time.perf_counter() - started
        counts = {t.name: t.rows for t in report.tables}
        print(f"source: {counts['leads']:,} leads, {counts['activities']:,} activities, "
              f"{report.rows:,} rows in {len(report.tables)} tables")  # fmt: skip
        print(f"reference (PostgreSQL COPY of the same rows, no checks): {floor:6.1f} s")
        print(f"leaddesk db copy (one transaction, verified per table):  {seconds:6.1f} s  "
              f"verified={report.verified}")  # fmt: skip
        print(f"target: < 60 s; ratio to the reference {seconds / floor:.1f}x")
        team.dispose()
        source.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
