"""``leaddesk import`` from the command line: JSON output, exit status, undo, history."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from leaddesk.cli import main
from leaddesk.db.engine import Database
from leaddesk.db.models import TeamMember

KEYS = {"rows", "imported", "merged", "rejected", "suppressed", "batch_id", "errors"}


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    status = main(list(argv))
    out = capsys.readouterr().out
    return status, json.loads(out) if out.strip() else {}


def test_import_json_then_undo(
    db: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], write_text: Any
) -> None:
    """--json prints the documented keys; --undo removes the batch's leads again."""
    with db.write() as session:
        session.add(TeamMember(name="Rita Rep", email="rita@team.example"))
    text = "Email,Name\nada@example.com,Ada Lovelace\nADA@example.com,\nbad,Bob\n"
    path = write_text(tmp_path / "l.csv", text)
    status, data = _run(
        capsys,
        "--db",
        str(db_path),
        "import",
        str(path),
        "--source",
        "Expo",
        "--tag",
        "expo",
        "--owner",
        "rita@team.example",
        "--json",
    )
    assert status == 0
    assert set(data) >= KEYS
    assert (data["rows"], data["imported"], data["merged"], data["rejected"]) == (3, 1, 1, 1)
    assert data["errors"][0]["row"] == 4
    status, undone = _run(
        capsys, "--db", str(db_path), "import", "--undo", str(data["batch_id"]), "--json"
    )
    assert status == 0 and undone["removed"] == 1
    status, history = _run(capsys, "--db", str(db_path), "import", "--history", "--json")
    assert history[0]["state"] == "undone"


def test_dry_run_flag(db: Database, db_path: Path, tmp_path: Path, capsys, write_text: Any) -> None:  # type: ignore[no-untyped-def]
    """--dry-run prints the plan and leaves the database without a batch."""
    path = write_text(tmp_path / "l.csv", "Email\nada@example.com\n")
    status, data = _run(capsys, "--db", str(db_path), "import", str(path), "--dry-run", "--json")
    assert status == 0 and data["dry_run"] is True and data["batch_id"] is None
    assert data["imported"] == 1


def test_unreadable_file_exits_non_zero(db_path: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Nothing readable (missing or empty file) gives a non-zero exit and the reason."""
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    status, data = _run(capsys, "--db", str(db_path), "import", str(empty), "--json")
    assert status != 0 and data["errors"][0]["reason"].endswith("is empty")
    status, _ = _run(capsys, "--db", str(db_path), "import", str(tmp_path / "missing.csv"))
    assert status != 0


def test_rejects_only_still_exit_zero(
    db_path: Path, tmp_path: Path, capsys, write_text: Any
) -> None:  # type: ignore[no-untyped-def]
    """A readable file whose rows are all rejected still exits 0 and lists the rejects."""
    path = write_text(tmp_path / "l.csv", "Email\nnope\nN/A\n")
    rejects = tmp_path / "rejects.csv"
    status, data = _run(
        capsys, "--db", str(db_path), "import", str(path), "--json", "--save-rejects", str(rejects)
    )
    assert status == 0 and data["rejected"] == 2
    assert rejects.read_text("utf-8-sig").count("\n") == 3


def test_map_option_overrides_auto_mapping(
    db_path: Path, tmp_path: Path, capsys, write_text: Any
) -> None:  # type: ignore[no-untyped-def]
    """--map HEADER=TARGET changes a column's mapping."""
    path = write_text(tmp_path / "l.csv", "Addr,Who\nada@example.com,Ada King\n")
    status, data = _run(
        capsys,
        "--db",
        str(db_path),
        "import",
        str(path),
        "--map",
        "Addr=email",
        "--map",
        "Who=full_name",
        "--json",
    )
    assert status == 0 and data["imported"] == 1
    assert data["preview"][0]["last_name"] == "King"
