"""`leaddesk db test`: each way a team connection can fail is named, against a real server."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from leaddesk.db import migrate
from leaddesk.db.engine import Database
from leaddesk.db.team_check import check_team_database
from tests.support.postgres import postgres_server


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL cluster with LeadDesk's schema, and a role with no rights on it."""
    with postgres_server() as url:
        db = migrate.open_database(url)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("CREATE ROLE nobody LOGIN"))
            connection.execute(text("CREATE DATABASE blank"))
        db.dispose()
        yield url


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_each_failure_is_named_with_what_to_fix(postgres_url: str) -> None:
    """Name, port, TLS, login, database, privilege and a current schema, each told apart."""
    base, _, _ = postgres_url.rpartition("/")
    host_port = base.split("@", 1)[1]
    cases = {
        "dns": "postgresql://leaddesk@no-such-host.invalid/postgres",
        "port": f"postgresql://leaddesk@127.0.0.1:{_closed_port()}/postgres",
        "tls": f"{postgres_url}?sslmode=require",
        "login": f"postgresql://ghost@{host_port}/postgres",
        "database": f"{base}/no_such_db",
        "privilege": f"postgresql://nobody@{host_port}/postgres",
        "url": "sqlite:///tmp/leads.sqlite3",
    }
    for step, url in cases.items():
        result = check_team_database(url)
        assert (result.ok, result.step) == (False, step), (step, result)
        assert "Traceback" not in result.message
    good = check_team_database(postgres_url)
    assert good.ok and good.step == "ok" and "schema up to date" in good.message
    empty = check_team_database(f"{base}/blank")
    assert empty.ok and "empty" in empty.message


def test_an_old_schema_is_named_for_its_owner(postgres_url: str) -> None:
    """A schema behind this LeadDesk says who upgrades it; the CLI prints the same words."""
    db = Database(postgres_url)
    migrate.downgrade(db, "0010_sent_copy_switch")
    try:
        result = check_team_database(postgres_url)
        assert result.ok and result.step == "schema" and "owns the tables" in result.message
    finally:
        migrate.upgrade(db)
        db.dispose()
