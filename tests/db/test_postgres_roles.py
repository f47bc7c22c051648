"""Team mode with least privilege: a rep's database user without schema rights works, and says
clearly when the schema needs its owner (or a newer LeadDesk)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select, text

from leaddesk.db import migrate
from leaddesk.db.engine import Database
from leaddesk.db.models import Lead
from leaddesk.errors import SchemaError
from tests.support.postgres import postgres_server

ROLES = """
CREATE ROLE owner_role LOGIN;
CREATE ROLE rep LOGIN;
"""
GRANTS = """
GRANT USAGE ON SCHEMA app TO rep;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA app TO rep;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA app TO rep;
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO rep;
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT USAGE, SELECT ON SEQUENCES TO rep;
"""


def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``leaddesk --db URL ARGS`` in its own process, as a rep would run it."""
    command = [sys.executable, "-m", "leaddesk", "--db", url, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def urls() -> Iterator[dict[str, str]]:
    """A cluster with a database whose schema ``app`` belongs to ``owner_role``; ``rep`` may
    only read and write rows (no superuser, no CREATE anywhere)."""
    with postgres_server() as url:
        admin = Database(url)
        with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text(ROLES))
            c.execute(text("CREATE DATABASE team_lp"))
        admin.dispose()
        base = url.rsplit("/", 1)[0].replace("leaddesk@", "{user}@")
        setup = Database(base.format(user="leaddesk") + "/team_lp")
        with setup.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("REVOKE ALL ON DATABASE team_lp FROM PUBLIC"))
            c.execute(text("REVOKE CREATE ON SCHEMA public FROM PUBLIC"))
            c.execute(text("GRANT CONNECT ON DATABASE team_lp TO owner_role, rep"))
            c.execute(text("CREATE SCHEMA app AUTHORIZATION owner_role"))
            c.execute(text("ALTER ROLE owner_role SET search_path = app"))
            c.execute(text("ALTER ROLE rep SET search_path = app"))
        setup.dispose()
        found = {
            name: base.format(user=name) + "/team_lp" for name in ("owner_role", "rep", "leaddesk")
        }
        owner = migrate.open_database(found["owner_role"])
        with owner.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text(GRANTS))
        owner.dispose()
        yield found


def test_a_rep_without_schema_rights_reads_and_writes(urls: dict[str, str]) -> None:
    """The rep's user (not a superuser, no CREATE) opens the team database and adds a lead."""
    db = migrate.open_database(urls["rep"])
    with db.engine.connect() as connection:
        superuser = connection.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = 'rep'"))
        assert superuser.scalar_one() is False
        can_create = connection.execute(text("SELECT has_schema_privilege('rep', 'app', 'CREATE')"))
        assert can_create.scalar_one() is False
    with db.write() as session:
        session.add(Lead(email="ada@team.example", email_key="ada@team.example"))
    with db.session() as session:
        assert session.scalar(select(func.count(Lead.id))) == 1
    assert _cli(urls["rep"], "info").returncode == 0
    db.dispose()


def test_an_old_schema_asks_for_its_owner_and_a_newer_one_for_an_update(
    urls: dict[str, str],
) -> None:
    """Behind: the rep's copy names who must open LeadDesk; ahead: it asks for an update."""
    owner = Database(urls["owner_role"])
    migrate.downgrade(owner, "0010_sent_copy_switch")
    with pytest.raises(SchemaError, match="owns the LeadDesk tables"):
        migrate.open_database(urls["rep"])
    done = _cli(urls["rep"], "info")
    assert done.returncode == 1 and "owns the LeadDesk tables" in done.stderr
    assert "Traceback" not in done.stderr
    migrate.upgrade(owner)
    with owner.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    with pytest.raises(SchemaError, match="newer version of LeadDesk"):
        migrate.open_database(urls["rep"])
    with owner.engine.begin() as connection:
        connection.execute(
            text("UPDATE alembic_version SET version_num = :head"),
            {"head": migrate.head_revision()},
        )
    owner.dispose()
