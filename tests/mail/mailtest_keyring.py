"""Light test helpers shared with the sender subprocess: an in-memory keyring, a TLS context."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import keyring
import keyring.backend
from keyring.errors import PasswordDeleteError

USERNAME = "sender@example.com"
PASSWORD = "s3cret-test-password"


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring backend that keeps passwords in a dict (tests only)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


@contextmanager
def memory_keyring_installed() -> Iterator[MemoryKeyring]:
    """Passwords go to a fresh in-memory keyring for the duration (and none stay in memory)."""
    from leaddesk.mail import secrets

    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
        secrets.forget_session_passwords()


def client_context(cert_path: Path) -> ssl.SSLContext:
    """A verifying client context that trusts the test certificate."""
    return ssl.create_default_context(cafile=str(cert_path))
