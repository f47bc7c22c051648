"""From a tradeshow list to a kept (or broken) follow-up promise, with a real SMTP server.

Real SQLite file, the real import, a real sequence, the real sender talking STARTTLS+AUTH to
aiosmtpd on loopback; only the clock is injected.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from leaddesk.activities import ActivityEvent, ActivityKind, record_activity
from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import Activity, Enrollment, Handoff, Lead, Sequence, TeamMember
from leaddesk.handoff.followup import log_attempt
from leaddesk.importing.activity_rows import ActivityMode
from leaddesk.importing.plan import ImportOptions
from leaddesk.importing.service import open_import, run_import
from leaddesk.inbox.timeline import log_activity
from leaddesk.sequences.presets import load_preset, sequence_from_document
from leaddesk.settings import POSTAL_ADDRESS, set_setting
from leaddesk.tick import run_tick
from tests.handoff.conftest import new_lead
from tests.mail.mailtest_data import make_account
from tests.mail.mailtest_keyring import PASSWORD
from tests.mail.mailtest_support import TestSmtpServer

LIST = (
    "Email,First name,Last name,Company,Job title,Country,Industry,Company size\n"
    "anna.bauer@acme-logistics.example,Anna,Bauer,Acme Logistics,Head of Operations,"
    "Germany,Logistics,51-200\n"
    "joe@gadgets.example,Joe,Miller,Gadgets Inc,Engineer,United States,Retail,11-50\n"
)
WEBINAR = "Email,Attended,Minutes\nanna.bauer@acme-logistics.example,Yes,42\n"
ANNA = "anna.bauer@acme-logistics.example"


def _import(db: Database, clock: FixedClock, path: Path, options: ImportOptions) -> None:
    table, mapping = open_import(db, path)
    result = run_import(db, table, mapping, options, now=clock.now())
    assert not result.errors(), result.errors()


def _to(server: TestSmtpServer, address: str) -> list[str]:
    """What ``address`` received, each as its headers, subject and plain text, decoded."""
    found = []
    for received in server.received:
        if received.recipients != [address]:
            continue
        message = received.message
        body = message.get_body(("plain",))
        assert body is not None
        headers = "".join(f"{k}: {v}\n" for k, v in message.items())
        found.append(f"{headers}\n{body.get_content()}")
    return found


def _qualify(db: Database, clock: FixedClock, tmp_path: Path, smtp_server: TestSmtpServer) -> int:
    """Import, nurture, webinar + consultation: returns Anna's lead id."""
    make_account(db, smtp_server.port, PASSWORD)
    with db.write() as session:
        set_setting(session, POSTAL_ADDRESS, "Acme Ltd, 1 Harbour Street, Bristol BS1 4XX")
        sequence = sequence_from_document(session, load_preset("tradeshow"))
        sequence.status = "active"
        sequence_id = sequence.id
    leads = tmp_path / "expo.csv"
    leads.write_text(LIST, encoding="utf-8")
    _import(
        db, clock, leads, ImportOptions(source="Expo Berlin 2026", enroll_sequence_id=sequence_id)
    )
    webinar = tmp_path / "webinar.csv"
    webinar.write_text(WEBINAR, encoding="utf-8")
    _import(db, clock, webinar, ImportOptions(source="Webinar: Scaling logistics",
                                              activity_mode=ActivityMode.WEBINAR))  # fmt: skip
    with db.session() as session:
        anna = session.scalars(select(Lead).where(Lead.email_key == ANNA)).one()
        assert (anna.score_band, anna.status) == ("warm", "new")
        assert session.scalars(select(Enrollment).where(Enrollment.lead_id == anna.id)).one()
    clock.advance(timedelta(hours=2))
    with db.write() as session:
        log_activity(session, anna.id, ActivityKind.CONSULTATION_REQUESTED, now=clock.now(),
                     note="Wants pricing for 40 depots")  # fmt: skip
    return anna.id


