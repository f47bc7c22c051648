"""Benchmark: scoring 100,000 leads with 500,000 activities.

Run from the repository root: ``python tests/bench/bench_scoring.py [--leads N] [--activities M]``.
Prints each figure next to its target (issues 4 and 21) and, for the every-lead passes, next to a
reference measured in the same run: reading the rows those passes read, with nothing done to
them (``SELECT lead_id, kind, occurred_at FROM activities`` and the leads' score columns, straight
from sqlite3) — the floor of any pass over the data:

* first full score of the data set     < 5 s (issue 21)
* full re-score after a rule change    < 5 s
* periodic decay pass (an hour, a day) < 2 s (issue 21)
* one lead's breakdown                 < 20 ms
* one new activity re-scores its lead  < 5 ms (the whole door call: append + re-score)
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import insert

from leaddesk.activities import ActivityEvent, ActivityKind, record_activity
from leaddesk.db.migrate import open_database
from leaddesk.db.models import Activity, Lead
from leaddesk.scoring import (
    apply_config,
    decay_scores,
    explain_lead,
    load_config,
    rescore_all,
    what_if,
)

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
TITLES = ["VP Sales", "CEO", "Director of IT", "Operations Manager", "Student", "Analyst", "Intern"]
INDUSTRIES = ["Software", "Retail", "Education", "Logistics", "Media", "Energy"]
SIZES = ["1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000"]
COUNTRIES = ["Germany", "France", "Japan", "United States", "Brazil", "Spain"]
KINDS = [
    ActivityKind.WHITEPAPER_DOWNLOAD,
    ActivityKind.CASE_STUDY_DOWNLOAD,
    ActivityKind.WEBINAR_REGISTERED,
    ActivityKind.WEBINAR_ATTENDED,
    ActivityKind.WEBSITE_VISIT,
    ActivityKind.EMAIL_SENT,
    ActivityKind.REPLIED,
    ActivityKind.CONSULTATION_REQUESTED,
]
WEIGHTS = [20, 10, 8, 5, 30, 40, 4, 1]


def build(db_path: Path, leads: int, activities: int, seed: int = 1) -> None:
    """Fill a fresh database with random leads and activities using Core bulk inserts."""
    rng = random.Random(seed)
    db = open_database(str(db_path))
    with db.write() as session:
        rows = [
            {
                "email": f"lead{i}@company{i % 5000}.example",
                "email_key": f"lead{i}@company{i % 5000}.example",
                "title": rng.choice(TITLES),
                "industry": rng.choice(INDUSTRIES),
                "company_size": rng.choice(SIZES),
                "country": rng.choice(COUNTRIES),
                "source": rng.choice(["CloudOps Expo Berlin", "Website", "Partner"]),
                "custom_fields": {},
            }
            for i in range(leads)
        ]
        for start in range(0, leads, 20_000):
            session.execute(insert(Lead), rows[start : start + 20_000])
        ids = list(range(1, leads + 1))
        batch: list[dict[str, object]] = []
        for _ in range(activities):
            kind = rng.choices(KINDS, WEIGHTS)[0]
            page = rng.choice(["/", "/pricing", "/blog"]) if kind == "website_visit" else None
            batch.append(
                {
                    "lead_id": rng.choice(ids),
                    "kind": str(kind),
                    "occurred_at": NOW - timedelta(minutes=rng.randint(0, 60 * 24 * 400)),
                    "recorded_at": NOW,
                    "origin": "bench",
                    "payload": {"page": page} if page else {},
                }
            )
            if len(batch) == 50_000:
                session.execute(insert(Activity), batch)
                batch = []
        if batch:
            session.execute(insert(Activity), batch)
    db.dispose()


def main() -> int:
    """Build the data set, time the three operations and print them against the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--activities", type=int, default=500_000)
    parser.add_argument("--keep", type=Path, help="keep the scored database at this path")
    parser.add_argument("--reuse", type=Path, help="start from a copy of a kept database")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="leaddesk-bench-"))
    db_path = folder / "bench.sqlite3"
    print("wall = elapsed time; cpu = this process's CPU time (the figure to trust on a busy "
          "machine)")  # fmt: skip
    if args.reuse:
        shutil.copy(args.reuse, db_path)
        args.leads = _count_leads(db_path)
    else:
        started = time.perf_counter()
        build(db_path, args.leads, args.activities)
        print(f"built {args.leads:,} leads / {args.activities:,} activities "
              f"in {time.perf_counter() - started:.1f} s ({db_path})")  # fmt: skip
    floor = _read_floor(db_path)
    print(f"reference: read every activity and lead:    {floor}  (same run; the floor)")
    db = open_database(str(db_path))
    with db.write() as session, Timer() as timer:
        first = rescore_all(session, NOW)
    print(f"first full score of the data set:           {timer}  target < 5 s  "
          f"{timer.verdict(5)}  {timer.times(floor)}  ({first.changed:,} written, "
          f"{sum(first.crossings.values()):,} crossings recorded through the door)")  # fmt: skip
    if args.keep:
        db.dispose()
        shutil.copy(db_path, args.keep)
        db = open_database(str(db_path))

    with db.session() as session:
        proposal = load_config(session).with_changes(sales_ready_threshold=65.0)
        with Timer() as timer:
            preview = what_if(session, proposal, NOW)
    print(f"what-if of a threshold change (no writes):  {timer}  "
          f"{preview.changed:,} leads would change band")  # fmt: skip

    with db.write() as session:
        config = load_config(session)
        rules = [
            rule.__class__(**{**rule.to_dict(), "points": rule.points + 1})
            if rule.activity_kind == ActivityKind.WEBINAR_ATTENDED
            else rule
            for rule in config.rules
        ]
        with Timer() as timer:
            summary = apply_config(session, config.with_changes(rules=rules), NOW)
    print(f"full re-score after a rule change:          {timer}  target < 5 s  "
          f"{timer.verdict(5)}  ({summary.changed:,} changed, "
          f"{sum(summary.crossings.values()):,} crossings recorded)")  # fmt: skip

    for label, later in (("an hour", timedelta(hours=1)), ("a day", timedelta(days=1, hours=1))):
        with db.write() as session, Timer() as timer:
            decay = decay_scores(session, NOW + later)
        print(f"{'periodic decay pass, ' + label + ' later:':<44}{timer}  target < 2 s  "
              f"{timer.verdict(2)}  {timer.times(floor)}  ({decay.changed:,} written, "
              f"{sum(decay.crossings.values()):,} crossings)")  # fmt: skip
    with db.write() as session, Timer() as timer:
        full = rescore_all(session, NOW + timedelta(days=2, hours=1))
    print(f"(same day's changes by the full re-score:   {timer}  {timer.times(floor)}  "
          f"{full.changed:,} written: every score that moved at all)")  # fmt: skip

    rng = random.Random(3)
    sample = [rng.randint(1, args.leads) for _ in range(200)]
    timings: list[tuple[float, float]] = []
    for lead_id in sample:
        with db.write() as session, Timer() as timer:
            explain_lead(session, lead_id, NOW + timedelta(days=1))
        timings.append((timer.wall, timer.cpu))
    _report("one lead's breakdown", timings, 20)

    timings = []
    for lead_id in sample:
        with db.write() as session, Timer() as timer:
            event = ActivityEvent(lead_id, ActivityKind.WHITEPAPER_DOWNLOAD, origin="bench")
            record_activity(session, event, now=NOW + timedelta(days=1))
            session.flush()
        timings.append((timer.wall, timer.cpu))
    _report("one new activity (door + re-score)", timings, 5)
    db.dispose()
    return 0


