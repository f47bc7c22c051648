"""Benchmark: the re-engagement pass over 100,000 leads.

Run from the repository root: ``python3 tests/bench/bench_reengagement.py [--leads N]
[--dry-only]``. Prints each figure next to its target from issue 13, with a reference measured in
the same run:

* the daily pass that finds the leads the rule names and enrols the new ones  < 1 s
* the dry run (the Settings preview's count), for information
* reference: one plain ``count(*)`` of the leads quiet for 90 days (a full scan of ``leads``)

The first real pass after switching the rule on enrols the first few thousand named leads (the
rest follow in the hourly passes; its time is printed for information); the figure held against
the target is the daily pass, which finds the named leads and enrols the next ones.
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

from sqlalchemy import insert, select, text

from leaddesk.activities import ActivityKind
from leaddesk.db.migrate import open_database
from leaddesk.db.models import Activity, Enrollment, Lead
from leaddesk.outcomes.config import ReengagementSettings, save_reengagement
from leaddesk.outcomes.reengagement import MAX_PER_PASS, eligible_leads, run_reengagement
from leaddesk.sequences.presets import load_preset, sequence_from_document

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
STATUSES = ["new", "nurturing", "nurturing", "recycled", "handed_off", "lost", "customer"]


def build(path: Path, leads: int, seed: int = 3) -> tuple[object, int]:
    """A database of ``leads`` leads with mixed statuses and quiet periods (Core inserts)."""
    rng = random.Random(seed)
    db = open_database(str(path))
    with db.write() as session:
        rows, lost = [], []
        for n in range(leads):
            status = rng.choice(STATUSES)
            rows.append(
                {
                    "email": f"lead{n}@co{n % 5000}.example",
                    "email_key": f"lead{n}@co{n % 5000}.example",
                    "status": status,
                    "custom_fields": {},
                    "last_activity_at": NOW - timedelta(days=rng.randint(0, 400)),
                    "created_at": NOW - timedelta(days=500),
                    "updated_at": NOW,
                }
            )
            if status == "lost":
                lost.append(
                    {
                        "lead_id": n + 1,
                        "kind": ActivityKind.DEAL_LOST,
                        "occurred_at": NOW - timedelta(days=rng.randint(0, 300)),
                        "recorded_at": NOW,
                        "origin": "user",
                        "payload": {"reason": "bad timing"},
                    }
                )
        for start in range(0, leads, 20_000):
            session.execute(insert(Lead), rows[start : start + 20_000])
        session.execute(insert(Activity), lost)
        sequence = sequence_from_document(session, load_preset("reengagement"))
        enrolled = [
            {"lead_id": i, "sequence_id": sequence.id, "version_id": sequence.versions[0].id,
             "state": "active", "enrolled_at": NOW, "origin": "user", "current_position": 0,
             "exit_reason": ""}
            for i in range(1, leads + 1, 9)
        ]  # fmt: skip
        session.execute(insert(Enrollment), enrolled)
        rule = ReengagementSettings(enabled=True, sequence_id=sequence.id)
        save_reengagement(session, rule)
    return db, sequence.id


def _timed(action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - started


def main() -> int:
    """Build, then measure the dry run, the first pass and the daily pass."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument(
        "--dry-only",
        action="store_true",
        help="measure the dry run and its reference only (switching on a million leads takes "
        "hundreds of passes)",
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="leaddesk-bench-reengage-"))
    try:
        versions = f"Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}"
        print(f"{versions}, leads {args.leads:,}")
        started = time.perf_counter()
        db, _sequence_id = build(folder / "bench.sqlite3", args.leads)
        print(f"built in {time.perf_counter() - started:.1f} s")
        cutoff = NOW - timedelta(days=90)

        def reference() -> None:
            with db.session() as session:  # type: ignore[attr-defined]
                quiet = Lead.last_activity_at < cutoff
                session.scalar(select(text("count(*)")).select_from(Lead).where(quiet))

        def dry() -> None:
            with db.session() as session:  # type: ignore[attr-defined]
                eligible_leads(session, NOW)

        reference_times = [_timed(reference) for _ in range(5)]
        dry_times = [_timed(dry) for _ in range(5)]
        with db.session() as session:  # type: ignore[attr-defined]
            named, kinds = eligible_leads(session, NOW)
        if args.dry_only:
            print(f"the rule names {len(named):,} leads today ({kinds})")
            print(
                f"  dry run (find and count):         median "
                f"{statistics.median(dry_times) * 1000:8.1f} ms  (information: Settings preview)"
            )
            print(
                "  reference: count(*) of quiet leads: median "
                f"{statistics.median(reference_times) * 1000:8.1f} ms"
            )
            return 0
        backlog_started, passes, enrolled = time.perf_counter(), 0, 0
        while True:  # switching on: the hourly passes take the named leads a few thousand each
            with db.write() as session:  # type: ignore[attr-defined]
                report = run_reengagement(session, NOW)
            passes, enrolled = passes + 1, enrolled + report.enrolled
            if report.enrolled == 0:
                break
        backlog_seconds = time.perf_counter() - backlog_started
        daily, added = [], 0
        for day in range(1, 6):
            with db.write() as session:  # type: ignore[attr-defined]
                started = time.perf_counter()
                report = run_reengagement(session, NOW + timedelta(days=day))
                daily.append(time.perf_counter() - started)
                added += report.enrolled
        median_dry, median_daily = statistics.median(dry_times), statistics.median(daily)
        verdict = "OK" if median_daily < 1.0 else "OVER"
        target = f"target < 1000 ms  {verdict}"
        reference_ms = statistics.median(reference_times) * 1000
        print(f"the rule names {len(named):,} leads today ({kinds})")
        print(
            f"  dry run (find and count):         median {median_dry * 1000:8.1f} ms  "
            "(information: Settings preview)"
        )
        print(
            f"  daily pass (find, enrol new ones): median {median_daily * 1000:8.1f} ms  {target}"
        )
        print(f"    it enrolled {added:,} newly quiet leads over 5 days")
        print(f"  reference: count(*) of quiet leads: median {reference_ms:8.1f} ms")
        print(
            f"  switching on: {enrolled:,} leads in {passes} passes of at most {MAX_PER_PASS:,}, "
            f"{backlog_seconds:.1f} s in all"
        )
        return 0 if verdict == "OK" else 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
