"""Fixtures for sequence tests."""

from __future__ import annotations

import pytest

from leaddesk.settings import POSTAL_ADDRESS, set_setting
from tests.sequences.sequence_helpers import POSTAL, add_account


@pytest.fixture
def ready(db):  # type: ignore[no-untyped-def]
    """The database with a postal address and one sender account (sending is possible)."""
    with db.write() as session:
        set_setting(session, POSTAL_ADDRESS, POSTAL)
        add_account(session)
    return db
