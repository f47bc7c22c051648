"""Properties of every report on random data: a funnel never grows, rates stay in 0–1, and
per-step sums equal per-sequence totals."""

from __future__ import annotations

import functools
import shutil
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leaddesk.activities.kinds import ActivityKind as K
from leaddesk.db.migrate import open_database
from leaddesk.db.models import Activity, Lead, OutboundMessage
from leaddesk.reports.catalog import REPORTS, make_report
from leaddesk.reports.funnel import STAGES
from leaddesk.reports.model import ReportFilter, days_period
from tests.sequences.sequence_helpers import email, make_sequence

KINDS = [K.ENROLLED, K.BECAME_WARM, K.BECAME_SALES_READY, K.HANDED_OFF, K.HANDOFF_ACCEPTED,
         K.DEAL_OPENED, K.DEAL_WON, K.DEAL_LOST, K.HANDED_BACK]  # fmt: skip
START = datetime(2026, 1, 1, tzinfo=UTC)
PERIOD = days_period(date(2026, 1, 1), date(2026, 2, 28))


@functools.cache
def _template() -> Path:
    """One migrated database file, copied for each example (migrating is the slow part)."""
    path = Path(tempfile.mkdtemp(prefix="ld-report-props-")) / "template.sqlite3"
    open_database(str(path)).dispose()
    return path


leads = st.lists(
    st.tuples(
        st.integers(0, 80),  # created, days after START
        st.lists(st.tuples(st.sampled_from(KINDS), st.integers(0, 80)), max_size=6),
        st.lists(st.tuples(st.integers(0, 1), st.integers(0, 80), st.sampled_from(
            ["sent", K.BOUNCED, K.REPLIED, K.UNSUBSCRIBED])), max_size=4),
    ),
    min_size=1,
    max_size=12,
)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=leads)
def test_reports_hold_their_invariants(data: list) -> None:
    """Funnel counts never increase down the stages; rates are within 0–1; steps add up."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "p.sqlite3"
        shutil.copyfile(_template(), target)
        db = open_database(str(target))
        with db.write() as session:
            sequence = make_sequence(session, [email("A"), email("B")])
            steps = [s.id for s in sequence.versions[0].steps]
            for n, (created, events, mails) in enumerate(data):
                created_at = START + timedelta(days=created)
                lead = Lead(email=f"p{n}@x.example", email_key=f"p{n}@x.example",
                            custom_fields={}, created_at=created_at)  # fmt: skip
                session.add(lead)
                session.flush()
                for kind, day in events:
                    when = START + timedelta(days=day)
                    session.add(Activity(lead_id=lead.id, kind=kind, occurred_at=when,
                                         recorded_at=when, payload={}))  # fmt: skip
                for number, (index, day, what) in enumerate(mails):
                    when = START + timedelta(days=day)
                    row = OutboundMessage(lead_id=lead.id, step_id=steps[index], due_at=when,
                                          message_id=f"<{n}-{number}@x>",
                                          to_address=lead.email, state="sent")  # fmt: skip
                    session.add(row)
                    session.flush()
                    kind = K.EMAIL_SENT if what == "sent" else what
                    payload = {"step_id": steps[index], "outbound_id": row.id}
                    session.add(Activity(lead_id=lead.id, kind=kind, occurred_at=when,
                                         recorded_at=when, payload=payload))  # fmt: skip
        now = START + timedelta(days=90)
        with db.session() as session:
            made = {name: make_report(session, name, ReportFilter(PERIOD), now) for name in REPORTS}
        funnel = {f.key: f.value for f in made["funnel"].figures}
        counts = [funnel[key] for key, *_ in STAGES]
        assert counts == sorted(counts, reverse=True)
        for report in made.values():
            for figure in report.figures:
                if figure.kind == "rate" and figure.value is not None:
                    assert 0.0 <= figure.value <= 1.0, (report.name, figure.key)
        by_sequence, by_step = made["sequences"].tables
        totals = by_sequence.rows[0]
        step_sent = sum(row[4] for row in by_step.rows)
        step_replied = sum(row[8] for row in by_step.rows)
        assert (totals[1], totals[4]) == (step_sent, step_replied)
        db.dispose()
