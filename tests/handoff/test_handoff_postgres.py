"""Team mode: hand-offs on a real PostgreSQL server, with two laptops acting at the same moment."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from leaddesk.activities import ActivityKind
from leaddesk.clock import FixedClock
from leaddesk.db import migrate
from leaddesk.db.models import Activity, Handoff, Lead, OutboundMessage
from leaddesk.handoff.routing import AssignmentRule, Condition, RoutingConfig, save_routing
from leaddesk.handoff.service import hand_off
from leaddesk.handoff.team import add_member
from leaddesk.handoff.timers import run_handoff_timers
from tests.handoff.conftest import event, new_lead
from tests.sequences.sequence_helpers import add_account
from tests.support.postgres import postgres_server


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL cluster for this module (the test fails if it cannot start)."""
    with postgres_server() as url:
        yield url


def _together(*jobs: object) -> list[object]:
    """Run the jobs in threads released at the same instant; re-raise the first failure."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(index: int, job: object) -> None:
        barrier.wait()
        try:
            results[index] = job()  # type: ignore[operator]
        except BaseException as error:
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, j)) for i, j in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


def test_handoffs_and_timers_on_postgres(postgres_url: str, clock: FixedClock) -> None:
    """Two laptops hand the same lead off at once: one hand-off; two ticks: one breach."""
    db = migrate.open_database(postgres_url)
    with db.write() as session:
        tom = add_member(session, "Tom Okoro", "tom@team.example", timezone="Europe/Berlin")
        add_member(session, "Maya Lindgren", "maya@team.example", role="sales_manager")
        rule = AssignmentRule("DACH", (Condition("country", "in_list", "Germany"),), (tom.id,))
        save_routing(session, RoutingConfig((rule,), ()))
        add_account(session, name="Alerts", from_address="alerts@team.example")
        lead_id = new_lead(session, "anna@acme.example").id

    def hand(trigger: str) -> object:
        with db.write() as session:
            lead = session.get_one(Lead, lead_id)
            return hand_off(session, lead, trigger=trigger, now=clock.now())

    first, second = _together(lambda: hand("manual"), lambda: hand("manual"))
    assert sorted([first.created, second.created]) == [False, True]  # type: ignore[attr-defined]
    with db.write() as session:
        event(session, session.get_one(Lead, lead_id), ActivityKind.DEMO_REQUESTED, clock.now())
    clock.advance(timedelta(hours=25))

    def tick() -> object:
        with db.write() as session:
            return run_handoff_timers(session, clock.now())

    reports = _together(tick, tick)
    assert sorted(r.breached for r in reports) == [0, 1]  # type: ignore[attr-defined]
    with db.session() as session:
        assert session.scalar(select(func.count(Handoff.id))) == 1
        kinds = list(session.scalars(select(Activity.kind).where(Activity.lead_id == lead_id)))
        alerts = list(session.scalars(select(OutboundMessage.to_address)))
    assert kinds.count("handed_off") == 1 and kinds.count("sla_breached") == 1
    assert sorted(alerts) == ["maya@team.example", "tom@team.example", "tom@team.example"]
    db.dispose()
