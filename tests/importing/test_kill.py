"""A killed import leaves all of the batch or none of it, and an intact database file."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from leaddesk.db.migrate import open_database

ROOT = Path(__file__).resolve().parents[2]
ROWS = 20_000
RUNS = 8


def _write_list(path: Path) -> None:
    lines = ["Email,First Name,Last Name,Company,Title,Phone,Country,City"]
    lines += [
        f"person{i}@company{i % 700}.example.com,First{i},Last{i},Company {i % 700},CTO,"
        f"+1 555 {i:07d},Germany,Berlin"
        for i in range(ROWS)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _state(db_file: Path) -> tuple[str, int, int, int, str]:
    """(integrity, batches, leads, activities, company of the pre-existing lead)."""
    with sqlite3.connect(db_file) as connection:
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        batches = connection.execute("SELECT count(*) FROM import_batches").fetchone()[0]
        leads = connection.execute("SELECT count(*) FROM leads").fetchone()[0]
        activities = connection.execute("SELECT count(*) FROM activities").fetchone()[0]
        company = connection.execute(
            "SELECT company FROM leads WHERE email_key = 'person7@company7.example.com'"
        ).fetchone()[0]
    connection.close()
    return integrity, batches, leads, activities, company


def _indexes(db_file: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db_file) as connection:
        found = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
        ).fetchall()
    connection.close()
    return found


def _start(db_file: Path, source: Path, home: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LEADDESK_HOME": str(home)}
    command = [sys.executable, "-m", "leaddesk", "--db", str(db_file), "import", str(source)]
    return subprocess.Popen(
        [*command, "--source", "kill test", "--json"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.mark.slow
def test_sigkill_at_random_moments_is_all_or_nothing(tmp_path: Path) -> None:
    """SIGKILL at random points: none or all of the batch is there, integrity_check is ok."""
    source = tmp_path / "list.csv"
    _write_list(source)
    template = tmp_path / "template.sqlite3"
    db = open_database(str(template))
    with db.write() as session:
        session.connection().exec_driver_sql(
            "INSERT INTO leads (email, email_key, first_name, last_name, company, title, phone, "
            "industry, company_size, country, city, timezone, source, status, email_state, "
            "custom_fields, score, fit_score, engagement_score, score_band, created_at, "
            "updated_at) VALUES ('person7@company7.example.com', 'person7@company7.example.com',"
            " '', '', '', '', '', '', '', '', '', '', 'old', 'new', 'ok', '{}', 0, 0, 0, 'cold',"
            " '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
        )
    db.dispose()

    full = tmp_path / "full.sqlite3"
    shutil.copy(template, full)
    started = time.perf_counter()
    with _start(full, source, tmp_path / "home") as process:
        _out, err = process.communicate(timeout=120)
    duration = time.perf_counter() - started
    assert process.returncode == 0, err.decode()
    complete = _state(full)
    assert complete == ("ok", 1, ROWS, ROWS, f"Company {7 % 700}")
    nothing = _state(template)
    assert _indexes(full) == _indexes(template)  # rebuilt after the big load, same definitions

    rng = random.Random()
    outcomes = []
    for run in range(RUNS):
        target = tmp_path / f"run{run}.sqlite3"
        shutil.copy(template, target)
        # Half the kills anywhere, half late, where the write transaction runs.
        low = 0.2 if run % 2 == 0 else duration * 0.6
        delay = rng.uniform(low, duration * 1.02)
        with _start(target, source, tmp_path / "home") as process:
            time.sleep(delay)  # a real process killed after real time; no clock involved
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
        state = _state(target)
        assert state in (nothing, complete), f"run {run}: killed after {delay:.2f}s -> {state}"
        assert _indexes(target) == _indexes(template), f"run {run}: indexes differ"
        outcomes.append(state == complete)
    print(f"import took {duration:.2f}s; complete after kill in {sum(outcomes)}/{RUNS} runs")
