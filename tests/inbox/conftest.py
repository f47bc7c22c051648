"""Fixtures for the inbox tests."""

from __future__ import annotations

import pytest

from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from tests.inbox.sample_inbox import Inbox, build_sample_inbox


@pytest.fixture
def inbox(db: Database, clock: FixedClock) -> Inbox:
    """Four leads: Anna (hot, replied), Ben (warm, in a sequence), Clara (cold), David (task)."""
    return build_sample_inbox(db, clock)
