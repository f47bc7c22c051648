"""Bulk actions on a selection, checked in the database afterwards."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import Activity, Enrollment, Lead, LeadTag, Task
from leaddesk.inbox.bulk import (
    add_tag,
    all_tags,
    assign_owner,
    delete_leads,
    remove_tag,
    set_status,
)
from tests.inbox.sample_inbox import Inbox


def test_assign_owner(db: Database, clock: FixedClock, inbox: Inbox) -> None:
    """Every selected lead gets the owner; leads that already had them are not counted."""
    with db.write() as s:
        assert (
            assign_owner(s, [inbox.ben, inbox.clara, inbox.david], inbox.tom, now=clock.now()) == 1
        )
        assert assign_owner(s, [inbox.anna], None, now=clock.now()) == 1
    with db.session() as s:
        owners = dict(s.execute(select(Lead.id, Lead.owner_id)).all())
        changes = s.scalar(select(func.count()).where(Activity.kind == "owner_changed"))
    assert owners == {
        inbox.anna: None,
        inbox.ben: inbox.tom,
        inbox.clara: inbox.tom,
        inbox.david: inbox.tom,
    }
    assert changes == 2


def test_set_status(db: Database, clock: FixedClock, inbox: Inbox) -> None:
    """The status changes on every selected lead and each change is on its timeline."""
    with db.write() as s:
        assert (
            set_status(s, [inbox.ben, inbox.david, inbox.clara], "disqualified", now=clock.now())
            == 3
        )
    with db.session() as s:
        statuses = set(s.scalars(select(Lead.status).where(Lead.id != inbox.anna)))
        payloads = list(
            s.scalars(select(Activity.payload).where(Activity.kind == "status_changed"))
        )
    assert statuses == {"disqualified"}
    assert {"from": "new", "to": "disqualified"} in payloads
    with pytest.raises(ValueError), db.write() as s:
        set_status(s, [inbox.ben], "hot", now=clock.now())


def test_add_and_remove_tag(db: Database, clock: FixedClock, inbox: Inbox) -> None:
    """A tag is added once per lead and removed from exactly the leads that had it."""
    with db.write() as s:
        assert add_tag(s, [inbox.anna, inbox.clara, 999], "vip", now=clock.now()) == 1
        assert remove_tag(s, [inbox.anna, inbox.ben], "expo", now=clock.now()) == 2
    with db.session() as s:
        tags = set(s.execute(select(LeadTag.lead_id, LeadTag.tag)))
        assert all_tags(s) == ["vip"]
    assert tags == {(inbox.anna, "vip"), (inbox.clara, "vip")}
    with pytest.raises(ValueError), db.write() as s:
        add_tag(s, [inbox.anna], "  ", now=clock.now())


def test_delete(db: Database, clock: FixedClock, inbox: Inbox) -> None:
    """Deleted leads disappear with their tags, activities, tasks and enrollments."""
    with db.write() as s:
        assert delete_leads(s, [inbox.ben, inbox.david, inbox.clara]) == 3
    with db.session() as s:
        assert list(s.scalars(select(Lead.id))) == [inbox.anna]
        for model in (Activity, Task, Enrollment):
            assert s.scalar(select(func.count()).select_from(model)) == 0
        assert s.scalar(select(func.count()).select_from(LeadTag)) == 2
