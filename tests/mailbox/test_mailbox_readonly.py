"""The IMAP client can only read: every mailbox-changing command is refused before it is sent."""

from __future__ import annotations

import ssl
from typing import Any

import pytest
from sqlalchemy import select

from leaddesk.db.models import SenderAccount
from leaddesk.mailbox import sync_mailbox
from leaddesk.mailbox.client import ImapSettings, ReadOnlyViolation, connect
from tests.support.dovecot import PASSWORD


def _box(world: Any) -> Any:
    settings = ImapSettings(world.server.host, world.server.port, "none", world.user, PASSWORD)
    return connect(settings)


def test_changing_commands_are_refused(world: Any) -> None:
    """Flag, move, copy, delete, append or a read-write SELECT never reach the server."""
    client = world.server.connect(world.user)
    client.append("INBOX", None, None, b"From: a@b.test\r\nSubject: x\r\n\r\nhi\r\n")
    client.logout()
    box = _box(world)
    try:
        box.examine("INBOX")
        with pytest.raises(ReadOnlyViolation):
            box.flag("1", r"\Seen", True)
        with pytest.raises(ReadOnlyViolation):
            box.move("1", "Sent")
        with pytest.raises(ReadOnlyViolation):
            box.copy("1", "Sent")
        with pytest.raises(ReadOnlyViolation):
            box.delete("1")
        with pytest.raises(ReadOnlyViolation):
            box.folder.set("INBOX")  # SELECT (read-write)
        with pytest.raises(ReadOnlyViolation):
            list(box.fetch("ALL", mark_seen=True))  # BODY[] would set \Seen
        with pytest.raises(ReadOnlyViolation):
            box.append(b"Subject: y\r\n\r\nno\r\n", "INBOX")
        assert len(list(box.fetch_messages([1], headers_only=False))) == 1
    finally:
        box.logout()
    checker = world.server.connect(world.user)
    checker.select("INBOX", readonly=True)
    _, data = checker.uid("FETCH", "1", "(FLAGS)")
    checker.logout()
    assert data[0].endswith(b"FLAGS (\\Recent))")  # not even \Recent was taken by EXAMINE


def test_wrong_password_is_reported_with_what_to_fix(world: Any, memory_keyring: Any) -> None:
    """A rejected login becomes the account's sync error telling the user what to check."""
    for key in list(memory_keyring.passwords):
        memory_keyring.passwords[key] = "wrong"

    report = sync_mailbox(world.db, world.clock)

    assert not report.ok
    assert "IMAP login failed" in report.accounts[0].error
    with world.db.session() as session:
        account = session.scalar(select(SenderAccount))
        assert account is not None
        assert "check the username and password" in account.last_sync_error
        assert account.last_sync_at is None


def test_missing_folder_and_missing_password_are_reported(world: Any, memory_keyring: Any) -> None:
    """A watched folder that does not exist, or no stored password, names the setting to fix."""
    with world.db.write() as session:
        account = session.scalar(select(SenderAccount))
        assert account is not None
        account.imap_folders = ["INBOX", "Leads"]
    report = sync_mailbox(world.db, world.clock)
    assert "folder 'Leads' cannot be opened" in report.accounts[0].error

    memory_keyring.passwords.clear()
    report = sync_mailbox(world.db, world.clock)
    assert "no IMAP password stored" in report.accounts[0].error


def _use_security(world: Any, security: str, port: int) -> None:
    with world.db.write() as session:
        account = session.scalar(select(SenderAccount))
        assert account is not None
        account.imap_security, account.imap_port = security, port


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_encrypted_connections_work_and_untrusted_certificates_are_refused(
    world: Any, security: str
) -> None:
    """SSL and STARTTLS sync with a trusted certificate; an untrusted one is a clear error."""
    port = world.server.tls_port if security == "ssl" else world.server.port
    _use_security(world, security, port)
    trusted = ssl.create_default_context(cafile=str(world.server.certificate))

    assert sync_mailbox(world.db, world.clock, ssl_context=trusted).ok

    refused = sync_mailbox(world.db, world.clock)  # the system trust store does not know it
    assert not refused.ok
    assert "TLS failed" in refused.accounts[0].error
    assert "check the security setting" in refused.accounts[0].error
