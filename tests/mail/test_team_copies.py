"""Five copies of LeadDesk on one PostgreSQL at once: every step planned once, every email once."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from leaddesk.db import migrate
from leaddesk.db.engine import Database
from leaddesk.db.models import OutboundMessage, Task
from leaddesk.sequences.enrollment import enroll_leads
from leaddesk.settings import POSTAL_ADDRESS, set_setting
from tests.mail.mailtest_data import make_account, plan_messages, states
from tests.mail.mailtest_keyring import PASSWORD, client_context
from tests.sequences.sequence_helpers import add_lead, email, make_sequence
from tests.support.postgres import fresh_database, outage, postgres_server

COPIES = 5
CALL = {"kind": "task", "task_kind": "call", "task_note": "Call {{ first_name }}"}
#: Real copies run on the real clock, so their sequences are open at any hour of any day.
ALWAYS_OPEN = {
    "send_days": "mon,tue,wed,thu,fri,sat,sun",
    "window_start": "00:00",
    "window_end": "24:00",
}


@pytest.fixture
def open_db() -> Iterator[Callable[[str], Database]]:
    """Opens (and migrates) team databases, and closes them even when the test fails, so no
    connection is left for the garbage collector to complain about in a later test."""
    opened: list[Database] = []

    def open_(url: str) -> Database:
        opened.append(migrate.open_database(url))
        return opened[-1]

    yield open_
    for db in opened:
        db.dispose()


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
    postgres_url: str, open_db: Callable[[str], Database], smtp_server, tmp_path: Path
) -> None:
    """Five processes run the scheduler and the sender at the same moment: one call task and
    one planned email per lead, and the SMTP server receives each due email exactly once."""
    db = open_db(postgres_url)
    account_id = make_account(db, smtp_server.port, PASSWORD)
    now = datetime.now(UTC)
    with db.write() as session:
        set_setting(session, POSTAL_ADDRESS, "1 Team Road, Berlin")
        calls = make_sequence(session, [CALL], name="Calls", **ALWAYS_OPEN)
        mails = make_sequence(session, [email()], name="Mails", **ALWAYS_OPEN)
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


def _member_copy(url: str, cert: str, me: str, start: object, results: object) -> None:
    """One laptop acting as ``me`` ("" = nobody chosen): one sending pass; reports the
    accounts it opened (asked a password for) and what it sent."""
    import os

    from leaddesk.clock import SystemClock
    from leaddesk.db.engine import Database
    from leaddesk.mail.sender import send_due

    os.environ["LEADDESK_ME"] = me
    db = Database(url)
    opened: list[int] = []

    def password_for(account: object) -> str:
        opened.append(account.id)  # type: ignore[attr-defined]
        return PASSWORD

    start.wait()  # type: ignore[attr-defined]
    report = send_due(
        db, SystemClock(), password_for=password_for, tls_context=client_context(Path(cert))
    )
    results.put((me, sorted(set(opened)), report.sent, report.others_accounts))  # type: ignore[attr-defined]
    db.dispose()


def test_each_members_copy_sends_only_its_own_and_the_teams_accounts(
    postgres_url: str, open_db: Callable[[str], Database], smtp_server, tmp_path: Path
) -> None:
    """Maya's account goes only from Maya's copies, Tom's from Tom's, the team's from any; five
    copies at once (two Mayas, two Toms, one unnamed) deliver each of 60 emails exactly once."""
    from leaddesk.handoff.team import add_member

    url = fresh_database(postgres_url, "owners")
    db = open_db(url)
    with db.write() as session:
        maya = add_member(session, "Maya Ortiz", "maya@team.example").id
        tom = add_member(session, "Tom Okoro", "tom@team.example").id
        set_setting(session, POSTAL_ADDRESS, "1 Team Road, Berlin")
    accounts = {
        owner: make_account(
            db,
            smtp_server.port,
            PASSWORD,
            name=f"{label} mailbox",
            from_address=f"{label}@team.example",
            member_id=owner,
        )
        for owner, label in ((maya, "maya"), (tom, "tom"), (None, "sales"))
    }
    due = datetime.now(UTC) - timedelta(minutes=1)
    for account_id in accounts.values():
        plan_messages(db, account_id, 20, due)
    context = multiprocessing.get_context("fork")
    who = ["maya@team.example"] * 2 + ["tom@team.example"] * 2 + [""]
    start, results = context.Barrier(len(who)), context.Queue()
    cert = str(smtp_server.cert_path)
    workers = [
        context.Process(target=_member_copy, args=(url, cert, me, start, results)) for me in who
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    outcomes = [results.get(timeout=5) for _ in workers]
    allowed = {
        "maya@team.example": {accounts[maya], accounts[None]},
        "tom@team.example": {accounts[tom], accounts[None]},
        "": {accounts[None]},
    }
    for me, opened, _sent, others in outcomes:
        assert set(opened) <= allowed[me], f"{me or 'nobody'} opened {opened}"
        assert set(others) == set(accounts.values()) - allowed[me]
    received = Counter(r.message_id for r in smtp_server.received)
    assert len(received) == 60 and max(received.values()) == 1
    assert sum(o[2] for o in outcomes) == 60
    assert states(db) == {"sent": 60}


def test_an_account_another_copy_is_sending_from_is_left_to_it(
    postgres_url: str, open_db: Callable[[str], Database], smtp_server
) -> None:
    """While another copy holds account A's sender lock, a pass sends account B's emails and
    names A as busy; A's rows wait untouched and go out once the lock is free."""
    from leaddesk.clock import SystemClock
    from leaddesk.mail.lock import AccountLocks
    from leaddesk.mail.sender import send_due

    db = open_db(fresh_database(postgres_url, "busy_account"))
    with db.write() as session:
        set_setting(session, POSTAL_ADDRESS, "1 Team Road, Berlin")
    first = make_account(db, smtp_server.port, PASSWORD, name="A", from_address="a@team.example")
    second = make_account(db, smtp_server.port, PASSWORD, name="B", from_address="b@team.example")
    due = datetime.now(UTC) - timedelta(minutes=1)
    plan_messages(db, first, 5, due)
    plan_messages(db, second, 5, due)
    tls = client_context(smtp_server.cert_path)
    with AccountLocks(db, [first]) as other_copy:
        assert other_copy.held == {first}
        report = send_due(db, SystemClock(), password_for=lambda _a: PASSWORD, tls_context=tls)
        assert (report.sent, report.busy, report.busy_accounts) == (5, False, [first])
        assert states(db) == {"scheduled": 5, "sent": 5}
    report = send_due(db, SystemClock(), password_for=lambda _a: PASSWORD, tls_context=tls)
    assert report.sent == 5 and states(db) == {"sent": 10}
    assert len(smtp_server.received) == 10


