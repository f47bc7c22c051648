"""Passwords: keyring only, a session fallback without one, and never written anywhere."""

from __future__ import annotations

import base64
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keyring
import pytest
from keyring.backends.fail import Keyring as NoKeyring

from leaddesk.clock import SystemClock
from leaddesk.logs import configure_logging
from leaddesk.mail import secrets
from leaddesk.mail.sender import send_due
from leaddesk.paths import config_dir, log_dir
from tests.mail.mailtest_data import make_account, plan_messages
from tests.mail.mailtest_harness import SenderHarness
from tests.mail.mailtest_keyring import USERNAME


def test_password_lives_in_the_keyring_under_leaddesk(memory_keyring):
    """A stored password goes to the OS keyring under the service "LeadDesk"."""
    where = secrets.set_password("smtp", 7, "ada@example.com", "pw-1")
    assert where is secrets.Storage.KEYRING
    assert memory_keyring.store == {("LeadDesk", "smtp:7:ada@example.com"): "pw-1"}
    assert secrets.get_password("smtp", 7, "ada@example.com") == "pw-1"
    secrets.delete_password("smtp", 7, "ada@example.com")
    assert secrets.get_password("smtp", 7, "ada@example.com") is None


def test_without_a_keyring_the_password_is_kept_for_the_session_only():
    """With no keyring backend the password stays in memory and is gone after the session."""
    keyring.set_keyring(NoKeyring())
    assert not secrets.keyring_available()
    assert secrets.set_password("smtp", 1, "u", "pw-2") is secrets.Storage.SESSION
    assert secrets.get_password("smtp", 1, "u") == "pw-2"
    secrets.forget_session_passwords()
    assert secrets.get_password("smtp", 1, "u") is None


def _forms(canary: str) -> list[bytes]:
    """The canary and the base64 forms an SMTP AUTH exchange would carry."""
    raw = canary.encode()
    user = USERNAME.encode()
    return [
        raw,
        base64.b64encode(raw),
        base64.b64encode(b"\0" + user + b"\0" + raw),
        base64.b64encode(user + b"\0" + user + b"\0" + raw),
    ]


@pytest.mark.slow
def test_canary_password_is_written_nowhere(tmp_path, db, db_path, clock, smtp_server, tls):
    """After sends, a refused login and a crash, no file (DB, WAL, settings, logs) holds it."""
    canary = "CANARY-7f3e9b21-do-not-store"
    smtp_server.password = canary
    configure_logging(verbose=True)
    account_id = make_account(db, smtp_server.port, canary)
    plan_messages(db, account_id, 5, datetime.now(UTC) - timedelta(minutes=1))
    assert send_due(db, SystemClock(), tls_context=tls).sent == 5
    smtp_server.password = "rotated-on-the-server"
    plan_messages(db, account_id, 5, datetime.now(UTC) - timedelta(minutes=1))
    report = send_due(db, SystemClock(), tls_context=tls)
    assert account_id in report.paused_accounts
    smtp_server.password = canary
    with db.write() as session:
        from leaddesk.db.models import SenderAccount

        session.get(SenderAccount, account_id).paused_until = None
    with SenderHarness(db_path, smtp_server.cert_path, canary) as harness:
        assert harness.run(kill_after=0.05) == -signal.SIGKILL
        assert harness.run() == 0
    files = [p for p in (tmp_path.rglob("*")) if p.is_file()]
    files += [p for p in (*config_dir().rglob("*"), *log_dir().rglob("*")) if p.is_file()]
    assert any(p.name.endswith("-wal") for p in files) or Path(f"{db_path}-wal").exists()
    assert any(p.suffix == ".log" for p in files)
    leaks = [p for p in files for form in _forms(canary) if form in p.read_bytes()]
    assert leaks == []
