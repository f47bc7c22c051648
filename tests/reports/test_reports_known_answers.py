"""Every report's numbers on a hand-built data set whose answers were worked out by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from leaddesk.activities.kinds import ActivityKind as K
from leaddesk.db.engine import Database
from leaddesk.db.models import (
    Activity,
    Deal,
    Enrollment,
    Handoff,
    Lead,
    OutboundMessage,
    TeamMember,
)
from leaddesk.reports.catalog import make_report
from leaddesk.reports.model import Report, ReportFilter, days_period
from leaddesk.reports.roi import set_source_cost
from tests.sequences.sequence_helpers import email, make_sequence, wait

JANUARY = days_period(date(2026, 1, 1), date(2026, 1, 31))
FEBRUARY = days_period(date(2026, 2, 1), date(2026, 2, 28))
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def at(month: int, day: int, hour: int = 10) -> datetime:
    """A moment in 2026."""
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


@dataclass
class Built:
    """The ids the tests look at."""

    leads: dict[str, int]
    sequence_id: int
    tom: int
    sofia: int


def _event(session: Session, lead: Lead, kind: str, when: datetime, **payload: Any) -> Activity:
    activity = Activity(lead_id=lead.id, kind=kind, occurred_at=when, recorded_at=when,
                        origin="test", payload=payload)  # fmt: skip
    session.add(activity)
    session.flush()
    return activity


def _build(session: Session) -> Built:
    tom = TeamMember(name="Tom", email="tom@t.example", role="sales_rep")
    sofia = TeamMember(name="Sofia", email="sofia@t.example", role="sales_rep")
    session.add_all([tom, sofia])
    sequence = make_sequence(session, [email("One"), wait(days=5), email("Two")])
    version = sequence.versions[0]
    step1, step2 = version.steps[0], version.steps[2]
    leads: dict[str, Lead] = {}
    for n in range(1, 17):
        expo = n <= 10
        lead = Lead(email=f"l{n}@x.example", email_key=f"l{n}@x.example", custom_fields={},
                    source="Expo" if expo else "Webinar",
                    created_at=at(1, 5) if expo else at(2, 3), updated_at=NOW)  # fmt: skip
        session.add(lead)
        session.flush()
        leads[f"L{n}"] = lead
    enrollments = {}
    for name in ("L1", "L2", "L3", "L4", "L11", "L12"):
        lead = leads[name]
        when = lead.created_at + timedelta(days=1)
        enrollment = Enrollment(lead_id=lead.id, sequence_id=sequence.id, version_id=version.id,
                                enrolled_at=when, current_position=1)  # fmt: skip
        session.add(enrollment)
        session.flush()
        enrollments[name] = enrollment
        _event(session, lead, K.ENROLLED, when, enrollment_id=enrollment.id)

    def send(name: str, step: Any, when: datetime) -> OutboundMessage:
        row = OutboundMessage(lead_id=leads[name].id, enrollment_id=enrollments[name].id,
                              step_id=step.id, message_id=f"<{name}-{step.id}@x>",
                              to_address=leads[name].email, state="sent", due_at=when,
                              sent_at=when)  # fmt: skip
        session.add(row)
        session.flush()
        _event(session, leads[name], K.EMAIL_SENT, when, step_id=step.id, outbound_id=row.id,
               enrollment_id=enrollments[name].id)  # fmt: skip
        return row

    first = {name: send(name, step1, at(1, 7)) for name in ("L1", "L2", "L3", "L4")}
    second = {name: send(name, step2, at(1, 12)) for name in ("L1", "L3")}
    _event(session, leads["L4"], K.BOUNCED, at(1, 8), outbound_id=first["L4"].id, status="5.1.1")
    _event(session, leads["L4"], K.SEQUENCE_EXITED, at(1, 8),
           enrollment_id=enrollments["L4"].id, reason="bounced")  # fmt: skip
    _event(session, leads["L3"], K.REPLIED, at(1, 20), outbound_id=second["L3"].id)
    # L1: all the way to won; L2: handed off, missed deadline, reassigned, lost; L3: warm.
    for name, warm, ready in (("L1", at(1, 10), at(1, 20)), ("L2", at(1, 15), at(1, 25))):
        _event(session, leads[name], K.BECAME_WARM, warm)
        _event(session, leads[name], K.BECAME_SALES_READY, ready)
    _event(session, leads["L3"], K.BECAME_WARM, at(1, 12))
    enrollments["L1"].exited_at = at(1, 20)
    _event(session, leads["L1"], K.SEQUENCE_EXITED, at(1, 20),
           enrollment_id=enrollments["L1"].id, reason="sales_ready")  # fmt: skip
    h1 = Handoff(lead_id=leads["L1"].id, owner_id=tom.id, handed_off_at=at(1, 21),
                 sla_due_at=at(1, 22), due_at=at(1, 22), sla_state="met",
                 first_attempt_at=at(1, 21, 13), state="closed", outcome="won",
                 closed_at=at(2, 10))  # fmt: skip
    h2 = Handoff(lead_id=leads["L2"].id, owner_id=sofia.id, handed_off_at=at(1, 25),
                 sla_due_at=at(1, 26), due_at=at(1, 26), sla_state="breached",
                 first_attempt_at=at(1, 27), state="closed", outcome="lost",
                 closed_at=at(2, 5))  # fmt: skip
    session.add_all([h1, h2])
    session.flush()
    _event(session, leads["L1"], K.HANDED_OFF, at(1, 21), handoff_id=h1.id, score=85.0)
    _event(session, leads["L1"], K.FOLLOW_UP_ATTEMPT, at(1, 21, 13), handoff_id=h1.id,
           outcome="connected")  # fmt: skip
    _event(session, leads["L1"], K.HANDOFF_ACCEPTED, at(1, 22), handoff_id=h1.id)
    _event(session, leads["L1"], K.DEAL_OPENED, at(1, 25))
    _event(session, leads["L1"], K.DEAL_WON, at(2, 10))
    session.add(Deal(lead_id=leads["L1"].id, handoff_id=h1.id, state="won", amount_cents=1_000_000,
                     currency="EUR", opened_at=at(1, 25), closed_at=at(2, 10),
                     won_on=date(2026, 2, 10)))  # fmt: skip
    _event(session, leads["L2"], K.HANDED_OFF, at(1, 25), handoff_id=h2.id, score=72.0)
    _event(session, leads["L2"], K.REASSIGNED, at(1, 26, 12), handoff_id=h2.id)
    _event(session, leads["L2"], K.FOLLOW_UP_ATTEMPT, at(1, 27), handoff_id=h2.id,
           outcome="voicemail")  # fmt: skip
    _event(session, leads["L2"], K.FOLLOW_UP_ATTEMPT, at(1, 28), handoff_id=h2.id,
           outcome="connected")  # fmt: skip
    _event(session, leads["L2"], K.DEAL_LOST, at(2, 5), reason="bad timing")
    # February: L11 qualifies and is followed up in two hours.
    _event(session, leads["L11"], K.BECAME_WARM, at(2, 10))
    _event(session, leads["L11"], K.BECAME_SALES_READY, at(2, 12))
    h3 = Handoff(lead_id=leads["L11"].id, owner_id=tom.id, handed_off_at=at(2, 12),
                 sla_due_at=at(2, 13), due_at=at(2, 13), sla_state="met",
                 first_attempt_at=at(2, 12, 12))  # fmt: skip
    session.add(h3)
    session.flush()
    _event(session, leads["L11"], K.HANDED_OFF, at(2, 12), handoff_id=h3.id, score=78.0)
    return Built({k: v.id for k, v in leads.items()}, sequence.id, tom.id, sofia.id)


@pytest.fixture
def built(db: Database) -> Built:
    """The hand-built data set."""
    with db.write() as session:
        return _build(session)


def report(db: Database, name: str, period: Any, **filters: Any) -> Report:
    """One report on the data set."""
    with db.session() as session:
        return make_report(session, name, ReportFilter(period, **filters), NOW)


def values(result: Report) -> dict[str, Any]:
    """Figure key → value."""
    return {f.key: f.value for f in result.figures}


def test_funnel_for_january_and_february(db: Database, built: Built) -> None:
    """January's ten Expo leads and February's six Webinar leads, stage by stage."""
    january = values(report(db, "funnel", JANUARY))
    assert [january[k] for k in ("new", "nurturing", "warm", "sales_ready", "handed_off",
            "accepted", "opportunity", "won")] == [10, 4, 3, 2, 2, 1, 1, 1]  # fmt: skip
    assert january["overall"] == pytest.approx(0.1)
    table = report(db, "funnel", JANUARY).tables[0]
    handed = next(row for row in table.rows if row[0] == "Handed off")
    assert handed[4] == 1  # L2 stopped there and was lost
    february = values(report(db, "funnel", FEBRUARY))
    assert [february[k] for k in ("new", "nurturing", "warm", "sales_ready", "handed_off",
            "won")] == [6, 2, 1, 1, 1, 0]  # fmt: skip
    assert values(report(db, "funnel", JANUARY, source="Webinar"))["new"] == 0


def test_lead_acceleration(db: Database, built: Built) -> None:
    """Days from entry: warm 5/10/7 → median 7, p75 8.5; sales-ready 15/20; won 36."""
    result = report(db, "acceleration", JANUARY)
    got = values(result)
    assert got["days_to_warm"] == pytest.approx(7.0)
    assert got["days_to_sales_ready"] == pytest.approx(17.5)
    assert got["days_to_handed_off"] == pytest.approx(18.0)
    assert got["days_to_won"] == pytest.approx(36.0)
    warm_row = result.tables[0].rows[0]
    assert warm_row[:4] == ["Warm", pytest.approx(7.0), pytest.approx(8.5), 3]


def test_sequences_per_step(db: Database, built: Built) -> None:
    """Email 1: 4 sent, 1 hard bounce, 1 left after it; email 2: 2 sent, 1 reply."""
    result = report(db, "sequences", JANUARY)
    steps = {row[2]: row for row in result.tables[1].rows}
    sent, delivered, hard, soft, replied, _auto, _unsub, left = (4, 3, 1, 0, 0, 0, 0, 1)
    assert steps[1][4:12] == [sent, delivered, hard, soft, replied, _auto, _unsub, left]
    assert steps[2][4:12] == [2, 2, 0, 0, 1, 0, 0, 0]
    assert steps[2][12] == pytest.approx(0.5)
    by_sequence = result.tables[0].rows[0]
    assert by_sequence[1:6] == [6, 5, 1, 1, 0]  # per-step sums are the sequence's totals
    ready = result.tables[0].columns.index("Became sales-ready while enrolled")
    assert by_sequence[ready] == 2  # L1 and L2 became sales-ready while enrolled
    assert values(result)["bounce_rate"] == pytest.approx(1 / 6)
    assert values(report(db, "sequences", FEBRUARY))["sent"] == 0


def test_sales_follow_up(db: Database, built: Built) -> None:
    """January: 2 hand-offs, 1 in time, median 1530 min, 1 reassignment, 1.5 attempts."""
    result = report(db, "sla", JANUARY)
    got = values(result)
    assert (got["handoffs"], got["breached"], got["reassignments"]) == (2, 1, 1)
    assert got["met_rate"] == pytest.approx(0.5)
    assert got["median_minutes"] == pytest.approx((180 + 2880) / 2)
    assert got["attempts_to_connect"] == pytest.approx(1.5)
    reps = {row[0]: row for row in result.tables[0].rows}
    assert reps["Tom"][1:4] == [1, 1, 0] and reps["Sofia"][1:4] == [1, 0, 1]
    tom_only = values(report(db, "sla", JANUARY, owner_id=built.tom))
    assert tom_only["handoffs"] == 1
    assert values(report(db, "sla", FEBRUARY))["met_rate"] == 1.0


def test_outcomes_and_roi(db: Database, built: Built) -> None:
    """February: one deal of 10,000 won 16 days after it opened; Expo cost 2,000 → ROI 4."""
    with db.write() as session:
        set_source_cost(session, "Expo", "2,000")
    result = report(db, "outcomes", FEBRUARY)
    got = values(result)
    assert (got["won"], got["revenue"], got["average"]) == (1, 10_000.0, 10_000.0)
    assert got["days_to_close"] == pytest.approx(16.0)
    expo = next(row for row in result.tables[0].rows if row[0] == "Expo")
    assert expo[3:6] == [1, 10_000.0, 2_000.0]
    assert expo[8] == 2_000.0 and expo[9] == pytest.approx(4.0)
    january = values(report(db, "outcomes", JANUARY))
    assert (january["won"], january["revenue"], january["average"]) == (0, 0.0, None)


def test_score_calibration(db: Database, built: Built) -> None:
    """February's known outcomes: won at 85, lost at 72 → win rate ½, by bucket."""
    result = report(db, "calibration", FEBRUARY)
    got = values(result)
    assert (got["outcomes"], got["win_rate"]) == (2, 0.5)
    buckets = {row[0]: row[1:] for row in result.tables[1].rows}
    assert buckets["70–79"] == [1, 0, 0.0] and buckets["80–89"] == [1, 1, 1.0]
    assert got["suggested"] is None  # too few outcomes for a suggestion
    assert values(report(db, "calibration", JANUARY))["outcomes"] == 0


def test_list_health(db: Database, built: Built) -> None:
    """January: 6 sequence emails, 1 bounce; no suppressions."""
    result = report(db, "list-health", JANUARY)
    assert values(result)["bounce_rate"] == pytest.approx(1 / 6)
    assert result.tables[1].rows == []
