"""The first-hour commands: `leaddesk doctor` walks a fresh database to ready, `settings set`
stores the postal address, and `send-due` says what blocks sending (exit 3)."""

from __future__ import annotations

import io
import sys

from leaddesk.cli import main
from leaddesk.demo import load_demo_data


def _run(capsys, monkeypatch, *argv: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_doctor_walks_a_fresh_database_to_ready(db, db_path, capsys, monkeypatch) -> None:
    """Each missing item names its fix; after the three commands the checklist says ready."""
    path = str(db_path)
    status, out, _ = _run(capsys, monkeypatch, "--db", path, "doctor")
    assert status == 3
    assert "Who you are: nobody is in the team yet" in out
    assert 'run: leaddesk settings set postal_address "Street 1, 12345 City, Country"' in out
    assert "The mailbox for replies (optional)" in out
    assert _run(capsys, monkeypatch, "--db", path, "team", "add", "Ada Admin",
                "ada@company.example")[0] == 0  # fmt: skip
    assert _run(capsys, monkeypatch, "--db", path, "account", "add", "Relay", "--from",
                "ada@company.example", "--host", "127.0.0.1", "--port", "2525",
                "--security", "none", "--no-password")[0] == 0  # fmt: skip
    status, out, _ = _run(capsys, monkeypatch, "--db", path, "settings", "set",
                          "postal_address", "Hafenstraße 1, 20095 Hamburg")  # fmt: skip
    assert (status, out) == (0, "postal_address saved\n")
    status, out, _ = _run(capsys, monkeypatch, "--db", path, "setup")
    assert status == 0, out
    assert "Who you are: Ada Admin (ada@company.example)" in out
    assert "no login (relay)" in out
    assert out.rstrip().endswith("Ready: LeadDesk can send.")


def test_a_bad_setting_is_refused_and_nothing_changes(db, db_path, capsys, monkeypatch) -> None:
    """An unknown time zone exits 2 with what to type; the stored value stays as it was."""
    path = str(db_path)
    assert _run(capsys, monkeypatch, "--db", path, "settings", "set", "default_timezone",
                "Europe/Berlin")[0] == 0  # fmt: skip
    status, _, err = _run(capsys, monkeypatch, "--db", path, "settings", "set",
                          "default_timezone", "Mars/Base")  # fmt: skip
    assert status == 2 and "use a name such as Europe/Berlin" in err
    status, out, _ = _run(capsys, monkeypatch, "--db", path, "settings", "get", "default_timezone")
    assert out.strip() == "Europe/Berlin"


def test_every_settings_tab_value_is_reachable_from_the_shell(
    db, db_path, capsys, monkeypatch
) -> None:
    """SLA, escalation, triggers, currency and thresholds are set by key and seen by the app."""
    from leaddesk.handoff.config import load_settings
    from leaddesk.outcomes.config import load_outcome_settings
    from leaddesk.scoring import load_config

    path = str(db_path)
    for key, value in (("sla_hours", "8"), ("sla_working_hours", "on"),
                       ("escalate_after_hours", "off"), ("handoff_on_warm_reply", "yes"),
                       ("hand_raise_kinds", "demo_requested"), ("currency", "usd"),
                       ("sales_ready_threshold", "65")):  # fmt: skip
        status, out, err = _run(capsys, monkeypatch, "--db", path, "settings", "set", key, value)
        assert status == 0 and out.startswith(f"{key} saved"), err
    with db.session() as session:
        handoff = load_settings(session)
        assert (handoff.sla_hours, handoff.working_hours_only) == (8.0, True)
        assert handoff.escalate_after_hours is None and handoff.reply_from_warm
        assert handoff.hand_raise_kinds == ("demo_requested",)
        assert load_outcome_settings(session).currency == "USD"
        assert load_config(session).sales_ready_threshold == 65.0
    status, out, _ = _run(capsys, monkeypatch, "--db", path, "settings", "list", "--json")
    assert '"sla_hours": "8"' in out and '"currency": "USD"' in out
    status, _, err = _run(capsys, monkeypatch, "--db", path, "settings", "set",
                          "warm_threshold", "90")  # fmt: skip
    assert status == 2 and "warm < sales-ready" in err
    with db.session() as session:
        assert load_config(session).warm_threshold == 40.0  # refused: nothing changed


def test_send_due_says_what_blocks_sending(db, db_path, capsys, monkeypatch) -> None:
    """On the sample data with nothing set up, send-due names both missing items and exits 3."""
    load_demo_data(db)
    status, out, _ = _run(capsys, monkeypatch, "--db", str(db_path), "send-due")
    assert status == 3
    assert "Nothing could be sent:" in out and "but setup is missing" in out
    assert "A sender account: no account to send from" in out
    assert "Your postal address: missing" in out
    status, _, _ = _run(capsys, monkeypatch, "--db", str(db_path), "send-due", "--json")
    assert status == 3


def test_leads_and_outbox_read_as_words(db, db_path, capsys, monkeypatch) -> None:
    """`leads` has a header and says "Sales-ready"/"Handed off"; an empty outbox says so."""
    path = str(db_path)
    status, out, _ = _run(capsys, monkeypatch, "--db", path, "outbox")
    assert status == 0 and out.startswith("The outbox is empty")
    status, out, _ = _run(capsys, monkeypatch, "--db", path, "leads")
    assert out.strip() == "No leads match."
    load_demo_data(db)
    status, out, _ = _run(capsys, monkeypatch, "--db", path, "leads", "--sort", "score",
                          "--limit", "3")  # fmt: skip
    header, first = out.splitlines()[:2]
    assert header.split() == ["ID", "Score", "Band", "Status", "Name", "Email", "Company"]
    assert "Sales-ready" in first and "sales_ready" not in out
    _, out, _ = _run(capsys, monkeypatch, "--db", path, "outbox", "--state", "failed")
    assert out.strip() == "No failed emails in the outbox."
