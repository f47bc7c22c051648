"""Five laptops, one PostgreSQL, two simulated hours: imports, ticks, re-scores and hand-offs
racing each other, and every email, alert and task happens exactly once."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from leaddesk.db import migrate
from leaddesk.db.models import (
    Handoff,
    ImportBatch,
    Lead,
    MessagePurpose,
    OutboundMessage,
    Task,
)
from leaddesk.handoff.routing import RoutingConfig, save_routing
from leaddesk.handoff.team import add_member
from leaddesk.settings import POSTAL_ADDRESS, set_setting
from tests.mail.mailtest_data import make_account
from tests.mail.mailtest_keyring import PASSWORD, client_context
from tests.sequences.sequence_helpers import email, make_sequence, wait
from tests.support.postgres import fresh_database, postgres_server

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # a Monday morning
STEP = timedelta(minutes=2)
ROUNDS = 60  # two simulated hours
MEMBERS = {  # email: (name, role)
    "maya@team.example": ("Maya Lindgren", "sales_manager"),
    "tom@team.example": ("Tom Okoro", "sales_rep"),
    "sofia@team.example": ("Sofia Reyes", "sales_rep"),
    "ravi@team.example": ("Ravi Shah", "sales_rep"),
    "jonas@team.example": ("Jonas Weber", "marketing"),
}
CALL = {"kind": "task", "task_kind": "call", "task_note": "Call {{ first_name }}"}
_SCORES = select(Lead.id, Lead.score, Lead.score_band)
PROFILE = "Acme Logistics,Head of Operations,Logistics,51-200,Germany"


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL cluster for this module (the test fails if it cannot start)."""
    with postgres_server() as url:
        yield url


