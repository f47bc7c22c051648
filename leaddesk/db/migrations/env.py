"""Alembic environment: runs LeadDesk's migrations on the connection handed over by migrate.py."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from leaddesk.db.migrations.env_filters import include_name
from leaddesk.db.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Use the connection passed in ``config.attributes`` (always set by leaddesk.db.migrate)."""
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("LeadDesk migrations run through leaddesk.db.migrate, not the CLI")
    _run(connection)


if context.is_offline_mode():
    raise RuntimeError("offline migrations are not supported")
run_migrations_online()
