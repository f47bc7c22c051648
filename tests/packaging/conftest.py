"""Fixtures for packaging tests: the mail tests' keyring and loopback SMTP server."""

from tests.mail.conftest import memory_keyring, smtp_server, tls  # noqa: F401 (fixtures)
