"""Fixtures for hand-off tests: a team of two reps and a manager, rules, leads, a mail server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from leaddesk.activities import ActivityEvent, record_activity
from leaddesk.db.engine import Database
from leaddesk.db.models import Lead
from leaddesk.handoff.routing import AssignmentRule, Condition, RoutingConfig, save_routing
from leaddesk.handoff.team import add_member
from tests.mail.conftest import memory_keyring, smtp_server, tls  # noqa: F401 (fixtures)

TEAM = {
    "tom": ("Tom Okoro", "tom@team.example", "sales_rep", "Europe/Berlin"),
    "sofia": ("Sofia Reyes", "sofia@team.example", "sales_rep", "America/New_York"),
    "maya": ("Maya Lindgren", "maya@team.example", "sales_manager", "Europe/Stockholm"),
}


@pytest.fixture
def team(db: Database) -> dict[str, int]:
    """Tom (DACH rep), Sofia (rep) and Maya (manager); German leads go to Tom by rule."""
    with db.write() as session:
        ids = {
            key: add_member(session, name, email, role=role, timezone=zone).id
            for key, (name, email, role, zone) in TEAM.items()
        }
        dach = Condition("country", "in_list", "Germany, Austria, Switzerland")
        rules = (AssignmentRule("DACH", (dach,), (ids["tom"],)),)
        save_routing(session, RoutingConfig(rules, (ids["tom"], ids["sofia"])))
    return ids


def new_lead(session: Session, email: str, **fields: Any) -> Lead:
    """A lead with a plausible profile (fields override it)."""
    values: dict[str, Any] = {
        "first_name": "Anna",
        "last_name": "Bauer",
        "company": "Acme Logistics",
        "title": "Head of Operations",
        "industry": "Logistics",
        "company_size": "51-200",
        "country": "Germany",
        "timezone": "Europe/Berlin",
        "source": "Expo Berlin 2026",
        "phone": "+49 30 1234567",
    }
    values.update(fields)
    lead = Lead(email=email, email_key=email.lower(), **values)
    session.add(lead)
    session.flush()
    return lead


def event(session: Session, lead: Lead, kind: str, now: Any, **payload: Any) -> None:
    """Record ``kind`` for ``lead`` through the event door at ``now``."""
    record_activity(session, ActivityEvent(lead.id, kind, now, payload), now=now)


@pytest.fixture
def no_alert_server() -> Iterator[None]:
    """Marks tests that queue alerts without any server (nothing is sent)."""
    yield
