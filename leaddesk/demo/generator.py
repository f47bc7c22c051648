"""Generate two tradeshows' worth of leads, their activities, a team and a sequence."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leaddesk.activities import ActivityEvent, ActivityKind, record_activity
from leaddesk.clock import utcnow
from leaddesk.db.engine import Database
from leaddesk.db.models import (
    Activity,
    AppSetting,
    Enrollment,
    Handoff,
    ImportBatch,
    Lead,
    LeadTag,
    LifecycleStatus,
    Task,
    TeamMember,
)
from leaddesk.demo.history import add_sending_history
from leaddesk.handoff.followup import log_attempt
from leaddesk.handoff.identity import adopt_if_unset
from leaddesk.handoff.routing import (
    AssignmentRule,
    Condition,
    RoutingConfig,
    load_routing,
    save_routing,
)
from leaddesk.handoff.team import add_member
from leaddesk.handoff.timers import run_handoff_timers
from leaddesk.outcomes.deals import convert_to_opportunity, mark_lost, mark_won
from leaddesk.scoring.rules import Operator
from leaddesk.sequences.presets import load_preset, sequence_from_document

DEMO_FLAG = "demo_loaded"
FIRST = [
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Elif",
    "Farid",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Kaito",
    "Lena",
    "Marco",
    "Nadia",
    "Oskar",
    "Priya",
    "Quentin",
    "Rosa",
    "Samir",
    "Tanja",
    "Umar",
    "Vera",
    "Wei",
    "Xenia",
    "Yusuf",
    "Zoe",
]
LAST = [
    "Andersen",
    "Bauer",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Hansen",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Novak",
    "Okafor",
    "Petrov",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Ueda",
    "Varga",
    "Weber",
    "Young",
    "Zimmermann",
]
COMPANIES = (
    ("Northwind Logistics", "Logistics", "201-500"),
    ("Brightline Retail", "Retail", "51-200"),
    ("Kestrel Software", "Software", "11-50"),
    ("Harbor Health Clinics", "Healthcare", "501-1000"),
    ("Alpine Foods", "Food & Beverage", "201-500"),
    ("Cobalt Manufacturing", "Manufacturing", "1001-5000"),
    ("Meridian Insurance", "Insurance", "1001-5000"),
    ("Tidewater Energy", "Energy", "501-1000"),
    ("Lumen Analytics", "Software", "51-200"),
    ("Orchard Education", "Education", "11-50"),
    ("Granite Construction Group", "Construction", "201-500"),
    ("Silverleaf Hotels", "Hospitality", "501-1000"),
    ("Vantage Consulting", "Consulting", "11-50"),
    ("Quarry Media", "Media", "51-200"),
)
TITLES = (
    "VP Operations",
    "Head of Customer Success",
    "Director of IT",
    "Operations Manager",
    "CEO",
    "CFO",
    "Procurement Lead",
    "Marketing Manager",
    "Sales Director",
    "Business Analyst",
    "Student",
    "Intern",
    "Project Manager",
    "COO",
)
PLACES = (
    ("Germany", "Berlin", "Europe/Berlin"),
    ("France", "Lyon", "Europe/Paris"),
    ("United Kingdom", "London", "Europe/London"),
    ("Netherlands", "Utrecht", "Europe/Amsterdam"),
    ("United States", "Chicago", "America/Chicago"),
    ("United States", "Boston", "America/New_York"),
    ("Canada", "Toronto", "America/Toronto"),
    ("Japan", "Osaka", "Asia/Tokyo"),
    ("Spain", "Valencia", "Europe/Madrid"),
)
HISTORY_LEADS = 40  # enrolled a week ago: two emails already sent
SHOWS = (("CloudOps Expo Berlin 2026", 60), ("RetailTech Summit Chicago 2026", 25))
# (name, email, role, time zone): the first member is "you" on a computer that has no one yet.
TEAM = (
    ("Maya Lindgren", "maya@leaddesk.example", "sales_manager", "Europe/Stockholm"),
    ("Tom Okoro", "tom@leaddesk.example", "sales_rep", "Europe/Berlin"),
    ("Sofia Reyes", "sofia@leaddesk.example", "sales_rep", "America/New_York"),
    ("Jonas Weber", "jonas@leaddesk.example", "marketing", "Europe/Berlin"),
)
# (rule name, countries, member index): the rest go round-robin to the reps.
ROUTING = (
    ("DACH", "Germany, Austria, Switzerland", 1),
    ("North America", "United States, Canada", 2),
)
ENGAGEMENT = (
    (ActivityKind.WHITEPAPER_DOWNLOAD, 0.35),
    (ActivityKind.CASE_STUDY_DOWNLOAD, 0.2),
    (ActivityKind.WEBINAR_REGISTERED, 0.2),
    (ActivityKind.WEBINAR_ATTENDED, 0.12),
    (ActivityKind.REPLIED, 0.06),
    (ActivityKind.CONSULTATION_REQUESTED, 0.03),
)


@dataclass(frozen=True)
class DemoSummary:
    """What ``load_demo_data`` created (all zero when the demo was already loaded)."""

    leads: int
    activities: int
    team_members: int
    sequences: int
    already_loaded: bool = False


def load_demo_data(
    db: Database, *, leads: int = 300, seed: int = 7, now: datetime | None = None
) -> DemoSummary:
    """Fill ``db`` with sample leads from two tradeshows; does nothing the second time."""
    rng = random.Random(seed)
    moment = now or utcnow()
    with db.write() as session:
        if session.get(AppSetting, DEMO_FLAG) is not None:
            return DemoSummary(0, 0, 0, 0, already_loaded=True)
        before = session.scalar(select(func.count(Activity.id))) or 0
        team = _add_team(session)
        batches = _import_batches(session, leads, moment)
        created = [_make_lead(session, rng, i, team, moment, batches) for i in range(leads)]
        for lead in created:
            _add_activities(session, rng, lead, moment)
        sequence = sequence_from_document(session, load_preset("tradeshow"))
        version = sequence.versions[0]
        nurtured = [lead for lead in created if lead.status == LifecycleStatus.NURTURING]
        enrolled_now = nurtured[: max(1, len(nurtured) // 3)]
        earlier = [lead for lead in nurtured[len(enrolled_now) :] if lead.source == SHOWS[0][0]]
        add_sending_history(session, rng, earlier[:HISTORY_LEADS], version, moment)
        for lead in enrolled_now:
            session.add(
                Enrollment(
                    lead_id=lead.id,
                    sequence_id=sequence.id,
                    version_id=version.id,
                    enrolled_at=moment,
                    origin="demo",
                    next_due_at=moment + timedelta(days=rng.randint(0, 6)),
                )
            )
        _age_handoffs(session, rng, moment)
        session.add(AppSetting(key=DEMO_FLAG, value={"seed": seed, "leads": leads}))
        session.flush()
        # every activity the sample made, the derived ones (became warm, email sent…) included
        activities = (session.scalar(select(func.count(Activity.id))) or 0) - before
    adopt_if_unset(db, team[0].email)
    return DemoSummary(len(created), activities, len(team), 1)


def _add_team(session: Session) -> list[TeamMember]:
    """The demo team and its assignment rules, through the same code as Settings → Team."""
    team = []
    for name, email, role, zone in TEAM:
        found = session.scalar(select(TeamMember).where(TeamMember.email == email))
        team.append(found or add_member(session, name, email, role=role, timezone=zone))
    if not load_routing(session).rules:
        rules = tuple(
            AssignmentRule(
                name, (Condition("country", Operator.IN_LIST, countries),), (team[i].id,)
            )
            for name, countries, i in ROUTING
        )
        save_routing(session, RoutingConfig(rules, (team[1].id, team[2].id)))
    return team


def _age_handoffs(session: Session, rng: random.Random, now: datetime) -> None:
    """Spread the demo's hand-offs over the last two days, so the queue shows every state.

    Leads crossed the threshold while the demo was built (all "now"); moving some hand-offs back
    in time and letting the timers run gives fresh, due-soon, overdue and followed-up ones.
    """
    handoffs = list(session.scalars(select(Handoff).order_by(Handoff.id)))
    for index, handoff in enumerate(handoffs):
        hours = rng.choice([0, 3, 12, 21, 22, 30, 40]) if index % 4 else 0
        if not hours:
            continue
        shift = timedelta(hours=hours, minutes=rng.randint(0, 59))
        for column in ("handed_off_at", "assigned_at", "sla_due_at", "due_at"):
            value = getattr(handoff, column)
            if value is not None:
                setattr(handoff, column, value - shift)
        task = session.get(Task, handoff.task_id) if handoff.task_id else None
        if task is not None:
            task.due_at = handoff.due_at
        for activity in session.scalars(
            select(Activity).where(
                Activity.lead_id == handoff.lead_id, Activity.kind == ActivityKind.HANDED_OFF
            )
        ):
            activity.occurred_at = activity.occurred_at - shift
    session.flush()
    run_handoff_timers(session, now)
    for handoff in handoffs[1::5]:
        lead = session.get_one(Lead, handoff.lead_id)
        owner = session.get(TeamMember, handoff.owner_id) if handoff.owner_id else None
        log_attempt(session, lead, channel="call", outcome="connected", by=owner, now=now)
    _outcomes(session, handoffs, now)


def _outcomes(session: Session, handoffs: list[Handoff], now: datetime) -> None:
    """A won deal, a lost one and an open opportunity among the followed-up hand-offs."""
    followed = handoffs[1::3]
    steps = (
        lambda lead, by: mark_won(session, lead, amount="18,500", by=by, now=now),
        lambda lead, by: mark_lost(
            session,
            lead,
            reason="bad timing",
            by=by,
            now=now,
            note="Budget opens again in the autumn",
        ),
        lambda lead, by: convert_to_opportunity(session, lead, amount="42,000", by=by, now=now),
    )
    for handoff, step in zip(followed, steps, strict=False):
        lead = session.get_one(Lead, handoff.lead_id)
        owner = session.get(TeamMember, handoff.owner_id) if handoff.owner_id else None
        step(lead, owner)


def _import_batches(session: Session, leads: int, now: datetime) -> dict[str, ImportBatch]:
    """One import per show, as if its badge-scan list had been imported: Settings → Imports
    lists them, and undoing one takes that show's sample leads out again."""
    batches: dict[str, ImportBatch] = {}
    for position, (show, days_ago) in enumerate(SHOWS):
        count = len(range(position, leads, len(SHOWS)))
        batch = ImportBatch(
            filename=f"Sample data: {show} badge scans",
            source=show,
            event_date=(now - timedelta(days=days_ago)).date(),
            options={"demo": True},
            rows=count,
            imported=count,
            created_at=now - timedelta(days=days_ago),
        )
        session.add(batch)
        batches[show] = batch
    session.flush()
    return batches


