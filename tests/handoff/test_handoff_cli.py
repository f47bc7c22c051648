"""The sales side from the shell: team, rules, settings, hand-off, queue, attempt, brief, tick."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from leaddesk.cli import main
from leaddesk.db.engine import Database
from tests.handoff.conftest import new_lead


def run(capsys: pytest.CaptureFixture[str], db_path: Path, *args: str) -> tuple[int, str, str]:
    """Run ``leaddesk --db DB ARGS`` and return (status, stdout, stderr)."""
    status = main(["--db", str(db_path), *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_team_from_the_shell(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    """team add/list/edit/me: the first member is you; bad input changes nothing."""
    status, out, _ = run(capsys, db_path, "team", "add", "Ana Founder", "ana@team.example",
                         "--role", "sales_manager", "--timezone", "Europe/Berlin")  # fmt: skip
    assert status == 0 and "this computer now acts as them" in out
    status, _, err = run(capsys, db_path, "team", "add", "Bad", "not-an-email")
    assert status == 1 and "not a valid email" in err
    run(capsys, db_path, "team", "add", "Tom Rep", "tom@team.example", "--hours", "08:00-16:00",
        "--days", "mon-thu", "--capacity", "5", "--timezone", "Europe/Berlin")  # fmt: skip
    _, out, _ = run(capsys, db_path, "team", "list", "--json")
    members = {m["email"]: m for m in json.loads(out)}
    assert members["ana@team.example"]["me"] is True
    assert members["tom@team.example"]["work_days"] == "mon,tue,wed,thu"
    status, out, _ = run(capsys, db_path, "team", "me", "tom@team.example")
    assert "acts as Tom Rep" in out


def test_handoff_queue_attempt_and_brief(
    capsys: pytest.CaptureFixture[str], db: Database, db_path: Path, team: dict[str, int]
) -> None:
    """Hand a lead to Sofia by hand, see it in her queue, log a call: SLA met."""
    with db.write() as session:
        new_lead(session, "anna@acme.example")
        new_lead(session, "cust@acme.example", status="customer")
    status, out, _ = run(capsys, db_path, "handoff", "anna@acme.example", "cust@acme.example",
                         "--to", "Sofia Reyes")  # fmt: skip
    assert status == 1  # one lead could not go
    assert "anna@acme.example: handed to Sofia Reyes" in out
    assert "cust@acme.example: not handed off — Anna Bauer is already a customer" in out
    _, out, _ = run(capsys, db_path, "queue", "--member", "sofia@team.example", "--json")
    (row,) = json.loads(out)
    assert row["email"] == "anna@acme.example" and row["countdown"].endswith("left")
    _, out, _ = run(capsys, db_path, "attempt", "anna@acme.example", "--channel", "call",
                    "--outcome", "voicemail")  # fmt: skip
    assert "SLA met" in out
    _, out, _ = run(capsys, db_path, "brief", "anna@acme.example")
    assert out.startswith("Anna Bauer") and "SUGGESTED OPENER" in out
    status, out, _ = run(capsys, db_path, "tick", "--no-send", "--json")
    assert status == 0 and json.loads(out)["handoff"]["breached"] == 0


def test_rules_export_import_and_preview(
    capsys: pytest.CaptureFixture[str], db: Database, db_path: Path, team: dict[str, int],
    tmp_path: Path,
) -> None:  # fmt: skip
    """Rules go out as JSON and back in; a broken file is refused; the preview names reps."""
    path = tmp_path / "rules.json"
    run(capsys, db_path, "rules", "export", str(path))
    document = json.loads(path.read_text())
    assert document["rules"][0]["assign_to"] == ["tom@team.example"]
    document["rules"][0]["assign_to"] = ["nobody@team.example"]
    path.write_text(json.dumps(document))
    status, _, err = run(capsys, db_path, "rules", "import", str(path))
    assert status == 1 and "no team member 'nobody@team.example'" in err
    with db.write() as session:
        new_lead(session, "anna@acme.example", score=80)
    _, out, _ = run(capsys, db_path, "rules", "preview")
    assert "these 1 leads would go to: Tom Okoro 1" in out
    _, out, _ = run(capsys, db_path, "rules", "list")
    assert "1. DACH: Country is one of Germany, Austria, Switzerland → Tom Okoro" in out


def test_sales_settings_refuse_bad_values(
    capsys: pytest.CaptureFixture[str], db_path: Path
) -> None:
    """An SLA of 0 is refused with a reason; valid changes are shown back."""
    status, _, err = run(capsys, db_path, "sales-settings", "--sla-hours", "0")
    assert status == 1 and "more than 0" in err
    status, out, _ = run(capsys, db_path, "sales-settings", "--sla-hours", "8",
                         "--working-hours", "on", "--escalate-after", "off")  # fmt: skip
    assert "within 8 h (the rep's working hours); escalation off" in out
