"""Builders for sequence tests: leads, a sender account, owners, simple sequences."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from leaddesk.db.models import Lead, SenderAccount, Sequence, TeamMember
from leaddesk.sequences.presets import sequence_from_document

POSTAL = "Acme Ltd, 1 Harbour Street, Bristol BS1 4XX, United Kingdom"


def add_lead(session: Session, email: str, **fields: Any) -> Lead:
    """A lead with sensible defaults; ``fields`` override them."""
    values: dict[str, Any] = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "company": "Analytical Engines",
        "timezone": "Europe/Berlin",
        "status": "nurturing",
    }
    values.update(fields)
    lead = Lead(email=email, email_key=email.lower(), **values)
    session.add(lead)
    session.flush()
    return lead


def add_account(session: Session, **fields: Any) -> SenderAccount:
    """A sender account (the mailbox the sequence sends from)."""
    values: dict[str, Any] = {
        "name": "Sales mailbox",
        "from_address": "sam@acme.example",
        "display_name": "Sam Seller",
    }
    values.update(fields)
    account = SenderAccount(**values)
    session.add(account)
    session.flush()
    return account


def add_owner(session: Session, name: str = "Olivia Owner") -> TeamMember:
    """A team member who can own leads."""
    member = TeamMember(name=name, email=f"{name.split()[0].lower()}@acme.example")
    session.add(member)
    session.flush()
    return member


def simple_document(steps: list[dict[str, Any]], **settings: Any) -> dict[str, Any]:
    """A sequence document with the given steps and settings."""
    return {
        "name": settings.pop("name", "Test sequence"),
        "settings": {"send_days": "mon,tue,wed,thu,fri", **settings},
        "steps": steps,
    }


def email(subject: str = "Hello {{ first_name }}", body: str = "Hi {{ first_name }}") -> dict:
    """An email step."""
    return {"kind": "email", "subject": subject, "body": body}


def wait(days: int = 0, hours: int = 0, business: bool = False) -> dict:
    """A wait step."""
    return {"kind": "wait", "wait_days": days, "wait_hours": hours, "business_days": business}


def make_sequence(session: Session, steps: list[dict[str, Any]], **settings: Any) -> Sequence:
    """Store a sequence built from ``steps``."""
    return sequence_from_document(session, simple_document(steps, **settings))
