"""Fixtures for sending tests: an in-memory keyring and a real STARTTLS+AUTH SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from leaddesk.clock import FixedClock
from tests.mail.mailtest_keyring import PASSWORD, memory_keyring_installed
from tests.mail.mailtest_support import (
    MemoryKeyring,
    RecordingHandler,
    TestSmtpServer,
    client_context,
    free_port,
)


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Every sending test stores passwords in a fresh in-memory keyring."""
    with memory_keyring_installed() as backend:
        yield backend


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


class GreetingHandler(RecordingHandler):
    """Records the client's greeting (aiosmtpd itself refuses MAIL before HELO/EHLO)."""

    def __init__(self, stamp: Any) -> None:
        super().__init__(stamp)
        self.greetings: list[str] = []

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.greetings.append("EHLO")
        session.host_name = hostname
        return responses


@pytest.fixture
def relay(clock: FixedClock) -> Iterator[tuple[Controller, GreetingHandler]]:
    """A plain loopback relay: no TLS, no AUTH offered (a company relay, a local MTA)."""
    handler = GreetingHandler(clock.now)
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()  # raises when the server cannot start: the test fails
    yield controller, handler
    controller.stop()
