"""Build a big database for ``bench_reports.py`` fast (Core inserts): a year of a team's life.

Leads arrive over 400 days from a dozen sources; most are enrolled in a three-email sequence
(an outbound row per email, its "email sent" event, and bounces, replies, auto-replies and
unsubscribes answering some of them); some warm up, qualify and go to a rep, who follows up
(on time or late), accepts, opens deals, wins or loses; the rest of the log is web visits,
downloads and webinars, so the activity table holds the requested number of rows.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from leaddesk.activities import ActivityKind as K
from leaddesk.db.engine import Database
from leaddesk.db.models import Activity, Deal, Enrollment, Handoff, Lead, OutboundMessage
from leaddesk.handoff.team import add_member
from leaddesk.reports.roi import set_source_cost
from leaddesk.sequences.presets import load_preset, sequence_from_document

SOURCES = (*(f"Event {n:02d}" for n in range(1, 11)), "Website", "Partner")
FILLER = (K.WEBSITE_VISIT, K.WHITEPAPER_DOWNLOAD, K.WEBINAR_REGISTERED, K.WEBINAR_ATTENDED)
CHUNK = 50_000


class _Writer:
    """Collects rows per table and writes them in chunks, with ids given up front."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.rows: dict[Any, list[dict[str, Any]]] = {}
        self.next_id: dict[Any, int] = {}

    def add(self, model: Any, **row: Any) -> int:
        """Queue one row of ``model``; returns its id."""
        row_id = self.next_id.get(model, 1)
        self.next_id[model] = row_id + 1
        self.rows.setdefault(model, []).append({"id": row_id, **row})
        if len(self.rows[model]) >= CHUNK:
            self.flush()  # parents first: the foreign keys hold
        return row_id

    def event(self, lead: int, kind: str, when: datetime, **payload: Any) -> None:
        """Queue one activity."""
        self.add(Activity, lead_id=lead, kind=kind, occurred_at=when, recorded_at=when,
                 origin="bench", payload=payload)  # fmt: skip

    def count(self, model: Any) -> int:
        """How many rows of ``model`` were queued so far."""
        return self.next_id.get(model, 1) - 1

    def flush(self, model: Any | None = None) -> None:
        """Write what is queued (of ``model``, or of every table in dependency order)."""
        order = [Lead, Enrollment, OutboundMessage, Handoff, Deal, Activity]
        with self.db.write() as session:
            for each in [model] if model is not None else order:
                if self.rows.get(each):
                    session.execute(insert(each), self.rows[each])
                    self.rows[each] = []


def build(db: Database, leads: int, activities: int, now: datetime, seed: int = 5) -> None:
    """``leads`` leads and about ``activities`` activities ending at ``now``."""
    rng = random.Random(seed)
    with db.write() as session:
        sequence = sequence_from_document(session, load_preset("reengagement"))
        version = sequence.versions[0]
        steps = [s.id for s in version.steps if s.kind == "email"]
        reps = [add_member(session, f"Rep {n}", f"rep{n}@team.example", role="sales_rep").id
                for n in range(1, 6)]  # fmt: skip
        for source in SOURCES[:6]:
            set_source_cost(session, source, str(rng.randint(2, 30) * 1000))
        sequence_id, version_id = sequence.id, version.id
    out = _Writer(db)
    for n in range(1, leads + 1):
        created = now - timedelta(minutes=rng.randint(0, 400 * 24 * 60))
        _lead(out, rng, n, created, now, (sequence_id, version_id, steps), reps)
    while out.count(Activity) < activities:
        when = now - timedelta(minutes=rng.randint(0, 400 * 24 * 60))
        out.event(rng.randint(1, leads), rng.choice(FILLER), when)
    out.flush()


