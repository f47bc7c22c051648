"""Driver-level statements read and write exactly what the ORM reads and writes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import bindparam, select, update

from leaddesk.db.models import OutboundMessage
from leaddesk.mail.driver_sql import DriverStatement
from tests.mail.mailtest_data import make_account, plan_messages

_ROWS = DriverStatement(
    select(OutboundMessage.id, OutboundMessage.due_at, OutboundMessage.rendered)
    .where(OutboundMessage.id.in_(bindparam("ids", expanding=True)))
    .order_by(OutboundMessage.id)
)
_STAMP = DriverStatement(
    update(OutboundMessage)
    .where(OutboundMessage.id == bindparam("row_id"))
    .values(
        sent_at=bindparam("at", type_=OutboundMessage.sent_at.type),
        updated_at=bindparam("at", type_=OutboundMessage.sent_at.type),
        finished_reason="x",
    )
)


def test_driver_statements_match_the_orm(db, clock):
    """Timestamps and JSON written and read on the driver equal the ORM's, for any IN-list size."""
    account_id = make_account(db, 2525, "unused")
    row_ids = plan_messages(db, account_id, 5, clock.now())
    later = clock.now() + timedelta(minutes=3)
    with db.write() as session:
        connection = session.connection()
        for size in (1, 3, 5, 3):
            rows = _ROWS.execute(connection, {"ids": row_ids[:size]})
            orm = [session.get_one(OutboundMessage, row_id) for row_id in row_ids[:size]]
            assert rows == [(r.id, r.due_at, r.rendered) for r in orm]
        changed = _STAMP.execute_many(connection, [{"row_id": i, "at": later} for i in row_ids[:2]])
        assert changed == 2
    with db.session() as session:
        stamped = [session.get_one(OutboundMessage, i) for i in row_ids]
        assert [r.sent_at for r in stamped] == [later, later, None, None, None]
        assert [r.finished_reason for r in stamped[:2]] == ["x", "x"]


def test_a_statement_relying_on_python_side_defaults_is_refused(db):
    """An UPDATE that leaves ``updated_at`` to SQLAlchemy's Python default fails loudly."""
    statement = DriverStatement(
        update(OutboundMessage).where(OutboundMessage.id == 1).values(finished_reason="x")
    )
    with db.write() as session, pytest.raises(ValueError, match="updated_at"):
        statement.execute_many(session.connection(), [{}])
