"""The sequences report's click figures: clicked emails, click-through and click → hand-off, per
step and per sequence, read from the activity log the web-log import writes through the door."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from leaddesk.activities.door import ActivityEvent, record_activity
from leaddesk.activities.kinds import ActivityKind as K
from leaddesk.db.engine import Database
from leaddesk.db.migrate import open_database
from leaddesk.db.models import Lead, OutboundMessage, SequenceStep
from leaddesk.reports.model import Report, Table
from leaddesk.reports.sequences_report import CLICKS_NOTE
from tests.reports.test_reports_known_answers import FEBRUARY, JANUARY, at, report
from tests.sequences.sequence_helpers import add_lead, email, make_sequence, wait
from tests.support.postgres import postgres_server


def _door(session: Session, lead: Lead, kind: str, when: datetime, **payload: Any) -> None:
    """Record one event through the event door, as the mailer, mailbox and web-log import do."""
    record_activity(session, ActivityEvent(lead.id, kind, when, payload, "test"), now=when)


def _send(session: Session, lead: Lead, step: SequenceStep, when: datetime) -> OutboundMessage:
    """One sequence email, sent: the outbox row and its "email sent" event."""
    row = OutboundMessage(lead_id=lead.id, step_id=step.id, message_id=f"<{lead.id}-{step.id}@x>",
                          to_address=lead.email, state="sent", due_at=when,
                          sent_at=when)  # fmt: skip
    session.add(row)
    session.flush()
    _door(session, lead, K.EMAIL_SENT, when, step_id=step.id, outbound_id=row.id)
    return row


def _click(session: Session, lead: Lead, row: OutboundMessage, when: datetime) -> None:
    """A click on a tracked link of ``row``, with the payload the web-log import records."""
    _door(session, lead, K.CLICKED_LINK, when, path="/pricing", url="https://ourco.example/pricing",
          step_id=row.step_id, outbound_id=row.id, step="Clicks, step 1")  # fmt: skip


def _build(db: Database) -> None:
    """January: email 1 to five leads (one bounces), email 2 to two; clicks and hand-offs.

    Ann clicks email 1 twice, is handed off, then clicks email 2; Ben is handed off before he
    clicks email 1; Cat clicks email 2 and is never handed off; Dan clicks email 1 in February
    and is handed off after; Eve's email bounces.
    """
    with db.write() as session:
        sequence = make_sequence(session, [email("One"), wait(days=2), email("Two")],
                                 name="Clicks")  # fmt: skip
        one, two = sequence.versions[0].steps[0], sequence.versions[0].steps[2]
        leads = {name: add_lead(session, f"{name}@x.example", first_name=name.title())
                 for name in ("ann", "ben", "cat", "dan", "eve")}  # fmt: skip
        leads["ann"].source = "Expo"
        first = {name: _send(session, lead, one, at(1, 7)) for name, lead in leads.items()}
        second = {name: _send(session, leads[name], two, at(1, 12)) for name in ("ann", "cat")}
        _door(session, leads["eve"], K.BOUNCED, at(1, 7, 11), outbound_id=first["eve"].id,
              status="5.1.1")  # fmt: skip
        _click(session, leads["ann"], first["ann"], at(1, 8, 10))
        _click(session, leads["ann"], first["ann"], at(1, 8, 11))  # the same email, once
        _door(session, leads["ann"], K.HANDED_OFF, at(1, 9), score=62.0)
        _click(session, leads["ann"], second["ann"], at(1, 14))  # after her hand-off
        _door(session, leads["ben"], K.HANDED_OFF, at(1, 8), score=70.0)
        _click(session, leads["ben"], first["ben"], at(1, 10))
        _click(session, leads["cat"], second["cat"], at(1, 13))
        _door(session, leads["cat"], K.VISITED_PAGE, at(1, 13, 11), path="/about")
        _click(session, leads["dan"], first["dan"], at(2, 2))  # a January email, in February
        _door(session, leads["dan"], K.HANDED_OFF, at(2, 3), score=65.0)


@pytest.fixture
def clicks(db: Database) -> None:
    """The click data set (see :func:`_build`)."""
    _build(db)


def _rows(table: Table, key: str) -> dict[Any, dict[str, Any]]:
    """The table's rows as column → value, by the value of column ``key``."""
    named = [dict(zip(table.columns, row, strict=True)) for row in table.rows]
    return {row[key]: row for row in named}


