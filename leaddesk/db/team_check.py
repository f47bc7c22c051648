""" "Test connection" for a team database: which step failed, worded as what to fix.

The steps a connection takes, each checked on its own so the message can say exactly where it
stopped: the server name (DNS), the port (refused or silent), TLS, the login, the database,
the privileges on LeadDesk's tables, and whether the schema fits this LeadDesk.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

from sqlalchemy.engine import URL, make_url

CONNECT_TIMEOUT = 5


@dataclass(frozen=True)
class TeamCheck:
    """The outcome: ``step`` is ok, url, dns, port, tls, login, database, privilege or schema."""

    ok: bool
    step: str
    message: str


def check_team_database(url: str) -> TeamCheck:
    """Connect to ``url`` (``postgresql://…``) step by step and report the first problem."""
    try:
        parsed = make_url(url)
    except Exception as error:  # SQLAlchemy raises ArgumentError for malformed URLs
        return TeamCheck(False, "url", f"not a database address ({error})")
    if not parsed.get_backend_name().startswith("postgres"):
        return TeamCheck(False, "url", "a team database address starts with postgresql://")
    host, port = parsed.host or "localhost", parsed.port or 5432
    try:
        socket.getaddrinfo(host, port)
    except socket.gaierror:
        return TeamCheck(False, "dns", f"the server name {host!r} was not found (check spelling)")
    try:
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT).close()
    except ConnectionRefusedError:
        return TeamCheck(False, "port", f"{host}:{port} refused the connection: is PostgreSQL "
                         "running there and listening on that port?")  # fmt: skip
    except OSError:
        return TeamCheck(False, "port", f"{host}:{port} did not answer within "
                         f"{CONNECT_TIMEOUT} s (a firewall, or the wrong port?)")  # fmt: skip
    return _check_session(parsed.set(drivername="postgresql").render_as_string(False), parsed)


def _check_session(conninfo: str, parsed: URL) -> TeamCheck:
    import psycopg

    user = parsed.username or "(default user)"
    database = parsed.database or user
    try:
        connection = psycopg.connect(conninfo, connect_timeout=CONNECT_TIMEOUT)
    except psycopg.OperationalError as error:
        return _login_problem(str(error), user, database)
    with connection:
        version = connection.info.server_version
        try:
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except psycopg.errors.UndefinedTable:
            connection.rollback()
            return TeamCheck(True, "schema", f"Connected as {user}; the database {database!r} "
                             "is empty: LeadDesk creates its tables when it opens it (with a "
                             "user that may create them).")  # fmt: skip
        except psycopg.errors.InsufficientPrivilege:
            return _no_privilege(user)
        try:
            leads = connection.execute("SELECT count(*) FROM leads").fetchone()
        except psycopg.errors.InsufficientPrivilege:
            return _no_privilege(user)
    return _schema_verdict(revision[0] if revision else None, user, database, version, leads)


def _login_problem(text: str, user: str, database: str) -> TeamCheck:
    lowered = text.lower()
    if "ssl" in lowered or "certificate" in lowered:
        return TeamCheck(False, "tls", f"TLS failed ({_last_line(text)}): check the TLS mode "
                         "and, for verify-full, the CA file")  # fmt: skip
    if (
        "password" in lowered
        or "authentication" in lowered
        or ("role" in lowered and "does not exist" in lowered)
        or "pg_hba.conf" in lowered
    ):
        return TeamCheck(False, "login", f"the server refused the login of {user!r} "
                         f"({_last_line(text)}): check the user name and password")  # fmt: skip
    if "database" in lowered and "does not exist" in lowered:
        return TeamCheck(False, "database", f"there is no database {database!r} on that "
                         "server: check its name, or ask for it to be created")  # fmt: skip
    return TeamCheck(False, "login", _last_line(text))


def _no_privilege(user: str) -> TeamCheck:
    return TeamCheck(False, "privilege", f"{user!r} may not read LeadDesk's tables: grant it "
                     "SELECT, INSERT, UPDATE and DELETE on them (see the README)")  # fmt: skip


def _schema_verdict(
    revision: str | None, user: str, database: str, version: int, leads: tuple[int, ...] | None
) -> TeamCheck:
    from leaddesk.db.migrate import alembic_config, head_revision

    head = head_revision()
    count = leads[0] if leads else 0
    server = f"PostgreSQL {version // 10000}.{version % 10000}"
    if revision == head:
        return TeamCheck(True, "ok", f"Connected as {user} to {database!r} ({server}): "
                         f"{count:,} leads, schema up to date.")  # fmt: skip
    from alembic.script import ScriptDirectory

    known = {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if revision not in known:
        return TeamCheck(False, "schema", f"the database was upgraded by a newer LeadDesk "
                         f"(schema {revision}): update LeadDesk on this computer")  # fmt: skip
    return TeamCheck(True, "schema", f"Connected as {user} ({server}), but the schema is older "
                     "than this LeadDesk: it is upgraded when the user who owns the tables opens "
                     "LeadDesk.")  # fmt: skip


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else text
