"""Team mode: the outbox claims, sends and records on a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from leaddesk.db import migrate
from leaddesk.db.models import Activity, OutboundMessage
from leaddesk.leads.suppression import SuppressionReason, suppress
from leaddesk.mail.sender import send_due
from tests.mail.mailtest_data import make_account, plan_messages, states
from tests.mail.mailtest_keyring import PASSWORD
from tests.support.postgres import postgres_server


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL cluster for this module (the test fails if it cannot start)."""
    with postgres_server() as url:
        yield url


def test_outbox_sends_once_and_records_on_postgres(postgres_url, clock, smtp_server, tls):
    """On PostgreSQL every due email goes out once, a suppressed one is cancelled, all recorded."""
    db = migrate.open_database(postgres_url)
    account_id = make_account(db, smtp_server.port, PASSWORD)
    row_ids = plan_messages(db, account_id, 20, clock.now())
    with db.write() as session:
        address = session.get_one(OutboundMessage, row_ids[5]).to_address
        suppress(session, address, SuppressionReason.UNSUBSCRIBED)
    report = send_due(db, clock, tls_context=tls)
    assert report.sent == 19 and report.cancelled == 1
    assert states(db) == {"sent": 19, "cancelled": 1}
    assert len({r.message_id for r in smtp_server.received}) == len(smtp_server.received) == 19
    with db.session() as session:
        sent_rows = list(
            session.scalars(select(OutboundMessage).where(OutboundMessage.state == "sent"))
        )
        kinds = list(session.scalars(select(Activity.kind)))
    assert all(r.sent_at == clock.now() and r.claimed_at == clock.now() for r in sent_rows)
    assert all(r.attempts == 1 and r.finished_reason.startswith("250") for r in sent_rows)
    assert kinds.count("email_sent") == 19
    assert send_due(db, clock, tls_context=tls).sent == 0
    db.dispose()
