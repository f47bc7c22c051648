"""Team mode: every report gives the same numbers on a real PostgreSQL server as on SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from leaddesk.db import migrate
from leaddesk.db.engine import Database
from leaddesk.reports.catalog import REPORTS, make_report
from leaddesk.reports.model import ReportFilter
from leaddesk.reports.roi import set_source_cost
from tests.reports.test_reports_known_answers import FEBRUARY, JANUARY, NOW, _build
from tests.support.postgres import postgres_server


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL cluster for this module (the test fails if it cannot start)."""
    with postgres_server() as url:
        yield url


def _all_reports(db: Database) -> dict[str, object]:
    with db.write() as session:
        _build(session)
        set_source_cost(session, "Expo", "2,000")
    made = {}
    with db.session() as session:
        for name in REPORTS:
            for label, period in (("jan", JANUARY), ("feb", FEBRUARY)):
                made[f"{name}/{label}"] = make_report(
                    session, name, ReportFilter(period), NOW
                ).to_dict()
    return made


def _rounded(value: object) -> object:
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def test_reports_agree_on_postgres_and_sqlite(postgres_url: str, tmp_path: Path) -> None:
    """Each report of the hand-built data set, for two months, is the same on both databases."""
    lite = migrate.open_database(str(tmp_path / "reports.sqlite3"))
    team = migrate.open_database(postgres_url)
    try:
        expected, got = _all_reports(lite), _all_reports(team)
    finally:
        lite.dispose()
        team.dispose()
    assert expected["funnel/jan"]["figures"][0]["value"] == 10  # the data set is there
    for key in expected:
        assert _rounded(got[key]) == _rounded(expected[key]), key
