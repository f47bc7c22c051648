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


def test_writers_on_the_team_server_queue_one_at_a_time_and_give_up_after_patience(
    postgres_url: str,
) -> None:
    """While another copy's write runs, a second write waits for it (never interleaves, so
    writers cannot deadlock); past its patience it stops with DatabaseBusy, nothing written."""
    import threading
    import time

    from leaddesk.errors import DatabaseBusy

    db, other = migrate.open_database(postgres_url), Database(postgres_url)
    holding, release = threading.Event(), threading.Event()

    def long_write() -> None:
        with other.write() as session:
            session.add(Lead(email="first@team.example", email_key="first@team.example"))
            session.flush()
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=long_write)
    thread.start()
    assert holding.wait(5)
    db.write_patience = 0.5
    started = time.monotonic()
    with pytest.raises(DatabaseBusy), db.write() as session:
        session.add(Lead(email="never@team.example", email_key="never@team.example"))
    assert 0.4 < time.monotonic() - started < 3
    db.write_patience = 30
    threading.Timer(1.0, release.set).start()
    started = time.monotonic()
    with db.write() as session:
        count = session.scalar(select(func.count()).where(Lead.email.like("%@team.example")))
    thread.join(5)
    assert time.monotonic() - started >= 0.8 and count == 1  # it saw the first write, done
    db.dispose()
    other.dispose()
