"""Compare-and-set saves of a lead's profile: the later of two edits is never silent."""

from __future__ import annotations

from datetime import timedelta

import pytest

from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import Lead
from leaddesk.inbox.profile import EditConflict, update_profile
from tests.inbox.sample_inbox import Inbox


def test_a_save_that_lost_the_race_names_who_and_when(
    db: Database, clock: FixedClock, inbox: Inbox
) -> None:
    """Maya saves first; the second save (from what its form loaded) is refused with her name
    and time and writes nothing; an explicit overwrite then wins."""
    now = clock.now()
    with db.session() as session:
        lead = session.get_one(Lead, inbox.clara)
        shown = {"company": lead.company, "title": lead.title}
    with db.write() as session:
        update_profile(session, inbox.clara, {"company": "Alpine AG"}, now=now, by="Maya")
    later = now + timedelta(minutes=3)
    with pytest.raises(EditConflict) as caught, db.write() as session:
        update_profile(
            session, inbox.clara, {"company": "Alpine GmbH"}, now=later, expected=shown, by="Tom"
        )
    assert caught.value.by == "Maya" and caught.value.fields == ["company"]
    assert "changed by Maya at" in str(caught.value)
    with db.session() as session:
        assert session.get_one(Lead, inbox.clara).company == "Alpine AG"
    with db.write() as session:
        update_profile(session, inbox.clara, {"company": "Alpine GmbH"}, now=later, by="Tom")
    with db.session() as session:
        assert session.get_one(Lead, inbox.clara).company == "Alpine GmbH"


def test_an_unchanged_lead_saves_normally_with_its_expected_values(
    db: Database, clock: FixedClock, inbox: Inbox
) -> None:
    """When nobody else saved, the compare-and-set save goes through and names its editor."""
    with db.session() as session:
        lead = session.get_one(Lead, inbox.clara)
        shown = {"company": lead.company, "status": lead.status, "owner_id": lead.owner_id}
    with db.write() as session:
        result = update_profile(
            session, inbox.clara, {"company": "Alpine SA"}, now=clock.now(), expected=shown, by="T"
        )
    assert result.changes == {"company": (shown["company"], "Alpine SA")}