@pytest.mark.parametrize("attempt_hour", [None, 20])
def test_tradeshow_lead_to_rep_with_sla(
    db: Database,
    clock: FixedClock,
    tmp_path: Path,
    smtp_server: TestSmtpServer,
    tls: object,
    team: dict[str, int],
    attempt_hour: int | None,
) -> None:
    """The right rep gets one alert with the tipping reason; missed → breach, escalation; or met."""
    lead_id = _qualify(db, clock, tmp_path, smtp_server)
    handed_at = clock.now()
    with db.session() as session:
        anna = session.get_one(Lead, lead_id)
        handoff = session.scalars(select(Handoff)).one()
        enrollment = session.scalars(select(Enrollment).where(Enrollment.lead_id == lead_id)).one()
        assert (anna.status, anna.owner_id) == ("handed_off", team["tom"])
        assert enrollment.state == "exited"  # nurture stops when sales takes over
        assert handoff.rule == "DACH"
    run_tick(db, clock, tls_context=tls)  # type: ignore[arg-type]
    run_tick(db, clock, tls_context=tls)  # type: ignore[arg-type]
    alerts = _to(smtp_server, "tom@team.example")
    assert len(alerts) == 1
    assert "Requested a consultation" in alerts[0]  # the event that tipped it over
    assert "Auto-Submitted: auto-generated" in alerts[0]
    assert "List-Unsubscribe" not in alerts[0]
    assert _to(smtp_server, "sofia@team.example") == []

    if attempt_hour is not None:
        clock.set(handed_at + timedelta(hours=attempt_hour))
        with db.write() as session:
            sofia_or_tom = session.get_one(TeamMember, team["tom"])
            anna = session.get_one(Lead, lead_id)
            result = log_attempt(session, anna, channel="call", outcome="connected",
                                 by=sofia_or_tom, now=clock.now())  # fmt: skip
        assert (result.sla_state, result.minutes_taken) == ("met", attempt_hour * 60.0)
        clock.set(handed_at + timedelta(hours=72))
        run_tick(db, clock, tls_context=tls)  # type: ignore[arg-type]
        assert len(_to(smtp_server, "tom@team.example")) == 1
        assert _to(smtp_server, "maya@team.example") == []
        return

    clock.set(handed_at + timedelta(hours=24))
    run_tick(db, clock, tls_context=tls)  # type: ignore[arg-type]
    run_tick(db, clock, tls_context=tls)  # type: ignore[arg-type]
    assert len(_to(smtp_server, "tom@team.example")) == 2
    breach = _to(smtp_server, "maya@team.example")
    assert len(breach) == 1 and "Follow-up deadline missed" in breach[0]
    clock.set(handed_at + timedelta(hours=48))
    run_tick(db, clock, tls_context=tls)  # type: ignore[arg-type]
    run_tick(db, clock, tls_context=tls)  # type: ignore[arg-type]
    reassigned = _to(smtp_server, "sofia@team.example")
    assert len(reassigned) == 1 and "New lead for you" in reassigned[0]
    clock.advance(timedelta(hours=3))
    with db.write() as session:
        sofia = session.get_one(TeamMember, team["sofia"])
        anna = session.get_one(Lead, lead_id)
        result = log_attempt(session, anna, channel="call", outcome="meeting_booked", by=sofia,
                             now=clock.now())  # fmt: skip
    with db.session() as session:
        handoff = session.scalars(select(Handoff)).one()
        kinds = list(session.scalars(select(Activity.kind).where(Activity.lead_id == lead_id)))
    assert (result.sla_state, result.minutes_taken) == ("breached", 51 * 60.0)
    assert handoff.owner_id == team["sofia"] and handoff.breached_at == handed_at + timedelta(1)
    assert handoff.first_attempt_at == handed_at + timedelta(hours=51)
    assert kinds.count("sla_breached") == 1 and kinds.count("reassigned") == 1
    assert kinds.count("handed_off") == 1
    with db.session() as session:
        lead_mail = [r for r in smtp_server.received if r.recipients == [ANNA]]
        assert all(b"Follow-up deadline" not in r.data for r in lead_mail)
        assert session.scalars(select(Sequence)).one().name


def test_undoing_the_import_that_qualified_a_lead_takes_the_handoff_back(
    db: Database, clock: FixedClock, tmp_path: Path, team: dict[str, int]
) -> None:
    """A webinar report tips Anna over and hands her off; undoing it closes that hand-off."""
    from leaddesk.importing.undo import undo_batch

    with db.write() as session:
        anna = new_lead(session, ANNA, status="nurturing")
        old = clock.now() - timedelta(days=40)  # too old to hand her off; its points have faded
        record_activity(session, ActivityEvent(anna.id, "consultation_requested", old),
                        now=clock.now())  # fmt: skip
        assert anna.score_band == "warm"
    report = tmp_path / "webinar.csv"
    report.write_text(WEBINAR, encoding="utf-8")
    table, mapping = open_import(db, report)
    options = ImportOptions(source="Webinar: Scaling logistics", activity_mode=ActivityMode.WEBINAR)
    result = run_import(db, table, mapping, options, now=clock.now())
    with db.session() as session:
        assert session.get_one(Lead, anna.id).status == "handed_off"
    with db.write() as session:
        undo_batch(session, result.batch_id, clock.now())
    with db.session() as session:
        lead = session.get_one(Lead, anna.id)
        handoff = session.scalars(select(Handoff)).one()
    assert (handoff.state, handoff.outcome) == ("closed", "import_undone")
    assert lead.status == "nurturing" and lead.score_band == "warm"
