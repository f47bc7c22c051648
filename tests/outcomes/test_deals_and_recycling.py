"""Outcomes: opportunity, won and lost with a reason; recycling by policy; the score reset."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from leaddesk.activities import ActivityKind
from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import Activity, Deal, Enrollment, Handoff, Lead, RecyclePlan
from leaddesk.handoff.followup import hand_back
from leaddesk.handoff.queue import sales_queue
from leaddesk.handoff.service import HandoffError, hand_off
from leaddesk.leads.suppression import SuppressionReason, suppress
from leaddesk.outcomes.config import (
    OutcomeSettingsError,
    RecyclePolicy,
    load_outcome_settings,
    save_outcome_settings,
)
from leaddesk.outcomes.deals import convert_to_opportunity, mark_lost, mark_won
from leaddesk.outcomes.recycling import run_recycle_plans
from tests.handoff.conftest import event, new_lead
from tests.sequences.sequence_helpers import email, make_sequence


def _handed(db: Database, clock: FixedClock, email_address: str = "anna@acme.example") -> int:
    with db.write() as session:
        lead = new_lead(session, email_address)
        hand_off(session, lead, trigger="manual", now=clock.now())
        return lead.id


def test_opportunity_then_won_makes_a_customer(
    db: Database, team: dict[str, int], clock: FixedClock
) -> None:
    """An opportunity of 12,500 that is won: a customer, the deal won, out of the queue."""
    lead_id = _handed(db, clock)
    with db.write() as session:
        lead = session.get_one(Lead, lead_id)
        close = date(2026, 4, 30)
        deal = convert_to_opportunity(session, lead, amount="12,500", by=None,
                                      expected_close=close, now=clock.now())  # fmt: skip
        assert (lead.status, deal.amount_cents, deal.currency) == ("opportunity", 1250000, "EUR")
        mark_won(session, lead, by=None, now=clock.now() + timedelta(days=20))
        assert lead.status == "customer"
        assert sales_queue(session, clock.now()) == []
    with db.session() as session:
        deal = session.scalars(select(Deal)).one()
        handoff = session.scalars(select(Handoff)).one()
        kinds = list(session.scalars(select(Activity.kind).where(Activity.lead_id == lead_id)))
    assert (deal.state, deal.amount_cents, deal.won_on) == ("won", 1250000, date(2026, 3, 22))
    assert (handoff.state, handoff.outcome) == ("closed", "won")
    assert kinds.count("deal_opened") == 1 and kinds.count("deal_won") == 1


def test_bad_outcomes_are_refused_and_change_nothing(
    db: Database, team: dict[str, int], clock: FixedClock
) -> None:
    """No reason, "other" without a note, a word for an amount, a won deal on a suppressed lead."""
    lead_id = _handed(db, clock)
    with db.write() as session:
        lead = session.get_one(Lead, lead_id)
        with pytest.raises(HandoffError, match="reason is required"):
            mark_lost(session, lead, reason="", by=None, now=clock.now())
        with pytest.raises(HandoffError, match="add a note"):
            mark_lost(session, lead, reason="other", by=None, now=clock.now())
        with pytest.raises(HandoffError, match="not one of the reasons"):
            mark_lost(session, lead, reason="the moon was full", by=None, now=clock.now())
        with pytest.raises(HandoffError, match="not an amount"):
            convert_to_opportunity(session, lead, amount="lots", by=None, now=clock.now())
        suppress(session, lead.email, SuppressionReason.UNSUBSCRIBED)
        with pytest.raises(HandoffError, match="suppression list"):
            mark_won(session, lead, amount="500", by=None, now=clock.now())
        assert lead.status == "handed_off"
    with db.session() as session:
        assert session.scalar(select(func.count(Deal.id))) == 0


def test_a_policy_naming_a_deleted_sequence_is_refused(db: Database) -> None:
    """Saving a recycle policy whose sequence does not exist says so and saves nothing."""
    with db.write() as session:
        settings = load_outcome_settings(session)
        broken = {**settings.policies, "bad timing": RecyclePolicy("bad timing", sequence_id=99)}
        with pytest.raises(OutcomeSettingsError, match="deleted"):
            save_outcome_settings(session, replace(settings, policies=broken))
        with pytest.raises(OutcomeSettingsError, match="currency code"):
            save_outcome_settings(session, replace(settings, currency="euros"))
    with db.session() as session:
        assert load_outcome_settings(session).policy("bad timing").sequence_id is None


def test_lost_for_bad_timing_comes_back_after_60_days_with_a_fresh_score(
    db: Database, team: dict[str, int], clock: FixedClock
) -> None:
    """Lost → "lost (bad timing)"; day 60 → recycled, enrolled, old engagement no longer counts."""
    with db.write() as session:
        sequence = make_sequence(session, [email()], name="Check back in 3 months")
        settings = load_outcome_settings(session)
        policy = RecyclePolicy("bad timing", sequence_id=sequence.id, delay_days=60)
        save_outcome_settings(
            session, replace(settings, policies={**settings.policies, "bad timing": policy})
        )
        lead = new_lead(session, "anna@acme.example")
        event(session, lead, ActivityKind.CONSULTATION_REQUESTED, clock.now())
        assert lead.score_band == "sales_ready"
        mark_lost(session, lead, reason="Bad timing", note="Budget freeze until Q3", by=None,
                  now=clock.now())  # fmt: skip
        assert (lead.status, lead.status_reason) == ("lost", "bad timing")
        assert lead.engagement_score == 0  # the consultation before the loss no longer counts
        lead_id, sequence_id = lead.id, sequence.id
    clock.advance(timedelta(days=59))
    with db.write() as session:
        assert run_recycle_plans(session, clock.now()) == []
    clock.advance(timedelta(days=1))
    with db.write() as session:
        (outcome,) = run_recycle_plans(session, clock.now())
        assert run_recycle_plans(session, clock.now()) == []  # once
        lead = session.get_one(Lead, lead_id)
        enrollment = session.scalars(select(Enrollment)).one()
        assert outcome.text == "enrolled in 'Check back in 3 months'"
        assert (lead.status, lead.status_reason) == ("recycled", "bad timing")
        assert enrollment.sequence_id == sequence_id and enrollment.origin == "recycling"
        assert lead.engagement_score == 0 and lead.score_band != "sales_ready"


def test_not_a_fit_is_disqualified_and_stays_out_of_nurture(
    db: Database, team: dict[str, int], clock: FixedClock
) -> None:
    """Handing back as "not a fit" disqualifies the lead: no plan, no sequence."""
    lead_id = _handed(db, clock)
    with db.write() as session:
        lead = session.get_one(Lead, lead_id)
        hand_back(session, lead, reason="not a fit", by=None, now=clock.now())
        assert (lead.status, lead.status_reason) == ("disqualified", "not a fit")
        assert session.scalar(select(func.count(RecyclePlan.id))) == 0


def test_a_new_outcome_replaces_the_waiting_plan(
    db: Database, team: dict[str, int], clock: FixedClock
) -> None:
    """Handed back (plan waits 30 days), then handed off again and won: the plan is called off."""
    lead_id = _handed(db, clock)
    with db.write() as session:
        lead = session.get_one(Lead, lead_id)
        hand_back(session, lead, reason="not ready yet", by=None, now=clock.now())
        hand_off(session, lead, trigger="manual", now=clock.now())
        mark_won(session, lead, amount="900", by=None, now=clock.now())
        plan = session.scalars(select(RecyclePlan)).one()
    assert (plan.state, plan.result) == ("cancelled", "the deal was won")
    clock.advance(timedelta(days=40))
    with db.write() as session:
        assert run_recycle_plans(session, clock.now()) == []
        assert session.get_one(Lead, lead_id).status == "customer"
