"""The command line: set up IMAP for an account, test it, sync once, show the status."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import tests.mailbox.mailbox_messages as msgs
from leaddesk.cli import main
from leaddesk.db.models import SenderAccount
from tests.support.dovecot import PASSWORD


def _run(capsys: pytest.CaptureFixture[str], db_path: Path, *argv: str) -> tuple[int, str]:
    status = main(["--db", str(db_path), *argv])
    return status, capsys.readouterr().out


def test_set_test_and_sync_from_the_command_line(
    world: Any, db_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`mailbox set` stores settings and the password, `test` logs in, `sync-mailbox` reports."""
    with world.db.write() as session:  # start from an account without IMAP settings
        account = session.scalar(select(SenderAccount))
        assert account is not None
        account.imap_host, account.imap_username = "", ""
    lead_id, parent = world.add_lead("anna@acme.test", "Anna")
    client = world.server.connect(world.user)
    raw = msgs.human_reply("anna@acme.test", world.user, parent.message_id, "Hi", world.clock.now())
    client.append("INBOX", None, None, raw)
    client.logout()

    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    status, out = _run(
        capsys,
        db_path,
        *("mailbox", "set", "Sales", "--host", world.server.host, "--security", "none"),
        *("--port", str(world.server.port), "--username", world.user, "--password-stdin"),
    )
    assert status == 0, out
    assert "IMAP settings saved" in out

    status, out = _run(capsys, db_path, "mailbox", "test", "Sales", "--json")
    check = json.loads(out)
    assert status == 0 and check["ok"], check
    assert set(check["folders"]) == {"INBOX", "Sent"}

    status, out = _run(capsys, db_path, "sync-mailbox", "--json")
    report = json.loads(out)
    assert status == 0 and report["ok"]
    assert report["accounts"][0]["counts"] == {"reply": 1}
    assert report["accounts"][0]["replies"][0]["lead_id"] == lead_id

    status, out = _run(capsys, db_path, "mailbox", "status")
    assert status == 0 and "Sales: last sync" in out


def test_wrong_folder_fails_the_test_with_a_clear_message(
    world: Any, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder name that does not exist makes `mailbox test` fail and name the folder."""
    status, _ = _run(capsys, db_path, "mailbox", "set", "Sales", "--folders", "INBOX,Leads")
    assert status == 0
    status, out = _run(capsys, db_path, "mailbox", "test", "Sales")
    assert status == 1
    assert "do not exist: Leads" in out


def test_unknown_account_is_a_clean_error(
    db_path: Path, capsys: pytest.CaptureFixture[str], db: Any
) -> None:
    """Naming an account that does not exist prints one line and exits 1."""
    assert main(["--db", str(db_path), "mailbox", "test", "Nope"]) == 1
    assert "no sender account named 'Nope'" in capsys.readouterr().err
