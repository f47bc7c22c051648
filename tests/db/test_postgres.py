"""Team mode: the same schema and code on a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select

from leaddesk.db import migrate
from leaddesk.db.engine import Database
from leaddesk.db.models import Base, Lead
from leaddesk.demo import load_demo_data
from tests.support.postgres import postgres_server


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL cluster for this module (the test fails if it cannot start)."""
    with postgres_server() as url:
        yield url


def test_migrations_and_models_match_on_postgres(postgres_url: str) -> None:
    """Migrating a PostgreSQL database reaches head with no drift from the ORM models."""
    db = migrate.open_database(postgres_url)
    assert not db.is_sqlite
    assert migrate.current_revision(db) == migrate.head_revision()
    with db.engine.connect() as connection:
        diff = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
        )
    assert diff == []
    migrate.downgrade(db, "base")
    migrate.upgrade(db)
    assert migrate.current_revision(db) == migrate.head_revision()
    db.dispose()


def test_demo_data_loads_on_postgres(postgres_url: str) -> None:
    """The demo data (leads, activities, a sequence, enrollments) loads on PostgreSQL too."""
    db = Database(postgres_url)
    migrate.downgrade(db, "base")
    migrate.upgrade(db)
    summary = load_demo_data(db, leads=60)
    with db.session() as session:
        assert session.scalar(select(func.count(Lead.id))) == summary.leads == 60
    db.dispose()