def _batch(directory: Path, who: str, number: int) -> Path:
    """A tradeshow list of 12 people; consecutive lists (and Maya's and Jonas's) overlap."""
    first = number * 8
    path = directory / f"{who}-{number}.csv"
    rows = [f"lead{n}@expo.example,Lead{n},{PROFILE}" for n in range(first, first + 12)]
    header = "email,first_name,company,title,industry,company_size,country"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _laptop(url: str, me: str, cert: str, folder: str, barrier: Any, results: Any) -> None:
    """One copy of LeadDesk acting as ``me`` with its own clock, round after round."""
    import os

    os.environ["LEADDESK_ME"] = me
    from leaddesk.activities import ActivityEvent, ActivityKind, record_activity
    from leaddesk.clock import FixedClock
    from leaddesk.db.engine import Database
    from leaddesk.importing import ImportOptions, open_import, run_import
    from leaddesk.scoring.rescore import rescore_all
    from leaddesk.tick import run_tick

    db = Database(url)
    clock = FixedClock(T0)
    tls = client_context(Path(cert))
    role = MEMBERS[me][1]
    reps = sorted(e for e, (_n, r) in MEMBERS.items() if r == "sales_rep")
    done = Counter[str]()
    for round_number in range(ROUNDS + 1):
        clock.set(T0 + STEP * min(round_number, ROUNDS))
        now = clock.now()
        barrier.wait(120)  # every laptop starts the round at the same moment
        if role in ("marketing", "sales_manager") and round_number % 6 == (
            0 if role == "marketing" else 3
        ):
            path = _batch(Path(folder), me.split("@")[0], round_number // 6)
            table, mapping = open_import(db, path)
            sequence_id = 1 if role == "marketing" else 2
            options = ImportOptions(source="Expo", enroll_sequence_id=sequence_id)
            run_import(db, table, mapping, options, now=now)
            done["imports"] += 1
        if role == "sales_rep" and round_number % 5 == reps.index(me) + 1:
            # Two reps see the same two webinar attendees at once: each becomes sales-ready.
            with db.write() as session:
                targets = session.scalars(
                    select(Lead.id).where(Lead.status == "new").order_by(Lead.id).limit(2)
                ).all()
                for lead_id in targets:
                    for kind in (ActivityKind.WEBINAR_REGISTERED, ActivityKind.WEBINAR_ATTENDED):
                        record_activity(session, ActivityEvent(lead_id, kind, now), now=now)
            done["webinars"] += len(targets)
        if role == "sales_manager" and round_number % 10 == 5:
            with db.write() as session:
                rescore_all(session, now)
            done["rescores"] += 1
        report = run_tick(db, clock, password_for=lambda _a: PASSWORD, tls_context=tls)
        assert report.sending is not None
        done["sent"] += report.sending.sent
    results.put((me, dict(done)))
    db.dispose()


def test_five_members_racing_for_two_simulated_hours_do_everything_exactly_once(
    postgres_url: str, smtp_server, tmp_path: Path
) -> None:
    """Maya (manager), three reps and Jonas (marketing) import overlapping lists, log webinar
    attendees, re-score and tick every two simulated minutes at the same moments: each due
    email and each hand-off alert reaches the SMTP server once, no task or hand-off is made
    twice, every list's people exist once, and the stored scores are what a re-score gives."""
    url = fresh_database(postgres_url, "simulation")
    db = migrate.open_database(url)
    with db.write() as session:
        ids = {
            e: add_member(session, n, e, role=r, timezone="UTC").id for e, (n, r) in MEMBERS.items()
        }
        set_setting(session, POSTAL_ADDRESS, "1 Team Road, Berlin")
        reps = tuple(ids[e] for e, (_n, r) in MEMBERS.items() if r == "sales_rep")
        save_routing(session, RoutingConfig(default_members=reps))
    team_account = make_account(db, smtp_server.port, PASSWORD, name="Sales")
    jonas_account = make_account(
        db,
        smtp_server.port,
        PASSWORD,
        name="Jonas",
        from_address="jonas@team.example",
        member_id=ids["jonas@team.example"],
    )
    with db.write() as session:
        nurture = make_sequence(session, [email(), CALL, wait(hours=1), email()], name="Nurture")
        nurture.versions[-1].sender_account_id = team_account
        news = make_sequence(session, [email("News for {{ first_name }}")], name="Newsletter")
        news.versions[-1].sender_account_id = jonas_account
        assert (nurture.id, news.id) == (1, 2)
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(len(MEMBERS)), context.Queue()
    cert = str(smtp_server.cert_path)
    laptops = [
        context.Process(target=_laptop, args=(url, me, cert, str(tmp_path), barrier, results))
        for me in MEMBERS
    ]
    for laptop in laptops:
        laptop.start()
    for laptop in laptops:
        laptop.join(300)
        assert laptop.exitcode == 0, "a laptop failed (see the captured log)"
    done = dict(results.get(timeout=5) for _ in laptops)
    end = T0 + STEP * ROUNDS

    received = Counter(r.message_id for r in smtp_server.received)
    assert received and max(received.values()) == 1, "an email reached the server twice"
    with db.session() as session:
        rows = session.execute(
            select(
                OutboundMessage.message_id,
                OutboundMessage.state,
                OutboundMessage.due_at,
                OutboundMessage.purpose,
                OutboundMessage.account_id,
            )
        ).all()
        sent = {r.message_id for r in rows if r.state == "sent"}
        assert sent == set(received), "what the server got is exactly what is marked sent"
        overdue = [r for r in rows if r.state in ("scheduled", "deferred") and r.due_at <= end]
        assert overdue == [], "every email due by the end was sent"
        assert {r.state for r in rows} <= {"sent", "scheduled", "cancelled"}
        from_jonas = [r for r in rows if r.account_id == jonas_account and r.state == "sent"]
        assert len(from_jonas) <= done["jonas@team.example"].get("sent", 0)  # his laptop's
        alerts = [r for r in rows if r.purpose == MessagePurpose.ALERT]
        handoffs = session.scalars(select(Handoff.lead_id)).all()
        assert handoffs and len(handoffs) == len(set(handoffs)), "a lead was handed off twice"
        assert len(alerts) == len(handoffs) and all(a.state == "sent" for a in alerts)
        steps = select(Task.enrollment_id, Task.step_id).where(Task.enrollment_id.is_not(None))
        tasks = Counter(session.execute(steps).all())
        assert tasks and max(tasks.values()) == 1, "a sequence task was created twice"
        follow_ups = session.scalars(select(Handoff.task_id)).all()
        assert None not in follow_ups and len(set(follow_ups)) == len(handoffs)
        imports = sum(d.get("imports", 0) for d in done.values())
        assert session.scalar(select(func.count(ImportBatch.id))) == imports
        highest = max(8 * (ROUNDS // 6) + 12, 0)
        emails = set(session.scalars(select(Lead.email)))
        assert emails == {f"lead{n}@expo.example" for n in range(highest)}
        stored = {r.id: (r.score, r.score_band) for r in session.execute(_SCORES)}
    with db.session() as session:  # the consistency check: a full re-score, not kept
        from leaddesk.scoring.rescore import rescore_all

        rescore_all(session, end)
        session.flush()
        again = {r.id: (r.score, r.score_band) for r in session.execute(_SCORES)}
        session.rollback()
    assert {i: b for i, (_s, b) in again.items()} == {i: b for i, (_s, b) in stored.items()}
    assert max(abs(again[i][0] - stored[i][0]) for i in stored) < 1.0  # two hours of decay
    print(  # the figures for the record (pytest -s)
        f"simulation: {len(received)} emails once each ({len(alerts)} alerts), "
        f"{len(handoffs)} hand-offs, {len(tasks)} sequence tasks, {imports} imports, "
        f"{len(emails)} leads, {len(from_jonas)} sent from Jonas's own mailbox"
    )
    db.dispose()
