"""Profile edits and leads added by hand: validation, persistence, activities."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import Activity, Lead
from leaddesk.inbox.profile import DuplicateEmailError, ProfileError, add_lead, update_profile
from leaddesk.inbox.query import InboxQuery, query_lead_ids
from leaddesk.leads.suppression import suppress
from tests.inbox.sample_inbox import Inbox


def kinds(db: Database, lead_id: int) -> list[str]:
    with db.session() as s:
        return list(
            s.scalars(
                select(Activity.kind).where(Activity.lead_id == lead_id).order_by(Activity.id)
            )
        )


def test_edit_persists_and_is_recorded(db: Database, clock: FixedClock, inbox: Inbox) -> None:
    """Saved edits stay, and the timeline gets profile, status and owner entries."""
    with db.write() as s:
        change = update_profile(
            s,
            inbox.clara,
            {
                "title": " Head of IT ",
                "email": "Clara@Alpine.example",
                "status": "nurturing",
                "owner_id": inbox.maya,
                "timezone": "Europe/Paris",
            },
            now=clock.now(),
        )
    assert set(change.changes) == {"title", "email", "status", "owner_id", "timezone"}
    with db.session() as s:
        lead = s.get(Lead, inbox.clara)
        assert lead is not None
        assert (lead.title, lead.email, lead.email_key) == (
            "Head of IT",
            "Clara@Alpine.example",
            "clara@alpine.example",
        )
        assert (lead.status, lead.owner_id, lead.last_activity_at) == (
            "nurturing",
            inbox.maya,
            clock.now(),
        )
    assert kinds(db, inbox.clara)[-3:] == ["status_changed", "owner_changed", "profile_updated"]


def test_unchanged_values_record_nothing(db: Database, clock: FixedClock, inbox: Inbox) -> None:
    """Saving the form without changes adds nothing to the timeline."""
    before = kinds(db, inbox.ben)
    with db.write() as s:
        assert update_profile(s, inbox.ben, {"first_name": "Ben"}, now=clock.now()).changes == {}
    assert kinds(db, inbox.ben) == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "not an address"}, "email"),
        ({"email": ""}, "email"),
        ({"status": "hot"}, "status"),
        ({"owner_id": 999}, "owner_id"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"score": 100}, "score"),
    ],
)
def test_invalid_values_are_refused(
    db: Database, clock: FixedClock, inbox: Inbox, changes: dict[str, object], field: str
) -> None:
    """A bad value is refused, names its field, and nothing is saved."""
    with pytest.raises(ProfileError) as caught, db.write() as s:
        update_profile(s, inbox.ben, changes, now=clock.now())
    assert caught.value.field == field
    with db.session() as s:
        lead = s.get(Lead, inbox.ben)
        assert lead is not None and lead.email == "ben.bauer@kestrel.example"


def test_duplicate_email_names_the_other_lead(
    db: Database, clock: FixedClock, inbox: Inbox
) -> None:
    """Taking another lead's address is refused with that lead's id."""
    with pytest.raises(DuplicateEmailError) as caught, db.write() as s:
        update_profile(s, inbox.ben, {"email": " ANNA.andersen@northwind.example"}, now=clock.now())
    assert caught.value.other_lead_id == inbox.anna
    assert f"#{inbox.anna}" in str(caught.value)


def test_add_lead_by_hand(db: Database, clock: FixedClock, inbox: Inbox) -> None:
    """A lead typed in by hand is stored, tagged, searchable and has a 'created' entry."""
    with db.write() as s:
        lead_id = add_lead(
            s,
            {"email": "new.person@example.org", "first_name": "Nova", "company": "Acme"},
            now=clock.now(),
            tags=["manual", " "],
        )
    with db.session() as s:
        assert query_lead_ids(s, InboxQuery(search="nova acme"), now=clock.now()) == [lead_id]
        assert query_lead_ids(s, InboxQuery(tag="manual"), now=clock.now()) == [lead_id]
    assert kinds(db, lead_id) == ["created"]


def test_add_lead_refuses_duplicates_and_suppressed(
    db: Database, clock: FixedClock, inbox: Inbox
) -> None:
    """An address already in the inbox or on the suppression list cannot be added by hand."""
    with pytest.raises(DuplicateEmailError), db.write() as s:
        add_lead(s, {"email": "Ben.Bauer@kestrel.example"}, now=clock.now())
    with db.write() as s:
        suppress(s, "gone@example.org", "forgotten", keep_address=False)
    with pytest.raises(ProfileError, match="suppression"), db.write() as s:
        add_lead(s, {"email": "gone@example.org"}, now=clock.now())
    with pytest.raises(ProfileError, match="empty"), db.write() as s:
        add_lead(s, {"first_name": "No email"}, now=clock.now())


def test_unchanged_odd_address_does_not_block_other_edits(
    db: Database, clock: FixedClock, inbox: Inbox
) -> None:
    """A lead imported with an odd address can still have other fields edited."""
    with db.write() as s:
        lead = s.get(Lead, inbox.clara)
        assert lead is not None
        lead.email = "clara at alpine"
    with db.write() as s:
        change = update_profile(
            s, inbox.clara, {"email": "clara at alpine", "title": "CTO"}, now=clock.now()
        )
    assert set(change.changes) == {"title"}
