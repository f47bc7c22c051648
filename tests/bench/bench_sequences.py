"""Benchmark: enrol many leads, catch up after a 3-day sleep, simulate two months.

Run from the repository root: ``python3 tests/bench/bench_sequences.py [--leads 5000]
[--rounds 5]`` (the catch-up tick on a fresh copy each round, the median printed).
Same-run reference for the catch-up tick: the write floor, i.e. the same outbox rows (rendered
emails included) written again with one Core insert and rolled back. Target (issue 21): the
catch-up tick of 5,000 messages < 1.5 s.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import func, insert, select

from leaddesk.db.migrate import open_database
from leaddesk.db.models import Lead, OutboundMessage, SenderAccount
from leaddesk.sequences.enrollment import enroll_leads
from leaddesk.sequences.presets import load_preset, sequence_from_document
from leaddesk.sequences.scheduler import run_due
from leaddesk.sequences.simulate import simulate
from leaddesk.settings import POSTAL_ADDRESS, set_setting

ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney", "")


def _write_floor(db: object) -> float:
    """Seconds to write the outbox rows the tick made once more (new ids and Message-IDs) with
    one Core insert, rolled back: what the tick costs without planning or rendering."""
    table = OutboundMessage.__table__
    with db.session() as session:  # type: ignore[attr-defined]
        rows = [dict(row._mapping) for row in session.execute(table.select())]
    for row in rows:
        row.pop("id")
        row["message_id"] = "floor-" + row["message_id"]
        row["enrollment_id"] = None
    started = time.perf_counter()
    with db.session() as session:  # type: ignore[attr-defined]
        session.execute(insert(OutboundMessage), rows)
        session.flush()
        took = time.perf_counter() - started
        session.rollback()
    return took


def main() -> None:
    """Print timings for enrolment, one catch-up tick and the simulator."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=5000)
    parser.add_argument(
        "--rounds", type=int, default=1, help="catch-up ticks, each on a fresh copy (median)"
    )
    args = parser.parse_args()
    now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(str(Path(folder) / "bench.sqlite3"))
        with db.write() as session:
            set_setting(session, POSTAL_ADDRESS, "Acme Ltd, 1 Harbour Street, Bristol")
            session.add(
                SenderAccount(
                    name="Sales", from_address="s@acme.example", per_minute=10, per_hour=300,
                    per_day=2000,
                )
            )  # fmt: skip
            session.execute(
                insert(Lead),
                [
                    {
                        "email": f"lead{i}@example.com",
                        "email_key": f"lead{i}@example.com",
                        "first_name": f"Lead{i}",
                        "timezone": ZONES[i % len(ZONES)],
                    }
                    for i in range(args.leads)
                ],
            )
            sequence = sequence_from_document(session, load_preset("tradeshow"))
            ids = list(session.scalars(select(Lead.id)))
        started = time.perf_counter()
        with db.write() as session:
            enroll_leads(session, session.merge(sequence), ids, now=now)
        enrolled = time.perf_counter() - started
        ticks = []
        if args.rounds > 1:  # the enrolled database, copied afresh for each measured tick
            db.dispose()
            template = Path(folder) / "enrolled.sqlite3"
            shutil.copy(Path(folder) / "bench.sqlite3", template)
            for _ in range(args.rounds - 1):
                shutil.copy(template, Path(folder) / "round.sqlite3")
                copy = open_database(str(Path(folder) / "round.sqlite3"))
                started = time.perf_counter()
                run_due(copy, now + timedelta(days=3))
                ticks.append(time.perf_counter() - started)
                copy.dispose()
            db = open_database(str(Path(folder) / "bench.sqlite3"))
        started = time.perf_counter()
        result = run_due(db, now + timedelta(days=3))
        ticks.append(time.perf_counter() - started)
        tick = statistics.median(ticks)
        started = time.perf_counter()
        again = run_due(db, now + timedelta(days=3, minutes=1))
        idle_tick = time.perf_counter() - started
        started = time.perf_counter()
        with db.session() as session:
            items = simulate(session, now + timedelta(days=3), until=now + timedelta(days=60))
            spread = session.execute(
                select(func.min(OutboundMessage.due_at), func.max(OutboundMessage.due_at))
            ).one()
        simulated = time.perf_counter() - started
        floor = _write_floor(db)
        db.dispose()
    print(f"leads: {args.leads}")
    print(f"enrol all:            {enrolled:6.2f} s  ({args.leads / enrolled:,.0f} leads/s)")
    rounds = f"median of {len(ticks)}: " + ", ".join(f"{t:.2f}" for t in ticks) + "; "
    print(f"catch-up tick:        {tick:6.2f} s  ({rounds if len(ticks) > 1 else ''}"
          f"{result.messages} messages created; target < 1.5 s for 5,000)")  # fmt: skip
    print(f"  reference, the same rows in one Core insert: {floor:6.2f} s "
          f"(tick = {tick / floor:.1f}x)")  # fmt: skip
    print(f"  spread from {spread[0]} to {spread[1]}")
    print(f"next tick (nothing):  {idle_tick:6.2f} s  ({again.messages} messages)")
    print(f"simulate 57 days:     {simulated:6.2f} s  ({len(items)} planned items)")


if __name__ == "__main__":
    main()
