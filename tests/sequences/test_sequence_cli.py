"""``leaddesk sequence …`` and ``leaddesk schedule``: create, share, enrol, simulate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from leaddesk.cli import main
from leaddesk.db.models import Enrollment, OutboundMessage
from tests.sequences.sequence_helpers import add_lead

NOW = "2026-03-02T10:00:00+00:00"


def run(capsys: pytest.CaptureFixture[str], db_path: Path, *argv: str) -> tuple[int, str]:
    status = main(["--db", str(db_path), *argv])
    return status, capsys.readouterr().out


def test_create_enroll_and_schedule_without_sending(ready, db_path, capsys) -> None:
    """A preset, two enrolled leads, and a schedule listing local and UTC times; nothing sent."""
    with ready.write() as session:
        add_lead(session, "ada@example.com", timezone="America/New_York")
        add_lead(session, "kai@example.com", timezone="Asia/Tokyo")
    status, out = run(capsys, db_path, "sequence", "create", "--preset", "tradeshow", "--json")
    assert status == 0 and json.loads(out)["lint"] == []
    name = json.loads(out)["name"]
    status, _ = run(
        capsys, db_path, "sequence", "enroll", name, "ada@example.com", "KAI@example.com",
        "--now", NOW,
    )  # fmt: skip
    assert status == 0
    status, out = run(capsys, db_path, "schedule", "--until", "2026-04-30", "--now", NOW, "--json")
    items = json.loads(out)
    assert status == 0
    assert len(items) == 10  # 4 emails + 1 call task for each of the two leads
    first_ada = next(i for i in items if i["email"] == "ada@example.com")
    assert first_ada["local_time"] == "Mon 2026-03-02 09:00 EST"
    assert first_ada["utc"] == "2026-03-02T14:00:00+00:00"
    assert {i["kind"] for i in items} == {"email", "task"}
    with ready.session() as session:
        assert session.scalar(select(func.count(OutboundMessage.id))) == 0
    status, out = run(capsys, db_path, "sequence", "list", "--json")
    assert json.loads(out)[0]["enrolled"] == 2


def test_export_import_round_trip(ready, db_path, tmp_path, capsys) -> None:
    """An exported sequence imports as a draft copy with the same steps."""
    run(capsys, db_path, "sequence", "create", "--preset", "monthly")
    target = tmp_path / "monthly.json"
    status, _ = run(capsys, db_path, "sequence", "export", "Six monthly emails", "-o", str(target))
    assert status == 0
    exported = json.loads(target.read_text("utf-8"))
    assert exported["format"] == "leaddesk-sequence/1"
    assert exported["settings"]["sender_account"] == ""  # no account chosen; never a secret
    status, out = run(capsys, db_path, "sequence", "import", str(target), "--json")
    imported = json.loads(out)
    assert (status, imported["name"], imported["status"]) == (0, "Six monthly emails (2)", "draft")
    status, out = run(capsys, db_path, "sequence", "show", str(imported["id"]), "--json")
    assert json.loads(out)["steps"] == exported["steps"]


def test_bad_import_and_unknown_names_are_clean_errors(ready, db_path, tmp_path, capsys) -> None:
    """A broken file or an unknown sequence prints a one-line error and a non-zero status."""
    broken = tmp_path / "broken.json"
    broken.write_text('{"name": "x", "steps": []}', "utf-8")
    assert main(["--db", str(db_path), "sequence", "import", str(broken)]) == 1
    assert "no steps" in capsys.readouterr().err
    assert main(["--db", str(db_path), "sequence", "show", "nope"]) == 1
    assert "no sequence called 'nope'" in capsys.readouterr().err


def test_unenroll_pause_resume(ready, db_path, capsys) -> None:
    """Manual stop through the CLI ends the enrollment; pause and resume toggle the sequence."""
    with ready.write() as session:
        add_lead(session, "ada@example.com")
    run(capsys, db_path, "sequence", "create", "--preset", "tradeshow", "--name", "T")
    run(capsys, db_path, "sequence", "enroll", "T", "ada@example.com", "--now", NOW)
    assert run(capsys, db_path, "sequence", "pause", "T")[0] == 0
    _, out = run(capsys, db_path, "sequence", "run-due", "--now", NOW, "--json")
    assert json.loads(out)["messages"] == 0
    assert run(capsys, db_path, "sequence", "resume", "T")[0] == 0
    _, out = run(capsys, db_path, "sequence", "run-due", "--now", NOW, "--json")
    assert json.loads(out)["messages"] == 1
    _, out = run(capsys, db_path, "sequence", "unenroll", "T", "ada@example.com", "--json")
    assert json.loads(out)["stopped"] == 1
    with ready.session() as session:
        assert session.scalars(select(Enrollment)).one().exit_reason == "manual stop"
