"""The inbox from a terminal: leaddesk leads, export and forget."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from leaddesk.cli import main
from leaddesk.db.engine import Database
from tests.inbox.sample_inbox import Inbox


def run(db_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["--db", str(db_path), *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_leads_json_with_filters(
    db: Database, db_path: Path, inbox: Inbox, capsys: pytest.CaptureFixture[str]
) -> None:
    """``leads --json`` lists the filtered leads in the chosen order with the total."""
    status, out, _ = run(db_path, capsys, "leads", "--tag", "expo", "--sort", "name", "--json")
    data = json.loads(out)
    assert status == 0 and data["total"] == 2
    assert [lead["name"] for lead in data["leads"]] == ["Anna Andersen", "Ben Bauer"]
    status, out, _ = run(db_path, capsys, "leads", "--owner", "Tom Okoro", "--search", "dub")
    assert "David Dubois" in out and "1 of 1 lead(s)" in out
    status, out, _ = run(db_path, capsys, "leads", "--owner", "none", "--limit", "1", "--json")
    assert [lead["email"] for lead in json.loads(out)["leads"]] == ["clara.costa@alpine.example"]


def test_unknown_owner_is_a_clean_error(
    db: Database, db_path: Path, inbox: Inbox, capsys: pytest.CaptureFixture[str]
) -> None:
    """An owner nobody is called gives a message and exit status 1."""
    status, _, err = run(db_path, capsys, "leads", "--owner", "Zed")
    assert status == 1 and "no single team member" in err


def test_export_and_forget(
    db: Database, db_path: Path, tmp_path: Path, inbox: Inbox, capsys: pytest.CaptureFixture[str]
) -> None:
    """``export`` writes the selection; ``forget`` erases a person and says so."""
    target = tmp_path / "hot.csv"
    status, out, _ = run(db_path, capsys, "export", str(target), "--band", "cold")
    assert status == 0 and "Exported 2 lead(s)" in out
    with target.open(encoding="utf-8-sig") as handle:
        assert len(list(csv.reader(handle))) == 3
    status, out, _ = run(db_path, capsys, "forget", "clara.costa@alpine.example", "--json")
    assert status == 0 and json.loads(out)["leads"] == 1
    status, out, _ = run(db_path, capsys, "leads", "--search", "clara")
    assert out.strip() == "No leads match."
    status, _, err = run(db_path, capsys, "forget", "not-an-address")
    assert status == 1 and "not an email address" in err
