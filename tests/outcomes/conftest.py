"""Fixtures for the way back: the hand-off team, a mail server, sequences to recycle into."""

from __future__ import annotations

from tests.handoff.conftest import memory_keyring, smtp_server, team, tls  # noqa: F401 (fixtures)
