"""Benchmark: how long `leaddesk` takes to start, per command, beside plain Python.

Run from the repository root: ``python3 tests/bench/bench_startup.py [--leads N] [--runs K]``.

Each figure is the median wall time of K runs of a fresh process (``python -m leaddesk …``),
printed beside two references measured in the same run: ``python3 -c pass`` (the interpreter
alone) and ``python3 -c "import sqlalchemy"`` (the database layer every command that opens the
database needs). The commands run on throw-away LeadDesk homes: ``info`` on the sample data,
``send-due`` and ``tick`` on a database with nothing due (cron's usual case); the window
(``--check-window``, offscreen, the time until the inbox shows its first rows) on a database of
N leads built by ``inbox_data.build_inbox``. Targets: --version and --help < 0.15 s, info
< 0.5 s, send-due and tick with nothing due < 0.6 s, the window < 1.0 s at 100,000 leads.
LeadDesk's own bytecode is compiled first, as installing the wheel does.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
TARGETS = {"--version": 0.15, "--help": 0.15, "info": 0.5, "send-due": 0.6, "tick": 0.6}


def _median(command: list[str], env: dict[str, str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, env=env, cwd=ROOT, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _window(command: list[str], env: dict[str, str], runs: int) -> float:
    """Median of what ``--check-window`` reports (process start to the inbox's rows)."""
    seen = []
    for _ in range(runs):
        out = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
        found = re.search(r"in ([\d.]+) s", out.stdout)
        if found is None:
            raise SystemExit(f"the window did not report: {out.stdout}{out.stderr}")
        seen.append(float(found.group(1)))
    return statistics.median(seen)


def main() -> int:
    """Build the data, time every command and the references, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000, help="leads for the window figure")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median)")
    args = parser.parse_args()
    from leaddesk.db.migrate import open_database
    from tests.bench.inbox_data import build_inbox

    # An installed wheel has its bytecode compiled by pip; a checkout under
    # PYTHONDONTWRITEBYTECODE would recompile every module at every start instead.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "leaddesk")], check=True)
    work = Path(tempfile.mkdtemp(prefix="leaddesk-startup-"))
    env = {**os.environ, "LEADDESK_HOME": str(work / "home"), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("LEADDESK_DB", None)
    leaddesk = [sys.executable, "-m", "leaddesk"]
    subprocess.run([*leaddesk, "demo"], env=env, cwd=ROOT, capture_output=True, check=True)
    big = work / "big.sqlite3"
    print(f"building {args.leads:,} leads for the window figure…", flush=True)
    db = open_database(str(big))
    build_inbox(db, args.leads, now=datetime.now(UTC))
    db.dispose()

    print(f"\nmedian of {args.runs} runs, seconds (this machine, same run):")
    rows = [
        ("python3 -c pass", _median([sys.executable, "-c", "pass"], env, args.runs), None),
        (
            'python3 -c "import sqlalchemy"',
            _median([sys.executable, "-c", "import sqlalchemy"], env, args.runs),
            None,
        ),
    ]
    quiet = {**env, "LEADDESK_HOME": str(work / "quiet")}
    subprocess.run([*leaddesk, "info"], env=quiet, cwd=ROOT, capture_output=True, check=True)
    for command, target in TARGETS.items():
        where = quiet if command in ("send-due", "tick") else env
        rows.append(
            (f"leaddesk {command}", _median([*leaddesk, command], where, args.runs), target)
        )
    window = _window([*leaddesk, "--db", str(big), "--check-window"], env, args.runs)
    rows.append((f"window, {args.leads:,} leads (first rows)", window, 1.0))
    for name, seconds, target in rows:
        verdict = "" if target is None else ("  ok" if seconds < target else "  OVER")
        goal = "" if target is None else f"  (target < {target:.2f})"
        print(f"  {name:<36} {seconds:6.3f}{goal}{verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
