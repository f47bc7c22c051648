"""`leaddesk db copy`: the local file moves to a real PostgreSQL, everything kept and verified."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from leaddesk.cli import main
from leaddesk.db import migrate
from leaddesk.db.copy import copy_database, tables
from leaddesk.db.engine import Database
from leaddesk.db.models import Activity, Lead, OutboundMessage
from leaddesk.demo import load_demo_data
from leaddesk.inbox.forget import forget_person
from leaddesk.leads.suppression import is_suppressed
from tests.support.postgres import fresh_database, postgres_server


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL cluster for this module (the test fails if it cannot start)."""
    with postgres_server() as url:
        yield url


def _counts(db: Database) -> dict[str, int]:
    with db.engine.connect() as connection:
        return {
            t.name: connection.execute(select(func.count()).select_from(t)).scalar_one()
            for t in tables()
        }


def test_the_demo_database_copies_to_postgres_with_ids_history_and_suppressions(
    tmp_path: Path, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every table arrives with the same rows and ids, the local file is unchanged, a forgotten
    person stays out, and new rows on the server get fresh ids."""
    local_path = tmp_path / "local.sqlite3"
    local = migrate.open_database(str(local_path))
    load_demo_data(local)
    forget_person(local, "gone@example.com")
    before = local_path.read_bytes()
    target_url = fresh_database(postgres_url, "team_copy")
    status = main(["--db", str(local_path), "db", "copy", "--to", target_url])
    out = capsys.readouterr().out
    assert status == 0 and "checksum match" in out
    assert local_path.read_bytes() == before
    team = migrate.open_database(target_url)
    assert _counts(team) == _counts(local)
    with local.session() as a, team.session() as b:
        ids = lambda s: list(s.scalars(select(Lead.id).order_by(Lead.id)))  # noqa: E731
        assert ids(a) == ids(b)
        assert is_suppressed(b, "gone+news@example.com")  # the secret came along
        last = b.scalar(select(func.max(Activity.id)))
        lead = b.scalar(select(Lead).limit(1))
        assert lead is not None
        b.add(
            Activity(
                lead_id=lead.id,
                kind="note_added",
                payload={},
                origin="test",
                occurred_at=datetime.now(UTC),
            )
        )
        b.flush()
        assert b.scalar(select(func.max(Activity.id))) == last + 1
    assert _counts(team)["outbound_messages"] == _counts(local)["outbound_messages"] > 0
    local.dispose()
    team.dispose()


def test_a_target_with_data_is_refused_unless_replaced(tmp_path: Path, postgres_url: str) -> None:
    """Copying onto a server that holds leads is refused (nothing changes); --replace works."""
    local = migrate.open_database(str(tmp_path / "local.sqlite3"))
    load_demo_data(local)
    target_url = fresh_database(postgres_url, "team_busy")
    target = migrate.open_database(target_url)
    copy_database(local, target)
    with target.write() as session:
        session.execute(OutboundMessage.__table__.delete())
    kept = _counts(target)
    assert main(["--db", str(tmp_path / "local.sqlite3"), "db", "copy", "--to", target_url]) == 1
    assert _counts(target) == kept
    assert (
        main(
            ["--db", str(tmp_path / "local.sqlite3"), "db", "copy", "--to", target_url, "--replace"]
        )
        == 0
    )
    assert _counts(target) == _counts(local)
    local.dispose()
    target.dispose()


@pytest.mark.slow
def test_a_copy_killed_half_way_leaves_the_target_empty_and_can_be_run_again(
    tmp_path: Path, postgres_url: str
) -> None:
    """`db copy` SIGKILLed after its first tables: the team server holds no rows, the local
    file is unchanged, and running the copy again (no --replace) completes and verifies."""
    import signal
    import subprocess
    import sys

    from tests.bench.inbox_data import build_inbox

    local_path = tmp_path / "big.sqlite3"
    local = migrate.open_database(str(local_path))
    build_inbox(local, 20_000, now=datetime.now(UTC))
    local.dispose()
    before = local_path.read_bytes()
    target_url = fresh_database(postgres_url, "team_killed")
    command = [sys.executable, "-m", "leaddesk", "--db", str(local_path), "db", "copy"]
    root = Path(__file__).resolve().parents[2]
    copying = subprocess.Popen(
        [*command, "--to", target_url], stderr=subprocess.PIPE, text=True, cwd=root
    )
    assert copying.stderr is not None
    seen = []
    for line in copying.stderr:
        seen.append(line)
        if line.strip().startswith("leads:") and "of" in line:
            break
    copying.kill()
    copying.stderr.close()
    assert copying.wait(30) == -signal.SIGKILL, "".join(seen)
    target = migrate.open_database(target_url)
    left = {table: n for table, n in _counts(target).items() if n and table != "app_settings"}
    assert left == {}, "a killed copy left rows behind"  # app_settings: the schema's own secret
    assert local_path.read_bytes() == before
    again = subprocess.run(
        [*command, "--to", target_url], capture_output=True, text=True, cwd=root, timeout=300
    )
    assert again.returncode == 0 and "checksum match" in again.stdout, again.stderr
    local = migrate.open_database(str(local_path))
    assert _counts(target) == _counts(local)
    local.dispose()
    target.dispose()
