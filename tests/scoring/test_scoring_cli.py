"""The scoring commands: score --explain, activity add, rescore, scoring export/import."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from leaddesk.cli import main
from leaddesk.db.engine import Database
from leaddesk.db.models import Lead


def _run(capsys: pytest.CaptureFixture[str], db_path: Path, *args: str) -> tuple[int, str, str]:
    status = main(["--db", str(db_path), *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_activity_add_then_explain(
    db: Database, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Adding a consultation request by email shows in `score --explain --json` with its date."""
    with db.write() as session:
        session.add(Lead(email="Ada@Example.com", email_key="ada@example.com", title="CEO"))
    status, out, _ = _run(
        capsys, db_path, "activity", "add", " ADA@example.com", "consultation_requested",
        "--at", "2026-01-05T09:00", "--note", "wants pricing", "--json",
    )  # fmt: skip
    assert status == 0
    added = json.loads(out)
    assert added["occurred_at"] == "2026-01-05T09:00:00+00:00"
    status, out, _ = _run(capsys, db_path, "score", "ada@example.com", "--explain", "--json")
    data = json.loads(out)
    assert status == 0
    assert data["total"] == pytest.approx(sum(item["points_now"] for item in data["items"]))
    rules = [item["rule"] for item in data["items"]]
    assert rules[:1] == ["C-level or founder"] and "Consultation request" in rules
    status, out, _ = _run(capsys, db_path, "score", "ada@example.com", "--explain")
    assert "Requested a consultation on 2026-01-05" in out and "total" in out


def test_errors_are_clean(db: Database, db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Unknown emails, kinds and dates end with a one-line message and status 1."""
    assert _run(capsys, db_path, "score", "nobody@example.com")[2].startswith("leaddesk: no lead")
    with db.write() as session:
        session.add(Lead(email="a@example.com", email_key="a@example.com"))
    status, _, err = _run(capsys, db_path, "activity", "add", "a@example.com", "dance")
    assert status == 1 and "unknown activity kind 'dance'" in err
    status, _, err = _run(capsys, db_path, "activity", "add", "a@example.com", "call", "--at", "x")
    assert status == 1 and "--at" in err
    assert _run(capsys, db_path, "activity", "add", "a@example.com", "became_warm")[0] == 1


def test_rescore_and_model_files(
    db: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`rescore --json` reports band counts; export then import restores an edited model."""
    with db.write() as session:
        session.add(Lead(email="a@example.com", email_key="a@example.com"))
    status, out, _ = _run(capsys, db_path, "rescore", "--json")
    assert status == 0 and json.loads(out)["bands"] == {"cold": 1, "warm": 0, "sales_ready": 0}
    model = tmp_path / "model.json"
    assert _run(capsys, db_path, "scoring", "export", str(model))[0] == 0
    document = json.loads(model.read_text(encoding="utf-8"))
    document["thresholds"]["warm"] = 35
    model.write_text(json.dumps(document), encoding="utf-8")
    status, out, _ = _run(capsys, db_path, "scoring", "import", str(model), "--json")
    assert status == 0 and json.loads(out)["leads"] == 1
    model.write_text("[]", encoding="utf-8")
    status, _, err = _run(capsys, db_path, "scoring", "import", str(model))
    assert status == 1 and "not a LeadDesk scoring model" in err
