"""Re-engagement: exactly the leads the rule names are enrolled, once; the dry run agrees."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from leaddesk.activities import ActivityKind
from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import Activity, Enrollment, Lead, OutboundMessage
from leaddesk.leads.suppression import SuppressionReason, suppress
from leaddesk.outcomes.config import (
    OutcomeSettingsError,
    ReengagementSettings,
    save_reengagement,
)
from leaddesk.outcomes.reengagement import run_reengagement
from leaddesk.sequences.enrollment import enroll_leads
from leaddesk.sequences.presets import load_preset, sequence_from_document
from tests.handoff.conftest import event
from tests.sequences.sequence_helpers import email, make_sequence

STATUSES = ["new", "nurturing", "recycled", "handed_off", "lost", "customer", "disqualified"]


def _build(db: Database, clock: FixedClock, count: int = 1000) -> set[int]:
    """``count`` leads with mixed statuses and quiet periods; returns the ids the rule names."""
    rng = random.Random(4)
    now = clock.now()
    rows, lost_at = [], {}
    for n in range(count):
        status = rng.choice(STATUSES)
        # Nobody within a few days of the 90-day line, so the next day's pass adds nobody.
        quiet = rng.choice([rng.randint(0, 80), rng.randint(100, 200)])
        rows.append(
            {
                "email": f"lead{n}@co{n % 37}.example",
                "email_key": f"lead{n}@co{n % 37}.example",
                "status": status,
                "email_state": "bounced" if n % 41 == 0 else "ok",
                "last_activity_at": now - timedelta(days=quiet),
                "created_at": now - timedelta(days=400),
                "updated_at": now,
                "custom_fields": {},
                "reengaged_at": now - timedelta(days=30) if n % 53 == 0 else None,
                "unresponsive_until": now + timedelta(days=100) if n % 59 == 0 else None,
            }
        )
        if status == "lost":
            lost_at[n + 1] = now - timedelta(days=rng.choice([rng.randint(0, 80), 150]))
    with db.write() as session:
        session.execute(insert(Lead), rows)
        session.execute(
            insert(Activity),
            [
                {"lead_id": lead_id, "kind": ActivityKind.DEAL_LOST, "occurred_at": moment,
                 "recorded_at": moment, "origin": "user", "payload": {"reason": "bad timing"}}
                for lead_id, moment in lost_at.items()
            ],
        )  # fmt: skip
        other = make_sequence(session, [email()], name="Newsletter")
        busy = [i for i in range(1, count + 1) if i % 7 == 0]
        enroll_leads(session, other, busy, now=now)
        suppressed = [i for i in range(1, count + 1) if i % 43 == 0]
        for lead_id in suppressed:
            suppress(session, rows[lead_id - 1]["email"], SuppressionReason.UNSUBSCRIBED)
        enrolled = set(
            session.scalars(select(Enrollment.lead_id).where(Enrollment.state == "active"))
        )
    cutoff = now - timedelta(days=90)
    expected = set()
    for n, row in enumerate(rows, start=1):
        if row["status"] in ("customer", "disqualified") or row["email_state"] != "ok":
            continue
        if n in enrolled or n % 43 == 0 or row["reengaged_at"] or row["unresponsive_until"]:
            continue
        quiet_enough = (
            lost_at[n] < cutoff if row["status"] == "lost" else row["last_activity_at"] < cutoff
        )
        if quiet_enough:
            expected.add(n)
    return expected


def _rule(db: Database) -> ReengagementSettings:
    with db.write() as session:
        sequence = sequence_from_document(session, load_preset("reengagement"))
        return save_reengagement(
            session, ReengagementSettings(enabled=True, sequence_id=sequence.id)
        )


def test_exactly_the_named_leads_are_enrolled_once(db: Database, clock: FixedClock) -> None:
    """1,000 mixed leads: the dry run's count is the real run's; the next day adds nobody."""
    expected = _build(db, clock)
    rule = _rule(db)
    with db.write() as session:
        dry = run_reengagement(session, clock.now(), dry_run=True, settings=rule)
    assert dry.eligible == len(expected) > 100
    with db.write() as session:
        real = run_reengagement(session, clock.now(), settings=rule)
        enrolled = set(
            session.scalars(
                select(Enrollment.lead_id).where(Enrollment.sequence_id == rule.sequence_id)
            )
        )
    assert real.enrolled == dry.eligible and enrolled == expected
    assert sum(dry.by_kind.values()) == dry.eligible
    clock.advance(timedelta(days=1))
    with db.write() as session:
        again = run_reengagement(session, clock.now(), settings=rule)
    assert (again.eligible, again.enrolled) == (0, 0)


def test_switching_the_rule_on_needs_a_sequence(db: Database) -> None:
    """The rule cannot be switched on without a sequence; it is off on a new database."""
    with db.write() as session, pytest.raises(OutcomeSettingsError, match="sequence"):
        save_reengagement(session, ReengagementSettings(enabled=True))


def test_silence_until_the_end_marks_a_lead_unresponsive(db: Database, clock: FixedClock) -> None:
    """No answer to the last email for a week: "unresponsive", out of re-engagement for a year;
    a lead that downloaded something meanwhile is not marked."""
    from leaddesk.db.models import Lead as LeadModel

    with db.write() as session:
        quiet = LeadModel(email="q@co.example", email_key="q@co.example", custom_fields={},
                          last_activity_at=clock.now() - timedelta(days=120))  # fmt: skip
        awake = LeadModel(email="a@co.example", email_key="a@co.example", custom_fields={},
                          last_activity_at=clock.now() - timedelta(days=120))  # fmt: skip
        session.add_all([quiet, awake])
    rule = _rule(db)
    with db.write() as session:
        assert run_reengagement(session, clock.now(), settings=rule).enrolled == 2
        for enrollment in session.scalars(select(Enrollment)):
            enrollment.state = "completed"  # the sequence's last email went out …
        session.add_all(
            OutboundMessage(
                lead_id=e.lead_id,
                enrollment_id=e.id,
                message_id=f"<m{e.id}@x>",
                to_address="x@co.example",
                state="sent",
                due_at=clock.now(),
                sent_at=clock.now() + timedelta(days=10),
            )
            for e in session.scalars(select(Enrollment))
        )
        event(session, session.get_one(LeadModel, awake.id), ActivityKind.WHITEPAPER_DOWNLOAD,
              clock.now() + timedelta(days=3))  # fmt: skip
    clock.advance(timedelta(days=20))
    with db.write() as session:
        report = run_reengagement(session, clock.now(), settings=rule)
        quiet = session.get_one(LeadModel, quiet.id)
        awake = session.get_one(LeadModel, awake.id)
    assert report.unresponsive == 1
    assert quiet.status_reason == "unresponsive" and quiet.unresponsive_until is not None
    assert awake.unresponsive_until is None
