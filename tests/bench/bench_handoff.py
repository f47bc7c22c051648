"""Benchmark: the hand-off timers in the tick, and one hand-off through the event door.

Run from the repository root: ``python tests/bench/bench_handoff.py [--leads N] [--handoffs M]
[--keep DIR]``. Builds 100,000 leads with ~500,000 activities, a team of three reps and a
manager with assignment rules, a sender account, and 5,000 open hand-offs whose deadlines fall
between 48 h ago and 48 h ahead (the missed ones already breached or escalated: steady state).
Prints each figure next to its target from the issue and a reference measured in the same run:

* ``tick`` (cron, every 5 minutes) over 100,000 leads with 5,000 open hand-offs  < 1 s
  (reference: the same tick on a copy of the database before any hand-off was open, and
  ``SELECT count(*) FROM leads``)
* one hand-off: door -> crossing -> assignment -> task -> alert queued        < 20 ms
  (reference: the same door call for a note, which crosses nothing)

Both are wall times of the whole write transaction (commit included); CPU time is printed
beside them. Each tick opens its own connection, as ``leaddesk tick`` from cron does. The hourly
score decay is not part of the tick figures (it is noted as just run); bench_scoring measures it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import func, select, text

from leaddesk.activities import ActivityEvent, ActivityKind, record_activity
from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.migrate import open_database
from leaddesk.db.models import Handoff, MessagePurpose, OutboundMessage
from leaddesk.tick import run_tick
from tests.bench.handoff_data import add_open_handoffs, build_base

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday morning
TICKS, EVERY = 12, timedelta(minutes=5)


def main() -> int:
    """Build both databases, time the tick and one hand-off, print them against the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--handoffs", type=int, default=5_000)
    parser.add_argument("--activities", type=int, help="default: 5 per lead")
    parser.add_argument("--probes", type=int, default=200, help="hand-offs (and notes) timed")
    parser.add_argument("--keep", type=Path, help="build the databases in DIR and keep them")
    args = parser.parse_args()
    activities = args.activities if args.activities is not None else 5 * args.leads
    folder = args.keep or Path(tempfile.mkdtemp(prefix="leaddesk-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["LEADDESK_HOME"] = str(folder / "home")  # keep local prefs out of the user's
    started = time.perf_counter()
    try:
        _run(args, activities, folder)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"total run time {time.perf_counter() - started:.1f} s")
    return 0


def _run(args: argparse.Namespace, activities: int, folder: Path) -> None:
    print(f"Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}, "
          f"leads {args.leads:,}, open hand-offs {args.handoffs:,}")  # fmt: skip
    print("wall = elapsed time (the figure held against the target); cpu = this process's CPU")
    main_path, ref_path = folder / "bench.sqlite3", folder / "reference.sqlite3"
    for path in (main_path, ref_path):
        path.unlink(missing_ok=True)
    with Timer() as timer:
        db = open_database(str(main_path))
        data = build_base(db, args.leads, activities, NOW, args.probes)
        db.dispose()
        _copy(main_path, ref_path)  # the reference: the same data before any hand-off is open
        db = open_database(str(main_path))
        breached = add_open_handoffs(db, data, args.handoffs, NOW)
    print(f"built {args.leads:,} leads, {_count(db, 'activities'):,} activities, "
          f"{args.handoffs:,} open hand-offs ({breached:,} already breached) in "
          f"{timer.wall:.1f} s ({folder})")  # fmt: skip
    db.dispose()

    reference, idle = _ticks(ref_path)
    timings, totals = _ticks(main_path)
    for did in (idle, totals):  # steady state: no catch-up hand-off, nobody unassigned
        assert did["handed_off"] == 0 and did["assigned"] == 0, did
    assert not any(idle.values()), idle
    assert totals["breached"] > 0, "no deadline crossed inside the measured window"
    db = open_database(str(main_path))
    counts = [_timed(lambda: _count(db, "leads")) for _ in range(5)]
    print(f"\ntick x{TICKS}, one every {EVERY.seconds // 60} min (run_tick, send=False):")
    _report(f"with {args.handoffs:,} open hand-offs", timings, 1000, per="tick")
    print(f"    did {totals['breached']} breaches, {totals['escalated']} escalations, "
          f"{totals['stuck']} stuck, {totals['alerts']} alerts in {TICKS} ticks")  # fmt: skip
    _report("reference: no hand-off open", reference, None, per="tick")
    _report(f"reference: SELECT count(*) FROM leads ({args.leads:,})", counts, None)
    print("    decay is hourly (noted as just run, so not in these figures); a full "
          "re-score pass is measured in bench_scoring (target < 5 s)")  # fmt: skip

    moment = NOW + TICKS * EVERY
    handoffs, notes = [], []
    for number, (probe, quiet) in enumerate(zip(data.probes, data.quiet, strict=True)):
        at = moment + timedelta(seconds=number)
        notes.append(_door(db, quiet, ActivityKind.NOTE, at, {"text": "Called, no answer"}))
        handoffs.append(_door(db, probe, ActivityKind.CONSULTATION_REQUESTED, at, {}))
    _verify(db, data.probes, data.quiet)
    print(f"\none door call per lead, {len(handoffs)} leads (whole write transaction):")
    _report("consultation request -> hand-off + alert", handoffs, 20)
    _report("reference: a note (no crossing)", notes, None)
    db.dispose()


def _ticks(path: Path) -> tuple[list[tuple[float, float]], dict[str, int]]:
    """Run the tick like cron: a fresh connection each time, the clock 5 minutes further on."""
    clock, timings = FixedClock(NOW), []
    totals = dict.fromkeys(("handed_off", "assigned", "breached", "escalated", "stuck"), 0)
    totals["alerts"] = 0
    for _ in range(TICKS):
        db = open_database(str(path))
        with Timer() as timer:
            report = run_tick(db, clock, send=False)
        db.dispose()
        assert report.decay is None, "the hourly decay ran inside the measured ticks"
        timings.append((timer.wall, timer.cpu))
        for key in totals:
            totals[key] += getattr(report.handoff, key)
        clock.advance(EVERY)
    return timings, totals


def _door(
    db: Database, lead_id: int, kind: str, at: datetime, payload: dict[str, str]
) -> tuple[float, float]:
    """Time one event through the door, commit included."""
    with Timer() as timer, db.write() as session:
        record_activity(session, ActivityEvent(lead_id, kind, at, payload, "bench"), now=at)
    return timer.wall, timer.cpu


def _verify(db: Database, probes: list[int], quiet: list[int]) -> None:
    """Each consultation made exactly one hand-off and one alert; no note made any."""
    with db.session() as session:
        made = dict(session.execute(select(Handoff.lead_id, func.count())
                                    .where(Handoff.lead_id.in_(probes + quiet))
                                    .group_by(Handoff.lead_id)).all())  # fmt: skip
        alerts = dict(session.execute(select(OutboundMessage.about_lead_id, func.count())
                                      .where(OutboundMessage.purpose == MessagePurpose.ALERT,
                                             OutboundMessage.about_lead_id.in_(probes + quiet))
                                      .group_by(OutboundMessage.about_lead_id)).all())  # fmt: skip
    bad = [p for p in probes if made.get(p) != 1 or alerts.get(p) != 1]
    assert not bad, f"lead {bad[0]}: {made.get(bad[0])} hand-offs, {alerts.get(bad[0])} alerts"
    assert not any(q in made or q in alerts for q in quiet), "a note handed a lead off"


def _count(db: Database, table: str) -> int:
    with db.session() as session:
        return int(session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def _timed(job: Callable[[], object]) -> tuple[float, float]:
    with Timer() as timer:
        job()
    return timer.wall, timer.cpu


def _copy(source: Path, target: Path) -> None:
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


class Timer:
    """Wall and CPU seconds of a ``with`` block."""

    def __enter__(self) -> Timer:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu


def _report(
    what: str, timings: list[tuple[float, float]], target_ms: float | None, per: str = ""
) -> None:
    """Median (and max or p95) in ms; the verdict holds the median wall time to the target."""
    walls = sorted(t[0] * 1000 for t in timings)
    cpu = statistics.median(t[1] for t in timings) * 1000
    wall = statistics.median(walls)
    spread = f"max {walls[-1]:.1f}" if per else f"p95 {walls[int(len(walls) * 0.95)]:.1f}"
    verdict = (
        f"  target < {target_ms:g} ms  {'OK' if wall < target_ms else 'OVER'}"
        if target_ms is not None
        else ""
    )
    print(f"  {what + ':':<50}median wall {wall:7.1f} ms ({spread}), cpu {cpu:7.1f} ms"
          f"{verdict}")  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