def _make_lead(
    session: Session,
    rng: random.Random,
    index: int,
    team: list[TeamMember],
    now: datetime,
    batches: dict[str, ImportBatch],
) -> Lead:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    company, industry, size = rng.choice(COMPANIES)
    country, city, zone = rng.choice(PLACES)
    show, days_ago = SHOWS[index % len(SHOWS)]
    domain = company.lower().split()[0] + ".example"
    email = f"{first}.{last}{index}@{domain}".lower()
    status = rng.choices(
        [
            LifecycleStatus.NEW,
            LifecycleStatus.NURTURING,
            LifecycleStatus.SALES_READY,
            LifecycleStatus.IN_SALES,
            LifecycleStatus.CUSTOMER,
            LifecycleStatus.DISQUALIFIED,
        ],
        weights=[30, 45, 8, 8, 4, 5],
    )[0]
    lead = Lead(
        email=email,
        email_key=email,
        first_name=first,
        last_name=last,
        company=company,
        title=rng.choice(TITLES),
        phone=f"+1 555 01{rng.randint(10, 99)} {rng.randint(1000, 9999)}",
        industry=industry,
        company_size=size,
        country=country,
        city=city,
        timezone=zone,
        source=show,
        import_batch_id=batches[show].id,
        status=status,
        owner_id=rng.choice(team).id if status != LifecycleStatus.NEW else None,
        created_at=now - timedelta(days=days_ago),
        custom_fields={
            "Booth notes": rng.choice(
                ["Asked for pricing", "Wants a demo in Q1", "Met at the coffee bar", ""]
            )
        },
    )
    lead.tags = [LeadTag(tag=t) for t in {"tradeshow", show.split()[0].lower()}]
    session.add(lead)
    session.flush()
    record_activity(
        session,
        ActivityEvent(
            lead.id,
            ActivityKind.IMPORTED,
            occurred_at=now - timedelta(days=days_ago),
            payload={"source": show, "batch_id": batches[show].id},
            origin="demo",
        ),
        now=now,
    )
    return lead


