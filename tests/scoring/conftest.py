"""Fixtures for the scoring tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from leaddesk.db.engine import Database


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    """One write session on the test database, committed at the end."""
    with db.write() as open_session:
        yield open_session
