"""Fixtures for visit tests: the mail tests' keyring and server, the hand-off tests' team."""

from tests.handoff.conftest import team  # noqa: F401 (fixture)
from tests.mail.conftest import memory_keyring, smtp_server, tls  # noqa: F401 (fixtures)
