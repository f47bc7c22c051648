"""Five copies of LeadDesk on one PostgreSQL at once: every step planned once, every email once."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from leaddesk.db import migrate
from leaddesk.db.models import OutboundMessage, Task
from leaddesk.sequences.enrollment import enroll_leads
from leaddesk.settings import POSTAL_ADDRESS, set_setting
from tests.mail.mailtest_data import make_account, plan_messages, states
from tests.mail.mailtest_keyring import PASSWORD, client_context
from tests.sequences.sequence_helpers import add_lead, email, make_sequence
from tests.support.postgres import postgres_server

COPIES = 5
CALL = {"kind": "task", "task_kind": "call", "task_note": "Call {{ first_name }}"}


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL cluster for this module (the test fails if it cannot start)."""
    with postgres_server() as url:
        yield url


def _copy(url: str, cert: str, start: object, results: object) -> None:
    """One copy of the app: its own engine, one scheduler pass and one sending pass."""
    from leaddesk.clock import SystemClock
    from leaddesk.db.engine import Database
    from leaddesk.mail.sender import send_due
    from leaddesk.sequences.scheduler import run_due

    db = Database(url)
    start.wait()  # type: ignore[attr-defined]
    planned = run_due(db, datetime.now(UTC))
    report = send_due(
        db, SystemClock(), password_for=lambda _a: PASSWORD, tls_context=client_context(Path(cert))
    )
    results.put((planned.messages, planned.tasks, report.sent, report.busy))  # type: ignore[attr-defined]
    db.dispose()


def test_five_copies_at_once_plan_each_step_once_and_send_each_email_once(
    postgres_url: str, smtp_server, tmp_path: Path
) -> None:
    """Five processes run the scheduler and the sender at the same moment: one call task and
    one planned email per lead, and the SMTP server receives each due email exactly once."""
    db = migrate.open_database(postgres_url)
    account_id = make_account(db, smtp_server.port, PASSWORD)
    now = datetime.now(UTC)
    with db.write() as session:
        set_setting(session, POSTAL_ADDRESS, "1 Team Road, Berlin")
        calls = make_sequence(session, [CALL], name="Calls")
        mails = make_sequence(session, [email()], name="Mails")
        mails.versions[-1].sender_account_id = account_id
        for sequence, first in ((calls, 0), (mails, 60)):
            ids = [add_lead(session, f"lead{n}@team.example").id for n in range(first, first + 60)]
            enroll_leads(session, sequence, ids, now=now - timedelta(minutes=5))
    planned_rows = plan_messages(db, account_id, 40, now - timedelta(minutes=1))
    context = multiprocessing.get_context("fork")
    start, results = context.Barrier(COPIES), context.Queue()
    cert = str(smtp_server.cert_path)
    workers = [
        context.Process(target=_copy, args=(postgres_url, cert, start, results))
        for _ in range(COPIES)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    outcomes = [results.get(timeout=5) for _ in workers]
    with db.session() as session:
        tasks = Counter(session.scalars(select(Task.enrollment_id)))
        planned = Counter(
            session.execute(
                select(OutboundMessage.enrollment_id, OutboundMessage.step_id).where(
                    OutboundMessage.enrollment_id.is_not(None)
                )
            ).all()
        )
        total = session.scalar(select(func.count(OutboundMessage.id)))
    assert len(tasks) == 60 and set(tasks.values()) == {1}
    assert len(planned) == 60 + 40 and set(planned.values()) == {1}  # + the 40 planned above
    assert sum(o[1] for o in outcomes) == 60 and sum(o[0] for o in outcomes) == 60
    received = Counter(r.message_id for r in smtp_server.received)
    assert received and max(received.values()) == 1
    with db.session() as session:
        ours = set(
            session.scalars(
                select(OutboundMessage.message_id).where(OutboundMessage.id.in_(planned_rows))
            )
        )
    assert ours <= set(received), "every due email went out"
    assert total == 60 + 40 and "sending" not in states(db)
    db.dispose()