def _lead(out: _Writer, rng: random.Random, n: int, created: datetime, now: datetime,
          sequence: tuple[int, int, list[int]], reps: list[int]) -> None:  # fmt: skip
    sequence_id, version_id, steps = sequence
    email = f"lead{n}@company{n % 7000}.example"
    fate = rng.random()
    status = "nurturing"
    out.add(Lead, email=email, email_key=email, first_name=f"Lead{n}", custom_fields={},
            source=rng.choice(SOURCES), created_at=created, updated_at=now,
            owner_id=rng.choice(reps) if fate < 0.06 else None,
            score=round(rng.random() * 100, 1), status=status)  # fmt: skip
    out.event(n, K.IMPORTED, created)
    clock = created
    if rng.random() < 0.7:
        enrolled = clock + timedelta(hours=1)
        enrollment = out.add(Enrollment, lead_id=n, sequence_id=sequence_id, state="active",
                             version_id=version_id, enrolled_at=enrolled, origin="bench",
                             current_position=0, exit_reason="")  # fmt: skip
        out.event(n, K.ENROLLED, enrolled, enrollment_id=enrollment)
        for index, step in enumerate(steps[: rng.randint(1, len(steps))]):
            sent = enrolled + timedelta(days=7 * index, hours=rng.randint(1, 30))
            if sent >= now:
                break
            row = out.add(OutboundMessage, lead_id=n, enrollment_id=enrollment, step_id=step,
                          message_id=f"<{n}.{index}@bench>", to_address=email, state="sent",
                          due_at=sent, sent_at=sent)  # fmt: skip
            out.event(n, K.EMAIL_SENT, sent, step_id=step, outbound_id=row,
                      enrollment_id=enrollment)  # fmt: skip
            answer = rng.random()
            later = sent + timedelta(hours=rng.randint(1, 72))
            if answer < 0.03:
                out.event(n, K.BOUNCED, later, outbound_id=row,
                          status=rng.choice(["5.1.1", "4.2.2"]))  # fmt: skip
                break
            if answer < 0.07:
                out.event(n, K.REPLIED, later, outbound_id=row)
            elif answer < 0.08:
                out.event(n, K.AUTO_REPLY, later, outbound_id=row)
            elif answer < 0.09:
                out.event(n, K.UNSUBSCRIBED, later, outbound_id=row)
                break
        clock = enrolled
    if fate > 0.25:
        return
    clock += timedelta(days=rng.randint(1, 60))
    if clock >= now:
        return
    out.event(n, K.BECAME_WARM, clock, score=55.0)
    if fate > 0.08:
        return
    clock += timedelta(days=rng.randint(1, 40))
    if clock >= now:
        return
    score = round(60 + rng.random() * 40, 1)
    out.event(n, K.BECAME_SALES_READY, clock, score=score)
    _sales(out, rng, n, clock + timedelta(minutes=5), now, score, rng.choice(reps))


def _sales(out: _Writer, rng: random.Random, n: int, handed: datetime, now: datetime,
           score: float, rep: int) -> None:  # fmt: skip
    due = handed + timedelta(hours=24)
    first = handed + timedelta(hours=rng.randint(1, 40))
    won = rng.random()
    handoff = out.add(Handoff, lead_id=n, owner_id=rep, handed_off_at=handed, sla_due_at=due,
                      due_at=due, first_attempt_at=first if first < now else None,
                      sla_state="met" if first <= due else "breached", trigger="threshold",
                      state="closed" if won < 0.5 else "accepted",
                      outcome="won" if won < 0.3 else "lost" if won < 0.5 else "",
                      closed_at=handed + timedelta(days=30) if won < 0.5 else None)  # fmt: skip
    out.event(n, K.HANDED_OFF, handed, handoff_id=handoff, score=score, owner_id=rep)
    if first >= now:
        return
    for attempt in range(rng.randint(1, 3)):
        outcome = "connected" if attempt == 2 or rng.random() < 0.5 else "voicemail"
        out.event(n, K.FOLLOW_UP_ATTEMPT, first + timedelta(days=attempt), handoff_id=handoff,
                  outcome=outcome)  # fmt: skip
        if outcome == "connected":
            break
    out.event(n, K.HANDOFF_ACCEPTED, first, handoff_id=handoff)
    opened = first + timedelta(days=3)
    out.event(n, K.DEAL_OPENED, opened)
    closed = opened + timedelta(days=rng.randint(5, 90))
    state = "won" if won < 0.3 else "lost" if won < 0.5 else "open"
    out.add(Deal, lead_id=n, handoff_id=handoff, state=state, currency="EUR",
            amount_cents=rng.randint(10, 500) * 10_000, opened_at=opened,
            closed_at=closed if state != "open" else None,
            won_on=date.fromordinal(closed.toordinal()) if state == "won" else None,
            lost_reason="bad timing" if state == "lost" else "")  # fmt: skip
    if state == "won":
        out.event(n, K.DEAL_WON, closed)
    elif state == "lost":
        out.event(n, K.DEAL_LOST, closed, reason="bad timing")
