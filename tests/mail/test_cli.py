"""The sending commands: account add/edit/list/test/remove, send-due and outbox."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from leaddesk.cli import main
from tests.mail.mailtest_data import plan_messages, states
from tests.mail.mailtest_keyring import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def _run(capsys, monkeypatch, argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def _add(capsys, monkeypatch, db_path, port: int, password: str = PASSWORD) -> None:
    status, _out, err = _run(
        capsys,
        monkeypatch,
        ["--db", str(db_path), "account", "add", "Sales", "--from", "sales@leaddesk-test.example",
         "--host", "127.0.0.1", "--port", str(port), "--security", "starttls",
         "--username", "sender@example.com", "--password-stdin"],
        password + "\n",
    )  # fmt: skip
    assert status == 0, err


def test_account_add_list_edit_remove(db, db_path, capsys, monkeypatch, memory_keyring):
    """An account added from the shell keeps its password in the keyring, never in the output."""
    _add(capsys, monkeypatch, db_path, 2525)
    assert ("LeadDesk", "smtp:1:sender@example.com") in memory_keyring.store
    status, out, _ = _run(capsys, monkeypatch, ["--db", str(db_path), "account", "list", "--json"])
    listed = json.loads(out)
    assert listed[0]["name"] == "Sales" and PASSWORD not in out
    status, out, _ = _run(
        capsys, monkeypatch,
        ["--db", str(db_path), "account", "edit", "Sales", "--provider", "microsoft365"],
    )  # fmt: skip
    assert status == 0
    _, out, _ = _run(capsys, monkeypatch, ["--db", str(db_path), "account", "list", "--json"])
    edited = json.loads(out)[0]
    assert (edited["per_minute"], edited["per_day"]) == (30, 10000)
    status, _, _ = _run(capsys, monkeypatch, ["--db", str(db_path), "account", "remove", "1"])
    assert status == 0 and memory_keyring.store == {}


def test_account_add_refuses_plain_smtp_to_a_remote_server(db, db_path, capsys, monkeypatch):
    """Unencrypted SMTP is refused for anything but localhost, with a clear message."""
    status, _, err = _run(
        capsys,
        monkeypatch,
        ["--db", str(db_path), "account", "add", "X", "--from", "a@example.com",
         "--host", "smtp.example.com", "--security", "none", "--password-stdin"],
        "pw\n",
    )  # fmt: skip
    assert status == 1 and "only allowed to this computer" in err


def test_account_test_reports_each_step(db, db_path, smtp_server, capsys, monkeypatch):
    """ "account test" says reached/TLS/login, and names the failing step on a bad password."""
    monkeypatch.setenv("SSL_CERT_FILE", str(smtp_server.cert_path))
    _add(capsys, monkeypatch, db_path, smtp_server.port)
    status, out, _ = _run(capsys, monkeypatch, ["--db", str(db_path), "account", "test", "Sales"])
    assert status == 0
    assert "✓ Server reached" in out and "✓ Connection secured" in out and "✓ Logged in" in out
    status, out, _ = _run(
        capsys, monkeypatch,
        ["--db", str(db_path), "account", "test", "Sales", "--password-stdin", "--json"],
        "wrong\n",
    )  # fmt: skip
    verdict = json.loads(out)
    assert status == 2 and verdict["steps"] == {"connect": True, "tls": True, "login": False}
    assert "app password" in verdict["hint"]


def test_account_test_names_an_unreachable_server(db, db_path, capsys, monkeypatch):
    """A closed port is reported as the server not being reached, with what to check."""
    from tests.mail.mailtest_support import free_port

    _add(capsys, monkeypatch, db_path, free_port())
    status, out, _ = _run(capsys, monkeypatch, ["--db", str(db_path), "account", "test", "1"])
    assert status == 2 and "✗ Server reached" in out and "refused the connection" in out


def test_send_due_and_outbox_commands(db, db_path, smtp_server, capsys, monkeypatch):
    """send-due sends what is due and prints counts; outbox lists rows by state."""
    monkeypatch.setenv("SSL_CERT_FILE", str(smtp_server.cert_path))
    _add(capsys, monkeypatch, db_path, smtp_server.port)
    plan_messages(db, 1, 4, datetime.now(UTC) - timedelta(minutes=5))
    status, out, _ = _run(capsys, monkeypatch, ["--db", str(db_path), "send-due", "--json"])
    assert status == 0 and json.loads(out)["sent"] == 4
    status, out, _ = _run(
        capsys, monkeypatch, ["--db", str(db_path), "outbox", "--state", "sent", "--json"]
    )
    assert len(json.loads(out)) == 4
    assert len(smtp_server.received) == 4


@pytest.mark.slow
def test_send_due_without_a_keyring_reads_the_password_from_stdin(db, db_path, smtp_server):
    """On a machine without a keyring, cron can pipe the password; nothing is written down."""
    env = {**os.environ, "SSL_CERT_FILE": str(smtp_server.cert_path),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}  # fmt: skip
    base = [sys.executable, "-m", "leaddesk", "--db", str(db_path)]
    added = subprocess.run(
        [*base, "account", "add", "Sales", "--from", "sales@leaddesk-test.example",
         "--host", "127.0.0.1", "--port", str(smtp_server.port),
         "--username", "sender@example.com", "--password-stdin"],
        input=PASSWORD + "\n", capture_output=True, text=True, cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    assert "no keyring" in added.stderr
    plan_messages(db, 1, 2, datetime.now(UTC) - timedelta(minutes=5))
    without = subprocess.run([*base, "send-due"], capture_output=True, text=True, cwd=ROOT,
                             env=env, check=True)  # fmt: skip
    assert "no password available" in without.stdout
    assert states(db) == {"scheduled": 2}
    sent = subprocess.run(
        [*base, "send-due", "--password-stdin"],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=True,
    )
    assert "sent 2" in sent.stdout
    assert states(db) == {"sent": 2}
