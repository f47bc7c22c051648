"""Benchmark: every report at 100,000 leads × 1,000,000 activities.

Run from the repository root: ``python tests/bench/bench_reports.py [--leads N --activities M]``.
Prints each report's median time (last 90 days, with its previous-period comparison, and again
filtered to one source) next to the target from issue 14 (< 1 s each), with a reference measured
in the same run: one plain ``count(*)`` of the activity table, and the same count over the
period (the smallest scan any report of that period makes).
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import func, select

from leaddesk.db.migrate import open_database
from leaddesk.db.models import Activity, Lead
from leaddesk.reports.catalog import REPORTS, make_report
from leaddesk.reports.model import ReportFilter, preset_period
from tests.bench.reports_data import SOURCES, build

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
TARGET = 1.0


def _median(action: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    """Build the data set, then time the references and each report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="build into (or reuse) this database file")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="leaddesk-bench-reports-"))
    try:
        print(f"Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}")
        started = time.perf_counter()
        path = args.keep or folder / "bench.sqlite3"
        fresh = not path.exists()
        db = open_database(str(path))
        if fresh:
            build(db, args.leads, args.activities, NOW)
        with db.session() as session:
            leads = session.scalar(select(func.count()).select_from(Lead))
            acts = session.scalar(select(func.count()).select_from(Activity))
        took = time.perf_counter() - started
        print(f"built {leads:,} leads, {acts:,} activities in {took:.0f} s")
        period = preset_period("90d", NOW)
        everything = ReportFilter(period)
        one_source = ReportFilter(period, source=SOURCES[0])

        def count_all() -> None:
            with db.session() as session:
                session.scalar(select(func.count()).select_from(Activity))

        def count_period() -> None:
            with db.session() as session:
                session.scalar(
                    select(func.count())
                    .select_from(Activity)
                    .where(Activity.occurred_at >= period.start, Activity.occurred_at < period.end)
                )

        print(f"period {period.label()} (and the 90 days before, for the comparison)")
        for label, action in (("all activities", count_all), ("the period's", count_period)):
            print(f"  reference: count(*) of {label:<15} median {_median(action) * 1000:7.1f} ms")
        worst = 0.0
        for name, (title, _maker, _what) in REPORTS.items():
            figures = []
            for flt in (everything, one_source):

                def make(flt: ReportFilter = flt, name: str = name) -> None:
                    with db.session() as session:
                        make_report(session, name, flt, NOW)

                seconds = _median(make)
                worst = max(worst, seconds)
                figures.append(f"{seconds * 1000:7.1f} ms")
            verdict = "OK" if max(float(f.split()[0]) for f in figures) < TARGET * 1000 else "OVER"
            print(f"  {title:<20} all: {figures[0]}   one source: {figures[1]}   "
                  f"target < 1000 ms  {verdict}")  # fmt: skip
        db.dispose()
        print(f"slowest report: {worst * 1000:.0f} ms")
        return 0 if worst < TARGET else 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
