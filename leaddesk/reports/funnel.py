"""The funnel: how far the leads that entered in the period got, stage by stage.

Each lead counts at the furthest stage its events show and at every stage before it, so a
count never grows down the funnel. Stages come from the activity log only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from leaddesk.activities.kinds import ActivityKind as K
from leaddesk.db.models import Activity
from leaddesk.reports.model import Figure, Report, ReportFilter, Series, Table, activity_of, rate

#: (key, label, the events that show a lead reached it, definition)
STAGES: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("new", "New", (), "leads that entered in the period (created or imported in it)"),
    ("nurturing", "Nurturing", (K.ENROLLED,), "enrolled in a sequence (or got further)"),
    ("warm", "Warm", (K.BECAME_WARM,), "reached the warm score band (the band, not a status)"),
    (
        "sales_ready",
        "Sales-ready",
        (K.BECAME_SALES_READY,),
        "reached the sales-ready score band (the band, not the 'Qualified' status)",
    ),
    ("handed_off", "Handed off", (K.HANDED_OFF,), "handed to a sales rep"),
    ("accepted", "Accepted", (K.HANDOFF_ACCEPTED,), "accepted by the rep (or got further)"),
    ("opportunity", "Opportunity", (K.DEAL_OPENED,), "an opportunity with an amount was opened"),
    ("won", "Won", (K.DEAL_WON,), "a deal was won: a customer"),
)
RANK = {kind: index for index, (_key, _label, kinds, _d) in enumerate(STAGES) for kind in kinds}


def _furthest(session: Session, flt: ReportFilter) -> list[tuple[int, int, int, int]]:
    """(lead id, furthest stage index, lost, recycled) for every lead of the cohort."""
    cohort = flt.cohort().subquery()
    rank = case(*((Activity.kind == kind, index) for kind, index in RANK.items()), else_=0)
    lost = case((Activity.kind == K.DEAL_LOST, 1), else_=0)
    back = case((Activity.kind.in_([K.HANDED_BACK, K.RECYCLED]), 1), else_=0)
    reached = (
        select(
            Activity.lead_id.label("lead_id"),
            func.max(rank).label("rank"),
            func.max(lost).label("lost"),
            func.max(back).label("back"),
        )
        .where(
            activity_of(select(cohort.c.id)),
            Activity.kind.in_([*RANK, K.DEAL_LOST, K.HANDED_BACK, K.RECYCLED]),
        )
        .group_by(Activity.lead_id)
        .subquery()
    )
    rows = session.execute(
        select(cohort.c.id, reached.c.rank, reached.c.lost, reached.c.back).outerjoin(
            reached, reached.c.lead_id == cohort.c.id
        )
    )
    return [(lead_id, rank or 0, lost or 0, back or 0) for lead_id, rank, lost, back in rows]


def stage_counts(session: Session, flt: ReportFilter) -> dict[str, dict[str, int]]:
    """For each stage: leads that reached it, and of those stopping there how many were lost
    or went back to marketing."""
    counts = {key: {"reached": 0, "lost": 0, "recycled": 0} for key, *_ in STAGES}
    for _lead, furthest, lost, back in _furthest(session, flt):
        for index, (key, *_rest) in enumerate(STAGES):
            if index <= furthest:
                counts[key]["reached"] += 1
        stop = STAGES[furthest][0]
        counts[stop]["lost"] += lost
        counts[stop]["recycled"] += back
    return counts


def funnel_report(session: Session, flt: ReportFilter, now: datetime) -> Report:
    """The funnel of the period's cohort, with the previous period's beside it."""
    current = stage_counts(session, flt)
    before = stage_counts(session, flt.for_period(flt.period.previous()))
    figures: list[Figure] = []
    rows: list[list[Any]] = []
    for index, (key, label, _kinds, definition) in enumerate(STAGES):
        reached, previous = current[key]["reached"], before[key]["reached"]
        figures.append(Figure(key, label, reached, previous, "count", definition))
        step = None
        if index:
            prior = STAGES[index - 1][0]
            step = rate(reached, current[prior]["reached"])
        rows.append(
            [label, reached, previous, step, current[key]["lost"], current[key]["recycled"]]
        )
    overall = rate(current["won"]["reached"], current["new"]["reached"])
    overall_before = rate(before["won"]["reached"], before["new"]["reached"])
    figures.append(
        Figure(
            "overall",
            "New → won",
            overall,
            overall_before,
            "rate",
            "share of the period's new leads that are won so far",
        )
    )
    table = Table(
        "Funnel",
        ["Stage", "Leads", "Previous period", "From the stage before", "Lost", "Back to nurture"],
        rows,
        {
            "From the stage before": "leads at this stage ÷ leads at the stage before",
            "Lost": "of the leads that stopped at this stage, how many were lost",
            "Back to nurture": "of the leads that stopped here, how many were handed back "
            "or recycled",
        },
    )
    chart = Series(
        "Funnel",
        "bar",
        [label for _key, label, *_ in STAGES],
        {
            "This period": [float(current[key]["reached"]) for key, *_ in STAGES],
            "Previous period": [float(before[key]["reached"]) for key, *_ in STAGES],
        },
    )
    return Report(
        "funnel",
        "Funnel",
        flt.period,
        figures,
        [table],
        [chart],
        notes=["Each lead counts at the furthest stage it reached and at every stage before it."],
        empty=current["new"]["reached"] == 0,
    )
