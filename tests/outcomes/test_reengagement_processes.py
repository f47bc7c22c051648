"""Two `leaddesk tick` processes at once with re-engagement on: no lead is enrolled twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from leaddesk.db.engine import Database
from leaddesk.db.models import Enrollment, Lead
from leaddesk.outcomes.config import ReengagementSettings, save_reengagement
from leaddesk.sequences.presets import load_preset, sequence_from_document

LEADS = 300


def test_racing_ticks_enrol_each_lead_once(db: Database, db_path: Path, tmp_path: Path) -> None:
    """Both ticks run; together they enrol every named lead exactly once."""
    quiet = datetime.now(UTC) - timedelta(days=120)
    with db.write() as session:
        session.execute(
            insert(Lead),
            [
                {
                    "email": f"q{n}@co.example",
                    "email_key": f"q{n}@co.example",
                    "custom_fields": {},
                    "last_activity_at": quiet,
                }
                for n in range(LEADS)
            ],
        )
        sequence = sequence_from_document(session, load_preset("reengagement"))
        save_reengagement(session, ReengagementSettings(enabled=True, sequence_id=sequence.id))
    command = [sys.executable, "-m", "leaddesk", "--db", str(db_path), "tick", "--no-send",
               "--json"]  # fmt: skip
    processes = [
        subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "LEADDESK_HOME": str(tmp_path / f"home{n}")},
        )
        for n in (1, 2)
    ]
    enrolled = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        report = json.loads(out)["reengagement"]
        enrolled.append(report["enrolled"] if report else 0)
    assert sorted(enrolled) == [0, LEADS]
    with db.session() as session:
        per_lead = session.execute(
            select(Enrollment.lead_id, func.count()).group_by(Enrollment.lead_id)
        ).all()
    assert len(per_lead) == LEADS and {count for _, count in per_lead} == {1}