def _click_columns(row: dict[str, Any]) -> tuple[Any, ...]:
    """Delivered, clicked, click-through and click → hand-off of one row."""
    return (row["Delivered"], row["Clicked"], row["Click-through rate"], row["Click → hand-off"])


def _tables(result: Report) -> tuple[Table, Table]:
    """The "By sequence" and "By step" tables."""
    by_sequence, by_step = result.tables
    return by_sequence, by_step


def test_clicks_per_step(db: Database, clicks: None) -> None:
    """Email 1: 3 of 4 delivered clicked, 2 handed off after; email 2: 2 of 2, none after."""
    _by_sequence, by_step = _tables(report(db, "sequences", JANUARY))
    steps = _rows(by_step, "Email")
    assert _click_columns(steps[1]) == (4, 3, pytest.approx(3 / 4), 2)
    assert _click_columns(steps[2]) == (2, 2, pytest.approx(1.0), 0)


def test_clicks_per_sequence_count_each_lead_once(db: Database, clicks: None) -> None:
    """The sequence: 5 clicked emails of 6 delivered; Ann and Dan handed off after a click; the
    Click-through rate card at the top says the same."""
    result = report(db, "sequences", JANUARY)
    by_sequence, _by_step = _tables(result)
    row = _rows(by_sequence, "Sequence")["Clicks"]
    assert _click_columns(row) == (6, 5, pytest.approx(5 / 6), 2)
    assert row["Sent"] == 7
    card = next(figure for figure in result.figures if figure.key == "click_rate")
    assert (card.label, card.value) == ("Click-through rate", pytest.approx(5 / 6))


def test_clicks_follow_the_period_of_the_email_and_the_lead_filter(
    db: Database, clicks: None
) -> None:
    """February sent nothing, so Dan's February click is not its; the Expo filter keeps Ann."""
    _by_sequence, by_step = _tables(report(db, "sequences", FEBRUARY))
    assert [(row["Sent"], row["Clicked"]) for row in _rows(by_step, "Email").values()] == [
        (0, 0), (0, 0),
    ]  # fmt: skip
    by_sequence, by_step = _tables(report(db, "sequences", JANUARY, source="Expo"))
    steps = _rows(by_step, "Email")
    assert _click_columns(steps[1]) == (1, 1, pytest.approx(1.0), 1)
    assert _click_columns(steps[2]) == (1, 1, pytest.approx(1.0), 0)
    assert _rows(by_sequence, "Sequence")["Clicks"]["Click → hand-off"] == 1


def test_click_columns_are_explained(db: Database, clicks: None) -> None:
    """Both tables define the click columns, and a note says where clicks come from."""
    result = report(db, "sequences", JANUARY)
    for table in result.tables:
        for column in ("Clicked", "Click-through rate", "Click → hand-off"):
            assert column in table.columns and table.definitions[column]
    assert CLICKS_NOTE in result.notes
    assert "Opens are not counted" in CLICKS_NOTE


def test_click_figures_agree_on_postgres(db: Database, clicks: None) -> None:
    """Team mode: the same click figures on a real PostgreSQL server as on SQLite."""
    expected = [t.to_dict() for t in report(db, "sequences", JANUARY).tables]
    with postgres_server() as url:
        team = open_database(url)
        try:
            _build(team)
            got = [t.to_dict() for t in report(team, "sequences", JANUARY).tables]
        finally:
            team.dispose()
    assert got == expected
    assert expected[1]["rows"][0][expected[1]["columns"].index("Clicked")] == 3  # data is there
