"""Two `leaddesk tick` processes at once on one database: one hand-off and one alert, each time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from leaddesk.activities import ActivityEvent, ActivityKind, record_activity
from leaddesk.db.engine import Database
from leaddesk.db.models import Handoff, Lead, OutboundMessage
from leaddesk.handoff.config import HandoffSettings, save_settings
from tests.handoff.conftest import new_lead
from tests.mail.mailtest_data import make_account
from tests.mail.mailtest_keyring import PASSWORD
from tests.mail.mailtest_support import TestSmtpServer

ROUNDS = 4


def _sales_ready_without_handoff(db: Database, email: str) -> int:
    """A lead that became sales-ready while automatic hand-off was off (so none exists yet)."""
    now = datetime.now(UTC)
    with db.write() as session:
        save_settings(session, HandoffSettings(on_threshold=False))
        lead = new_lead(session, email)
        for kind in (ActivityKind.WEBINAR_ATTENDED, ActivityKind.WEBINAR_REGISTERED):
            record_activity(session, ActivityEvent(lead.id, kind, now), now=now)
        assert lead.score_band == "sales_ready"
        save_settings(session, HandoffSettings())
        return lead.id


def _tick(db_path: Path, home: Path, cert: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "LEADDESK_HOME": str(home), "SSL_CERT_FILE": str(cert)}
    command = [
        sys.executable,
        "-m",
        "leaddesk",
        "--db",
        str(db_path),
        "tick",
        "--password-stdin",
        "--json",
    ]
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env=env,
    )  # fmt: skip
    assert process.stdin is not None
    process.stdin.write(PASSWORD + "\n")
    process.stdin.flush()  # both processes now run at once (communicate() closes stdin later)
    return process


def test_two_ticks_at_once_hand_off_and_alert_exactly_once(
    db: Database,
    db_path: Path,
    tmp_path: Path,
    smtp_server: TestSmtpServer,
    team: dict[str, int],
) -> None:
    """Round after round, two racing ticks make one hand-off and deliver its alert once."""
    make_account(db, smtp_server.port, PASSWORD)
    for round_number in range(ROUNDS):
        lead_id = _sales_ready_without_handoff(db, f"lead{round_number}@acme.example")
        processes = [_tick(db_path, tmp_path / f"home{n}", smtp_server.cert_path) for n in (1, 2)]
        made = []
        for process in processes:
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err
            made.append(json.loads(out)["handoff"]["handed_off"])
        assert sorted(made) == [0, 1]  # both ran; one of them made the hand-off
        with db.session() as session:
            handoffs = session.scalar(
                select(func.count(Handoff.id)).where(Handoff.lead_id == lead_id)
            )
            alerts = list(
                session.scalars(
                    select(OutboundMessage.state).where(OutboundMessage.about_lead_id == lead_id)
                )
            )
            lead = session.get_one(Lead, lead_id)
        assert handoffs == 1
        assert alerts == ["sent"]
        assert lead.owner_id == team["tom"]
        delivered = [r for r in smtp_server.received if r.recipients == ["tom@team.example"]]
        assert len(delivered) == round_number + 1
        assert len({r.message_id for r in delivered}) == len(delivered)
