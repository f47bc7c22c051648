"""Benchmark: import a 150,000-row workbook (the most an .xlsx may hold) within 30 s and 300 MB.

Run from the repository root: ``python tests/bench/bench_xlsx.py [--rows N]``.

The workbook (eight columns, written by openpyxl) is imported as ``python -m leaddesk --db FRESH
import FILE --json`` in a child process; its wall time and peak RSS are measured from here. The
reference, measured in the same run, is openpyxl's read-only mode only *reading* the same sheet
(what LeadDesk used before its own streaming reader). Targets: under 30 s and 300 MB.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def make_workbook(path: Path, rows: int) -> None:
    """Write an eight-column lead list with ``rows`` distinct addresses."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Leads")
    sheet.append(
        ["Email", "First Name", "Last Name", "Company", "Title", "Phone", "City", "Country"]
    )
    for n in range(rows):
        sheet.append(
            [f"p{n}@c{n % 5000}.example", f"First{n % 300}", f"Last{n % 900}",
             f"Company {n % 5000}", "Manager", f"+1 555 {n:07d}", "Berlin", "DE"]
        )  # fmt: skip
    workbook.save(path)


def child_run(command: list[str]) -> tuple[float, float, str]:
    """Run ``command``; (wall seconds, peak RSS MB of children so far, stdout)."""
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return elapsed, peak, done.stdout


def main() -> int:
    """Build the workbook, time the reference and the import, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=150_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        book = Path(folder) / "leads.xlsx"
        make_workbook(book, args.rows)
        print(f"workbook: {args.rows:,} rows, {book.stat().st_size / 1e6:.1f} MB")
        reference = (
            "import sys; from openpyxl import load_workbook; "
            "wb = load_workbook(sys.argv[1], read_only=True, data_only=True); "
            "ws = wb.worksheets[0]; ws.reset_dimensions(); "
            "print(sum(1 for _ in ws.iter_rows(values_only=True)))"
        )
        database = Path(folder) / "leads.sqlite3"
        command = [sys.executable, "-m", "leaddesk", "--db", str(database), "import", str(book)]
        elapsed, peak, out = child_run([*command, "--json"])  # first: RSS is of it alone
        ref_time, _, _ = child_run([sys.executable, "-c", reference, str(book)])
        imported = json.loads(out)["imported"]
        print(f"reference (openpyxl read-only, reading only): {ref_time:6.1f} s")
        print(f"LeadDesk import (read, fold, write, score):   {elapsed:6.1f} s  "
              f"peak RSS {peak:5.0f} MB  imported {imported:,}")  # fmt: skip
        print(f"targets: < 30 s and < 300 MB; ratio to the reference {elapsed / ref_time:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