@pytest.mark.slow
def test_a_copy_killed_mid_send_on_the_team_server_loses_and_repeats_nothing(
    postgres_url: str, open_db: Callable[[str], Database], smtp_server
) -> None:
    """SIGKILLed at 10 random moments while sending from a team server, each email reaches
    the SMTP server at most once, at most one per kill is left unknown, none is lost."""
    import random
    import signal

    from tests.mail.mailtest_harness import SenderHarness

    url = fresh_database(postgres_url, "killed_sender")
    db = open_db(url)
    with db.write() as session:
        set_setting(session, POSTAL_ADDRESS, "1 Team Road, Berlin")
    account_id = make_account(db, smtp_server.port, PASSWORD)
    plan_messages(db, account_id, 200, datetime.now(UTC) - timedelta(minutes=1))
    smtp_server.script.data_delay = 0.003
    rng, kills = random.Random(18), 0
    with SenderHarness(url, smtp_server.cert_path, PASSWORD) as harness:  # type: ignore[arg-type]
        for _ in range(100):
            if {"scheduled", "sending", "deferred"}.isdisjoint(states(db)):
                break
            kill_after = rng.uniform(0.05, 0.3) if kills < 10 else None
            kills += harness.run(kill_after) == -signal.SIGKILL
    final = states(db)
    received = Counter(r.message_id for r in smtp_server.received)
    assert kills >= 8 and max(received.values()) == 1, "a message reached the server twice"
    assert set(final) <= {"sent", "unknown"} and final.get("unknown", 0) <= kills, final
    assert final.get("sent", 0) + final.get("unknown", 0) == 200, final
    assert len(received) >= final["sent"]


def test_send_due_while_the_team_server_is_down_says_so_and_the_next_run_sends_once(
    postgres_url: str, open_db: Callable[[str], Database], smtp_server
) -> None:
    """Cron's send-due during a server outage exits 75 with one sentence (no traceback) and
    sends nothing; the run after the restart sends every due email exactly once."""
    import os
    import subprocess
    import sys

    url = fresh_database(postgres_url, "outage")
    db = open_db(url)
    with db.write() as session:
        set_setting(session, POSTAL_ADDRESS, "1 Team Road, Berlin")
    plan_messages(db, make_account(db, smtp_server.port, PASSWORD), 3, datetime.now(UTC))
    command = [sys.executable, "-m", "leaddesk", "--db", url, "send-due", "--password-stdin"]
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
           "SSL_CERT_FILE": str(smtp_server.cert_path)}  # fmt: skip
    run = {"capture_output": True, "text": True, "cwd": root, "env": env, "input": PASSWORD}
    with outage(postgres_url):
        down = subprocess.run(command, **run)  # type: ignore[call-overload]
    assert down.returncode == 75, down.stderr
    assert "The team database cannot be reached" in down.stderr
    assert "Traceback" not in down.stderr and smtp_server.received == []
    back = subprocess.run(command, **run)  # type: ignore[call-overload]
    assert back.returncode == 0 and "sent 3" in back.stdout, back.stdout + back.stderr
    assert len(smtp_server.received) == 3
    db = open_db(url)
    assert states(db) == {"sent": 3}
