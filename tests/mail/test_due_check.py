"""The quick "anything due?" check of send-due agrees with what a real pass would do."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update

from leaddesk.db import migrate
from leaddesk.db.models import Enrollment, OutboundMessage, OutboxState
from leaddesk.demo import load_demo_data
from leaddesk.mail import outbox
from leaddesk.mail.due_check import anything_due
from tests.mail.mailtest_data import make_account, plan_messages

ROOT = Path(__file__).resolve().parents[2]


def _real_answer(db, now: datetime) -> bool:  # type: ignore[no-untyped-def]
    """What the full path finds: a due step (as run_due selects it), a due or stuck message."""
    from leaddesk.db.models import Sequence

    with db.session() as session:
        steps = session.scalar(
            select(Enrollment.id)
            .join(Sequence, Sequence.id == Enrollment.sequence_id)
            .where(
                Enrollment.state == "active",
                Enrollment.next_due_at <= now,
                Sequence.status == "active",
            )
            .limit(1)
        )
        stuck = session.scalar(
            select(OutboundMessage.id).where(OutboundMessage.state == OutboxState.SENDING).limit(1)
        )
        return bool(steps or stuck or outbox.due_candidates(session, now, 1))


def test_the_quick_check_matches_the_full_pass_on_the_sample_data_over_two_months(db) -> None:
    """On the sample data, every six hours for 60 days (each time doing what was due, as a
    pass would), the quick check and the full path give the same answer. (Steps blocked by the
    missing sender account stay due: the full path then says what to set up.)"""
    from leaddesk.sequences.scheduler import run_due

    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    load_demo_data(db, now=start)
    for hours in range(0, 60 * 24, 6):
        moment = start + timedelta(hours=hours)
        expected = _real_answer(db, moment)
        assert anything_due(db, moment) == expected, moment
        for _ in range(10):  # do the work: plan the steps, "send" every due message
            if not _real_answer(db, moment):
                break
            run_due(db, moment)
            with db.write() as session:
                session.execute(
                    update(OutboundMessage)
                    .where(outbox.is_due(moment) | (OutboundMessage.state == OutboxState.SENDING))
                    .values(state=OutboxState.SENT, sent_at=moment)
                )
            assert anything_due(db, moment) == _real_answer(db, moment), moment


def test_each_kind_of_due_work_is_seen(db, clock, smtp_server) -> None:
    """A due email, a retry whose time came, a send left half-way: each says "due"; a
    message not yet due, a retry still waiting and a paused sequence's step do not."""
    now = clock.now()
    assert not anything_due(db, now)
    account = make_account(db, smtp_server.port, "x")
    (row,) = plan_messages(db, account, 1, now + timedelta(hours=1))
    assert not anything_due(db, now) and anything_due(db, now + timedelta(hours=2))
    for state, retry, expected in (
        (OutboxState.DEFERRED, now + timedelta(minutes=5), False),
        (OutboxState.DEFERRED, now - timedelta(minutes=5), True),
        (OutboxState.SENDING, None, True),
        (OutboxState.SENT, None, False),
    ):
        with db.write() as session:
            session.execute(
                update(OutboundMessage)
                .where(OutboundMessage.id == row)
                .values(state=state, next_attempt_at=retry, due_at=now - timedelta(hours=1))
            )
        assert anything_due(db, now) == expected, state


def test_send_due_with_nothing_due_answers_without_loading_the_mail_code(tmp_path: Path) -> None:
    """`leaddesk send-due` on a database with nothing due prints zero counts and exits 0
    without importing the ORM models, the scheduler or the sender."""
    path = tmp_path / "quiet.sqlite3"
    migrate.open_database(str(path)).dispose()
    code = (
        "import sys; from leaddesk.cli import main\n"
        f"status = main(['--db', {str(path)!r}, 'send-due'])\n"
        "print(status, sorted(m for m in ('leaddesk.db.models', 'leaddesk.mail.sender', "
        "'leaddesk.sequences.scheduler', 'sqlalchemy.orm') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.splitlines()
    assert out[0].startswith("sent 0, deferred 0") and out[-1] == "0 []"
