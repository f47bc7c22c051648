"""Build a big database for ``bench_handoff.py`` fast (Core inserts), in hand-off steady state.

:func:`build_base` makes leads and activities (like ``bench_scoring``), the team, the assignment
rules, a sender account (so alerts are queued) and a decay pass noted as just run; some leads
that went to sales before have a closed hand-off. :func:`add_open_handoffs` then hands leads
to sales as the product would have: an open hand-off with its task, the lead sales-ready (by its
own activities: a re-score records no crossing) and handed off, deadlines spread over the 48 h
before and after ``now``; the ones already missed are breached, and escalated if that was due.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update

from leaddesk.activities import ActivityKind as K
from leaddesk.db.engine import Database
from leaddesk.db.models import Activity, Handoff, Lead, SenderAccount, Task
from leaddesk.demo.generator import FIRST, LAST
from leaddesk.handoff.routing import AssignmentRule, Condition, RoutingConfig, save_routing
from leaddesk.handoff.team import add_member
from leaddesk.scoring import Operator, rescore_leads
from leaddesk.tick import note_decay_pass

TEAM = (
    ("Maya Lindgren", "sales_manager", "Europe/Stockholm"),
    ("Tom Okoro", "sales_rep", "Europe/Berlin"),
    ("Sofia Reyes", "sales_rep", "America/New_York"),
    ("Ravi Patel", "sales_rep", "Europe/London"),
)
DACH, AMERICAS = ("Germany", "Austria", "Switzerland"), ("United States", "Canada")
PLACES = (
    ("Germany", "Berlin", "Europe/Berlin"),
    ("United States", "Chicago", "America/Chicago"),
    ("France", "Lyon", "Europe/Paris"),
    ("United Kingdom", "London", "Europe/London"),
    ("Austria", "Vienna", "Europe/Vienna"),
    ("Canada", "Toronto", "America/Toronto"),
    ("Japan", "Osaka", "Asia/Tokyo"),
    ("Spain", "Valencia", "Europe/Madrid"),
)
TITLES = ("VP Sales", "CEO", "Director of IT", "Operations Manager", "Analyst", "Student")
INDUSTRIES = ("Software", "Retail", "Education", "Logistics", "Media", "Energy")
SIZES = ("1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000")
SOURCES = ("CloudOps Expo Berlin", "RetailTech Summit", "Website", "Partner")
KINDS = (K.WHITEPAPER_DOWNLOAD, K.CASE_STUDY_DOWNLOAD, K.WEBINAR_REGISTERED, K.WEBINAR_ATTENDED,
         K.WEBSITE_VISIT, K.EMAIL_SENT, K.REPLIED, K.CONSULTATION_REQUESTED)  # fmt: skip
WEIGHTS = (20, 10, 8, 5, 30, 40, 4, 1)
# Statuses of leads that are sales-ready but not waiting for a hand-off (already dealt with).
# Not "recycled": missed_triggers' subquery inside _ended_after is not correlated to the lead
# (it takes the latest crossing of ANY lead), so the first tick would hand those off again.
SETTLED = ("in_sales", "customer", "opportunity", "lost")
OTHER = ("new", "nurturing", "nurturing", "recycled", "customer", "disqualified")
CHUNK = 20_000


@dataclass(frozen=True)
class BenchData:
    """What :func:`build_base` made: member ids by name, background leads, the probe leads."""

    team: dict[str, int]
    background: int
    probes: list[int]  # warm just under the threshold: a consultation request hands them off
    quiet: list[int]  # warm too, for the NOTE reference (no crossing)


def build_base(db: Database, leads: int, activities: int, now: datetime, probes: int) -> BenchData:
    """Leads, ``activities`` random activities, team, rules, sender account; no open hand-off."""
    rng = random.Random(1)
    with db.write() as session:
        team = {n: add_member(session, n, f"{n.split()[0].lower()}@leaddesk.example", role=r,
                              timezone=z).id for n, r, z in TEAM}  # fmt: skip
        tom, sofia, ravi = team["Tom Okoro"], team["Sofia Reyes"], team["Ravi Patel"]
        rules = (
            AssignmentRule("DACH", (Condition("country", Operator.IN_LIST, ", ".join(DACH)),),
                           (tom,)),
            AssignmentRule("Americas", (Condition("country", Operator.IN_LIST,
                                                  ", ".join(AMERICAS)),), (sofia,)),
        )  # fmt: skip
        save_routing(session, RoutingConfig(rules, (tom, sofia, ravi)))
        session.execute(insert(SenderAccount).values(
            name="Marketing", from_address="marketing@leaddesk.example",
            display_name="LeadDesk", smtp_host="smtp.example.invalid"))  # fmt: skip
        note_decay_pass(session, now)
    background = leads - 2 * probes
    closed: list[dict[str, Any]] = []
    extra: list[dict[str, Any]] = []
    for start in range(0, leads, CHUNK):
        stop = min(leads, start + CHUNK)
        rows = [_lead(rng, i, i > background, now) for i in range(start + 1, stop + 1)]
        with db.write() as session:
            session.execute(insert(Lead), rows)
        for row in rows:
            if row["score_band"] == "sales_ready":  # crossed long ago, then dealt with
                crossed = now - timedelta(days=rng.randint(30, 300))
                extra.append(_act(row["id"], K.BECAME_SALES_READY, crossed, "scoring"))
                if row["status"] in ("lost", "recycled"):
                    closed.append(_closed(row["id"], rng.choice([tom, sofia, ravi]), crossed))
    with db.write() as session:
        for start in range(0, len(closed), CHUNK):
            session.execute(insert(Handoff), closed[start : start + CHUNK])
        batch = extra
        for _ in range(activities):
            kind = rng.choices(KINDS, WEIGHTS)[0]
            minutes = rng.randint(0, 60 * 24 * 400)
            if kind == K.CONSULTATION_REQUESTED:  # recent hand-raises would hand leads off
                minutes = max(minutes, 60 * 24 * 31)
            batch.append(_act(rng.randint(1, background), kind, now - timedelta(minutes=minutes)))
            if len(batch) >= 50_000:
                session.execute(insert(Activity), batch)
                batch = []
        ids = list(range(background + 1, leads + 1))
        batch += [_act(i, K.WEBINAR_ATTENDED, now - timedelta(days=1)) for i in ids]
        batch += [_act(i, K.WEBSITE_VISIT, now - timedelta(days=2)) for i in ids]
        session.execute(insert(Activity), batch)
        summary = rescore_leads(session, ids, now)
        assert not summary.crossings and summary.bands.get("warm") == len(ids), summary
    return BenchData(team, background, ids[:probes], ids[probes:])


def add_open_handoffs(db: Database, data: BenchData, count: int, now: datetime) -> int:
    """``count`` open hand-offs on background leads; returns how many are breached already."""
    rng = random.Random(2)
    step = data.background // count
    ids = [1 + i * step for i in range(count)]
    tom, sofia, ravi = (data.team[n] for n in ("Tom Okoro", "Sofia Reyes", "Ravi Patel"))
    pool = [tom, sofia, ravi]
    day = timedelta(hours=24)
    with db.write() as session:
        countries = dict(
            session.execute(select(Lead.id, Lead.country).where(Lead.id.in_(ids))).all()
        )
        next_task = (session.scalar(select(func.max(Task.id))) or 0) + 1
        next_handoff = (session.scalar(select(func.max(Handoff.id))) or 0) + 1
        leads, tasks, handoffs, acts = [], [], [], []
        breached = 0
        for n, lead_id in enumerate(ids):
            due = now + timedelta(seconds=rng.randint(-48 * 3600, 48 * 3600))
            handed = due - day
            country = countries[lead_id]
            owner = tom if country in DACH else sofia if country in AMERICAS else pool[n % 3]
            row = _open(lead_id, next_handoff + n, next_task + n, owner, handed, due)
            acts += [_act(lead_id, K.WEBINAR_ATTENDED, handed - timedelta(days=d)) for d in (3, 9)]
            acts.append(_act(lead_id, K.BECAME_SALES_READY, handed, "scoring",
                             {"from": "warm", "to": "sales_ready", "score": 80.0}))  # fmt: skip
            made = {"handoff_id": row["id"], "trigger": "threshold", "owner_id": owner}
            acts.append(_act(lead_id, K.HANDED_OFF, handed, "handoff", made))
            if due <= now:  # the timers already recorded the missed deadline
                breached += 1
                row.update(sla_state="breached", breached_at=due, escalate_at=due + day)
                acts.append(_act(lead_id, K.SLA_BREACHED, due, "handoff"))
                if due + day <= now:  # ... and escalated it to another rep
                    moved = rng.choice([m for m in pool if m != owner])
                    row.update(owner_id=moved, tried=[owner, moved], escalations=1,
                               assigned_at=due + day, due_at=due + 2 * day,
                               escalate_at=due + 3 * day)  # fmt: skip
                    acts.append(_act(lead_id, K.REASSIGNED, due + day, "handoff"))
            handoffs.append(row)
            tasks.append({"id": row["task_id"], "lead_id": lead_id, "owner_id": row["owner_id"],
                          "kind": "handoff", "title": "First follow-up", "origin": "handoff",
                          "due_at": row["due_at"]})  # fmt: skip
            leads.append({"b_id": lead_id, "b_owner": row["owner_id"], "b_seen": handed})
        session.execute(insert(Task), tasks)
        session.execute(insert(Handoff), handoffs)
        session.execute(insert(Activity), acts)
        table = Lead.__table__
        session.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(title="VP Sales", industry="Software", company_size="51-200",
                    status="handed_off", score_band="sales_ready", score=80.0,
                    owner_id=bindparam("b_owner"), last_activity_at=bindparam("b_seen")),
            leads,
        )  # fmt: skip
        summary = rescore_leads(session, ids, now)
        assert not summary.crossings and summary.bands.get("sales_ready") == count, summary
    return breached


def _lead(rng: random.Random, i: int, probe: bool, now: datetime) -> dict[str, Any]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    country, city, zone = PLACES[i % 3] if probe else rng.choice(PLACES)
    score = round(rng.random() * 100, 1)
    band = "cold" if score < 40 else "warm" if score < 70 else "sales_ready"
    status = rng.choice(SETTLED if band == "sales_ready" else OTHER)
    if probe:
        score, band, status = 60.0, "warm", "nurturing"
    created = now - timedelta(days=rng.randint(1, 400))
    email = f"{first}.{last}{i}@company{i % 5000}.example".lower()
    return {"id": i, "email": email, "email_key": email, "first_name": first, "last_name": last,
            "company": f"Company {i % 5000} GmbH", "country": country, "city": city,
            "timezone": zone, "source": rng.choice(SOURCES), "custom_fields": {},
            "title": "VP Sales" if probe else rng.choice(TITLES),
            "industry": "Software" if probe else rng.choice(INDUSTRIES),
            "company_size": "51-200" if probe else rng.choice(SIZES),
            "status": status, "score": score, "fit_score": round(score * 0.4, 1),
            "engagement_score": round(score * 0.6, 1), "score_band": band,
            "last_activity_at": created, "created_at": created, "updated_at": created}  # fmt: skip


def _act(lead_id: int, kind: str, at: datetime, origin: str = "bench",
         payload: dict[str, Any] | None = None) -> dict[str, Any]:  # fmt: skip
    return {"lead_id": lead_id, "kind": str(kind), "occurred_at": at, "recorded_at": at,
            "origin": origin, "payload": payload or {}}  # fmt: skip


def _open(lead_id: int, hid: int, task: int, owner: int, handed: datetime,
          due: datetime) -> dict[str, Any]:  # fmt: skip
    return {"id": hid, "lead_id": lead_id, "state": "open", "trigger": "threshold",
            "reason": "Score crossed the sales-ready threshold", "owner_id": owner,
            "rule": "bench", "tried": [owner], "handed_off_at": handed, "assigned_at": handed,
            "sla_due_at": due, "due_at": due, "sla_state": "pending", "breached_at": None,
            "escalate_at": None, "escalations": 0, "task_id": task}  # fmt: skip


def _closed(lead_id: int, owner: int, crossed: datetime) -> dict[str, Any]:
    return {"lead_id": lead_id, "state": "closed", "trigger": "threshold", "owner_id": owner,
            "tried": [owner], "handed_off_at": crossed, "assigned_at": crossed,
            "sla_due_at": crossed + timedelta(hours=24), "due_at": crossed + timedelta(hours=24),
            "sla_state": "met", "first_attempt_at": crossed + timedelta(hours=3),
            "closed_at": crossed + timedelta(days=5), "outcome": "handed_back"}  # fmt: skip