class Timer:
    """Wall and CPU seconds of a ``with`` block."""

    def __enter__(self) -> Timer:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu

    def verdict(self, target: float) -> str:
        """OK when the CPU time is under ``target`` seconds."""
        return "OK" if self.cpu < target else "OVER"

    def times(self, reference: Timer) -> str:
        """This block's CPU time as a multiple of ``reference``'s."""
        return f"{self.cpu / max(reference.cpu, 1e-9):4.1f}× ref"

    def __str__(self) -> str:
        return f"wall {self.wall:6.2f} s, cpu {self.cpu:6.2f} s"


def _read_floor(path: Path) -> Timer:
    """Time reading the rows every-lead passes read, with nothing done to them."""
    with sqlite3.connect(path) as connection, Timer() as timer:
        connection.execute("SELECT lead_id, kind, occurred_at FROM activities").fetchall()
        connection.execute(
            "SELECT id, fit_score, engagement_score, score, score_band FROM leads"
        ).fetchall()
    return timer


def _count_leads(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return int(connection.execute("SELECT max(id) FROM leads").fetchone()[0])


def _report(what: str, timings: list[tuple[float, float]], target_ms: float) -> None:
    wall = statistics.median(t[0] for t in timings) * 1000
    cpu = statistics.median(t[1] for t in timings) * 1000
    p95 = sorted(t[1] for t in timings)[int(len(timings) * 0.95)] * 1000
    verdict = "OK" if cpu < target_ms else "OVER"
    print(f"{what + ':':<44}median wall {wall:.2f} ms, cpu {cpu:.2f} ms (p95 cpu {p95:.2f} ms)"
          f"  target < {target_ms:g} ms  {verdict}")  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
