"""The way back, end to end: lost for bad timing, recycled into a sequence, qualifies, won.

Real SQLite file, real sequences and sender talking STARTTLS+AUTH to aiosmtpd on loopback; only
the clock is injected.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from leaddesk.activities import ActivityKind
from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import Deal, Enrollment, Handoff, Lead, TeamMember
from leaddesk.outcomes.config import RecyclePolicy, load_outcome_settings, save_outcome_settings
from leaddesk.outcomes.deals import mark_lost, mark_won
from leaddesk.settings import POSTAL_ADDRESS, set_setting
from leaddesk.tick import run_tick
from tests.handoff.conftest import event, new_lead
from tests.mail.mailtest_data import make_account
from tests.mail.mailtest_keyring import PASSWORD
from tests.mail.mailtest_support import TestSmtpServer
from tests.sequences.sequence_helpers import email, make_sequence, wait

ANNA = "anna@acme-logistics.example"


def test_lost_lead_is_recycled_requalifies_and_is_won(
    db: Database,
    clock: FixedClock,
    smtp_server: TestSmtpServer,
    tls: object,
    team: dict[str, int],
) -> None:
    """Lost (bad timing) → day 60 one email arrives → new activity → second hand-off → won."""
    make_account(db, smtp_server.port, PASSWORD)
    with db.write() as session:
        set_setting(session, POSTAL_ADDRESS, "Acme Ltd, 1 Harbour Street, Bristol BS1 4XX")
        sequence = make_sequence(
            session,
            [email("Checking back, {{ first_name }}"), wait(days=30), email("A last idea")],
            name="Check back in 3 months",
        )
        settings = load_outcome_settings(session)
        policy = RecyclePolicy("bad timing", sequence_id=sequence.id, delay_days=60)
        save_outcome_settings(
            session, replace(settings, policies={**settings.policies, "bad timing": policy})
        )
        anna = new_lead(session, ANNA)
        event(session, anna, ActivityKind.CONSULTATION_REQUESTED, clock.now())
        assert anna.status == "handed_off" and anna.owner_id == team["tom"]
        tom = session.get_one(TeamMember, team["tom"])
        clock.advance(timedelta(days=2))
        mark_lost(session, anna, reason="bad timing", note="Back after the merger", by=tom,
                  now=clock.now())  # fmt: skip
        anna_id = anna.id
    run_tick(db, clock, tls_context=tls)  # type: ignore[arg-type]
    to_anna = [r for r in smtp_server.received if r.recipients == [ANNA]]
    assert to_anna == []  # nothing before the 60 days

    clock.advance(timedelta(days=60))  # a Sunday: recycled now, the email waits for Monday
    run_tick(db, clock, tls_context=tls)  # type: ignore[arg-type]
    clock.advance(timedelta(days=1))
    for _ in range(3):  # several ticks, as cron would: each thing happens once
        run_tick(db, clock, tls_context=tls)  # type: ignore[arg-type]
    to_anna = [r for r in smtp_server.received if r.recipients == [ANNA]]
    assert len(to_anna) == 1
    assert "Checking back, Anna" in str(to_anna[0].message["Subject"])
    with db.session() as session:
        anna = session.get_one(Lead, anna_id)
        enrollment = session.scalars(select(Enrollment).where(Enrollment.lead_id == anna_id)).one()
        assert (anna.status, anna.status_reason) == ("recycled", "bad timing")
        assert enrollment.origin == "recycling" and enrollment.state == "active"

    clock.advance(timedelta(days=3))
    with db.write() as session:
        anna = session.get_one(Lead, anna_id)
        event(session, anna, ActivityKind.WHITEPAPER_DOWNLOAD, clock.now(), asset="Route planning")
        event(session, anna, ActivityKind.WEBINAR_ATTENDED, clock.now(), minutes=45)
        assert anna.score_band == "sales_ready" and anna.status == "handed_off"
        sofia = session.get_one(TeamMember, team["sofia"])
        mark_won(session, anna, amount="9,900", by=sofia, now=clock.now() + timedelta(days=10))
    with db.session() as session:
        episodes = list(
            session.scalars(
                select(Handoff.outcome).where(Handoff.lead_id == anna_id).order_by(Handoff.id)
            )
        )
        deals = list(session.scalars(select(Deal).where(Deal.lead_id == anna_id)))
        anna = session.get_one(Lead, anna_id)
        enrollment = session.scalars(select(Enrollment).where(Enrollment.lead_id == anna_id)).one()
    assert episodes == ["lost", "won"]  # the first episode stays in the history
    assert [(d.state, d.amount_cents) for d in deals] == [("won", 990000)]
    assert anna.status == "customer" and enrollment.state == "exited"
