"""The way back from the shell: outcome, recycle-policies, reengage, and the reason filter."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from leaddesk.cli import main
from leaddesk.db.engine import Database
from leaddesk.handoff.service import hand_off
from tests.handoff.conftest import new_lead


def run(capsys: pytest.CaptureFixture[str], db_path: Path, *args: str) -> tuple[int, str, str]:
    """Run ``leaddesk --db DB ARGS`` and return (status, stdout, stderr)."""
    status = main(["--db", str(db_path), *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_outcomes_from_the_shell(
    capsys: pytest.CaptureFixture[str], db: Database, db_path: Path, team: dict[str, int]
) -> None:
    """Opportunity with an amount, a bad amount refused, lost with a reason, the reason filter."""
    now = datetime.now(UTC)
    with db.write() as session:
        for address in ("anna@acme.example", "ben@acme.example"):
            hand_off(session, new_lead(session, address), trigger="manual", now=now)
    status, out, _ = run(capsys, db_path, "outcome", "anna@acme.example", "opportunity",
                         "--amount", "12,500")  # fmt: skip
    assert status == 0 and out.strip() == "opportunity: EUR 12,500"
    status, _, err = run(capsys, db_path, "outcome", "anna@acme.example", "won", "--amount", "x")
    assert status == 1 and "not an amount" in err
    status, _, err = run(capsys, db_path, "outcome", "ben@acme.example", "lost")
    assert status == 1 and "reason is required" in err
    status, out, _ = run(capsys, db_path, "outcome", "ben@acme.example", "lost",
                         "--reason", "bad timing")  # fmt: skip
    assert "lost (bad timing); status now lost" in out
    _, out, _ = run(capsys, db_path, "leads", "--reason", "bad timing", "--json")
    assert [lead["email"] for lead in json.loads(out)["leads"]] == ["ben@acme.example"]


def test_policies_and_the_reengagement_rule_from_the_shell(
    capsys: pytest.CaptureFixture[str], db: Database, db_path: Path
) -> None:
    """A policy names the preset sequence; the rule's dry run counts; switching on needs a
    sequence."""
    with db.write() as session:
        new_lead(session, "quiet@acme.example",
                 last_activity_at=datetime.now(UTC) - timedelta(days=200))  # fmt: skip
    run(capsys, db_path, "sequence", "create", "--preset", "reengagement")
    name = "Re-engagement: three emails over three weeks"
    status, out, _ = run(capsys, db_path, "recycle-policies", "set", "bad timing",
                         "--sequence", name, "--after", "60")  # fmt: skip
    assert status == 0
    _, out, _ = run(capsys, db_path, "recycle-policies", "list")
    assert f"bad timing: after 60 days → {name}; engagement starts over" in out
    status, _, err = run(capsys, db_path, "recycle-policies", "set", "no budget",
                         "--sequence", "Nope")  # fmt: skip
    assert status == 1 and "no sequence 'Nope'" in err
    status, _, err = run(capsys, db_path, "reengage", "--enable")
    assert status == 1 and "choose the re-engagement sequence" in err
    _, out, _ = run(capsys, db_path, "reengage", "--dry-run")
    assert out.startswith("these 1 leads would be re-engaged today (1 in nurture)")
    status, out, _ = run(capsys, db_path, "reengage", "--enable", "--sequence", name)
    assert "re-engaged 1 of 1 leads" in out