def _add_activities(session: Session, rng: random.Random, lead: Lead, now: datetime) -> int:
    count = 1
    created_days = (now - lead.created_at).days
    for kind, chance in ENGAGEMENT:
        if rng.random() < chance:
            when = now - timedelta(
                days=rng.randint(0, max(created_days - 1, 0)), hours=rng.randint(0, 23)
            )
            payload = _demo_payload(rng, kind)
            record_activity(
                session,
                ActivityEvent(lead.id, kind, occurred_at=when, payload=payload, origin="demo"),
                now=now,
            )
            count += 1
    return count


ASSETS: dict[str, list[str]] = {
    ActivityKind.WHITEPAPER_DOWNLOAD: ["Route planning 101", "The cost of idle inventory"],
    ActivityKind.CASE_STUDY_DOWNLOAD: ["How Northwind cut delivery times by 30%"],
}
WEBINARS = ["Scaling operations without hiring", "Forecasting demand in uncertain times"]


def _demo_payload(rng: random.Random, kind: str) -> dict[str, object]:
    """What an imported list would say about the activity: the asset, the webinar, minutes."""
    if kind in ASSETS:
        return {"asset": rng.choice(ASSETS[kind])}
    if kind == ActivityKind.WEBINAR_ATTENDED:
        return {"title": rng.choice(WEBINARS), "minutes": rng.randint(12, 58)}
    if kind == ActivityKind.WEBINAR_REGISTERED:
        return {"title": rng.choice(WEBINARS)}
    return {}


def demo_lead_count(db: Database) -> int:
    """How many leads the demo created (0 when it has not run)."""
    with db.session() as session:
        flag = session.scalar(select(AppSetting).where(AppSetting.key == DEMO_FLAG))
        return int(flag.value.get("leads", 0)) if flag else 0
