"""The web-log import on a team's PostgreSQL: the same results, and two copies importing the
same log at once store each hit once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from leaddesk.db import migrate
from leaddesk.db.models import Activity, WebVisit
from leaddesk.visits.log_import import VisitImportReport, import_visits
from tests.support.postgres import postgres_server
from tests.visits.test_import_visits_cli import _log
from tests.visits.visits_data import SENT, sent_email


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL cluster for this module (the test fails if it cannot start)."""
    with postgres_server() as url:
        yield url


def test_two_copies_importing_one_log_on_the_team_server_store_each_hit_once(
    postgres_url: str, tmp_path: Path
) -> None:
    """Two imports of the same log at the same moment: one click and one page in all, and the
    activities recorded once."""
    db = migrate.open_database(postgres_url)
    try:
        sent_email(db)
        log = _log(tmp_path)
        reports: list[VisitImportReport] = []
        start = threading.Barrier(2)

        def copy() -> None:
            start.wait()
            reports.append(import_visits(db, [log], now=SENT + timedelta(hours=3)))

        threads = [threading.Thread(target=copy) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert sorted((r.clicks, r.pages, r.already_imported) for r in reports) == [
            (0, 0, 2),
            (1, 1, 0),
        ]
        with db.session() as session:
            assert session.scalar(select(func.count(WebVisit.id))) == 2
            kinds = sorted(
                session.scalars(
                    select(Activity.kind).where(Activity.kind.in_(("clicked_link", "visited_page")))
                )
            )
        assert kinds == ["clicked_link", "visited_page", "visited_page"]
    finally:
        db.dispose()
