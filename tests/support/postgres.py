"""A throw-away PostgreSQL cluster on loopback (initdb + pg_ctl), for team-mode tests.

Raises (so the test fails, never skips) when PostgreSQL is missing or cannot start.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise RuntimeError("PostgreSQL is not installed: run `bash packaging/test.sh` to install it")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root; run as the `postgres` system user in that case."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


# Running clusters by port: what :func:`outage` needs to stop and start one again.
_CLUSTERS: dict[int, tuple[Path, Path, str, Path]] = {}


@contextmanager
def outage(url: str) -> Iterator[None]:
    """The server of ``url`` (a :func:`postgres_server`) is down, as after a crash, inside the
    block; it is started again on the same port when the block ends."""
    from sqlalchemy.engine import make_url

    port = make_url(url).port
    assert port is not None and port in _CLUSTERS, "not a cluster started by postgres_server"
    bindir, data, options, root = _CLUSTERS[port]
    pg_ctl = str(bindir / "pg_ctl")
    stop = [pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]
    subprocess.run(_as_postgres_user(stop), check=True, capture_output=True)
    try:
        yield
    finally:
        start = [pg_ctl, "-D", str(data), "-o", options, "-l", str(root / "server.log")]
        subprocess.run(
            _as_postgres_user([*start, "-w", "-t", "30", "start"]), check=True, capture_output=True
        )


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a cluster with trust auth for user ``leaddesk``; yields its SQLAlchemy URL."""
    bindir = _bindir()
    root = Path(tempfile.mkdtemp(prefix="leaddesk-pg-"))
    root.chmod(0o755)
    data = root / "data"
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(root, user.pw_uid, user.pw_gid)
    port = _free_port()
    subprocess.run(
        _as_postgres_user(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                "leaddesk",
                "-E",
                "UTF8",
                "--no-sync",
            ]
        ),
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        _as_postgres_user(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(root / "server.log"),
                "-w",
                "-t",
                "30",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    _CLUSTERS[port] = (bindir, data, options, root)
    try:
        yield f"postgresql://leaddesk@127.0.0.1:{port}/postgres"
    finally:
        _CLUSTERS.pop(port, None)
        subprocess.run(
            _as_postgres_user(
                [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]
            ),
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


def fresh_database(url: str, name: str) -> str:
    """Drop and create database ``name`` on the cluster of ``url``; returns its URL."""
    from sqlalchemy import text

    from leaddesk.db.engine import Database

    admin = Database(url)
    with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.rsplit("/", 1)[0] + f"/{name}"
