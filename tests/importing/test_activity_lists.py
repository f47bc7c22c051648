"""Activity lists: webinar attendance with minutes and content downloads become activities."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import Activity, Lead
from leaddesk.importing import ActivityMode

WEBINAR = (
    "Attendee Report\n"
    "Topic,Webinar ID\n"
    "Scaling Ops,123\n"
    "\n"
    "Attended,First Name,Last Name,Email,Join Time,Time in Session (minutes)\n"
    "Yes,Ada,Lovelace,ada@example.com,2026-03-01 09:02:00,30\n"
    "Yes,Ada,Lovelace,ada@example.com,2026-03-01 09:40:00,12\n"
    "No,Alan,Turing,alan@example.com,,\n"
)


def _activities(db: Database) -> list[tuple[str, str, dict[str, object], datetime]]:
    with db.session() as session:
        rows = session.execute(
            select(Lead.email_key, Activity.kind, Activity.payload, Activity.occurred_at)
            .join(Lead, Lead.id == Activity.lead_id)
            .where(Activity.kind != "imported")
            .order_by(Lead.email_key)
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_webinar_report_gives_attended_with_minutes(
    db: Database, clock: FixedClock, tmp_path: Path, write_text: Any, do_import: Any
) -> None:
    """Attendees get webinar_attended with summed minutes; no-shows get webinar_registered."""
    with db.write() as session:
        session.add(Lead(email="alan@example.com", email_key="alan@example.com"))
    path = write_text(tmp_path / "zoom.csv", WEBINAR)
    result = do_import(
        db, path, clock, source="Scaling Ops webinar", activity_mode=ActivityMode.WEBINAR
    )
    assert result.counts["imported"] == 1
    found = _activities(db)
    assert [(key, kind) for key, kind, _, _ in found] == [
        ("ada@example.com", "webinar_attended"),
        ("alan@example.com", "webinar_registered"),
    ]
    assert found[0][2]["minutes"] == 42
    assert found[0][2]["title"] == "Scaling Ops webinar"
    assert found[0][3] == datetime(2026, 3, 1, 9, 2, tzinfo=UTC)


def test_download_list_gives_one_activity_per_asset(
    db: Database, clock: FixedClock, tmp_path: Path, write_text: Any, do_import: Any
) -> None:
    """A download list gives one download activity per person and piece of content."""
    text = (
        "Email,Asset,Date\n"
        "ada@example.com,Nurturing Whitepaper,2026-02-01\n"
        "ada@example.com,Nurturing Whitepaper,2026-02-03\n"
        "ada@example.com,Acme Case Study,2026-02-05\n"
    )
    do_import(
        db, write_text(tmp_path / "dl.csv", text), clock, activity_mode=ActivityMode.DOWNLOADS
    )
    found = _activities(db)
    assert sorted((kind, payload["asset"]) for _, kind, payload, _ in found) == [
        ("case_study_download", "Acme Case Study"),
        ("whitepaper_download", "Nurturing Whitepaper"),
    ]


def test_registration_report_gives_registered(
    db: Database, clock: FixedClock, tmp_path: Path, write_text: Any, do_import: Any
) -> None:
    """A registration report gives one webinar_registered per person, dated by registration."""
    text = "Email,Registration Time\nada@example.com,2026-02-20 08:00:00\nADA@example.com,\n"
    path = write_text(tmp_path / "reg.csv", text)
    do_import(db, path, clock, activity_mode=ActivityMode.REGISTRATIONS)
    found = _activities(db)
    assert [(k, kind, at) for k, kind, _, at in found] == [
        ("ada@example.com", "webinar_registered", datetime(2026, 2, 20, 8, 0, tzinfo=UTC))
    ]


def test_reimporting_a_report_adds_no_duplicate_activities(
    db: Database, clock: FixedClock, tmp_path: Path, write_text: Any, do_import: Any
) -> None:
    """The same webinar report imported twice records each attendance once."""
    path = write_text(tmp_path / "zoom.csv", WEBINAR)
    for _ in range(2):
        do_import(db, path, clock, source="Ops webinar", activity_mode=ActivityMode.WEBINAR)
    assert len(_activities(db)) == 2


def test_an_activity_list_rescores_the_leads_it_names(
    db: Database, clock: FixedClock, tmp_path: Path, write_text: Any, do_import: Any
) -> None:
    """An existing lead whose only change is a webinar registration gains its points at once."""
    with db.write() as session:
        session.add(Lead(email="alan@example.com", email_key="alan@example.com"))
    path = write_text(tmp_path / "zoom.csv", WEBINAR)
    do_import(db, path, clock, source="Scaling Ops webinar", activity_mode=ActivityMode.WEBINAR)
    with db.session() as session:
        alan = session.scalars(select(Lead).where(Lead.email_key == "alan@example.com")).one()
    assert alan.engagement_score == 15  # the default model's webinar registration
