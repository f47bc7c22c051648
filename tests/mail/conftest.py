"""Fixtures for sending tests: an in-memory keyring and a real STARTTLS+AUTH SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from leaddesk.clock import FixedClock
from leaddesk.mail import secrets
from tests.mail.mailtest_keyring import PASSWORD
from tests.mail.mailtest_support import MemoryKeyring, TestSmtpServer, client_context


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Every sending test stores passwords in a fresh in-memory keyring."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)
    secrets.forget_session_passwords()


@pytest.fixture
def smtp_server(tmp_path: Path, clock: FixedClock) -> Iterator[TestSmtpServer]:
    """A loopback aiosmtpd requiring STARTTLS and AUTH; stamps messages with the test clock."""
    folder = tmp_path / "smtp"
    folder.mkdir()
    server = TestSmtpServer(folder, PASSWORD, clock.now).start()
    yield server
    server.stop()


@pytest.fixture
def tls(smtp_server: TestSmtpServer):  # type: ignore[no-untyped-def]
    """A client TLS context that trusts the test server's certificate."""
    return client_context(smtp_server.cert_path)
