"""Lead acceleration: how many days from first touch to warm, sales-ready, hand-off and won.

First touch is when the lead entered LeadDesk (created or imported). Each milestone is the
first event that shows it; leads that have not reached a milestone do not count for it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leaddesk.activities.kinds import ActivityKind as K
from leaddesk.db.models import Activity, Lead
from leaddesk.reports.model import Figure, Period, Report, ReportFilter, Series, Table, percentile

#: (key, label, the events that mark it)
MILESTONES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("warm", "Warm", (K.BECAME_WARM, K.BECAME_SALES_READY)),
    ("sales_ready", "Sales-ready", (K.BECAME_SALES_READY,)),
    ("handed_off", "Handed off", (K.HANDED_OFF,)),
    ("won", "Won", (K.DEAL_WON,)),
)
TREND_MONTHS = 12


def _days(session: Session, flt: ReportFilter) -> list[tuple[str, datetime, dict[str, float]]]:
    """(source, created, {milestone: days}) for each lead of the cohort."""
    cohort = flt.cohort().subquery()
    kinds = sorted({kind for _key, _label, group in MILESTONES for kind in group})
    leads = {
        lead_id: (source, created)
        for lead_id, source, created in session.execute(
            select(Lead.id, Lead.source, Lead.created_at).where(Lead.id.in_(select(cohort.c.id)))
        )
    }
    firsts: dict[int, dict[str, datetime]] = defaultdict(dict)
    for lead_id, kind, first in session.execute(
        select(Activity.lead_id, Activity.kind, func.min(Activity.occurred_at))
        .where(Activity.lead_id.in_(select(cohort.c.id)), Activity.kind.in_(kinds))
        .group_by(Activity.lead_id, Activity.kind)
    ):
        firsts[lead_id][kind] = first
    result = []
    for lead_id, (source, created) in leads.items():
        reached: dict[str, float] = {}
        for key, _label, group in MILESTONES:
            moments = [firsts[lead_id][kind] for kind in group if kind in firsts[lead_id]]
            if moments:
                reached[key] = max(0.0, (min(moments) - created).total_seconds() / 86_400)
        result.append((source or "(no source)", created, reached))
    return result


def _stats(rows: list[dict[str, float]]) -> dict[str, tuple[float | None, float | None, int]]:
    stats = {}
    for key, _label, _group in MILESTONES:
        values = [row[key] for row in rows if key in row]
        stats[key] = (percentile(values, 0.5), percentile(values, 0.75), len(values))
    return stats


def acceleration_report(session: Session, flt: ReportFilter, now: datetime) -> Report:
    """Median and p75 days to each milestone, per source, and the monthly trend."""
    rows = _days(session, flt)
    before = _days(session, flt.for_period(flt.period.previous()))
    stats, previous = _stats([r for _s, _c, r in rows]), _stats([r for _s, _c, r in before])
    figures = [
        Figure(
            f"days_to_{key}",
            f"Median days to {label.lower()}",
            stats[key][0],
            previous[key][0],
            "days",
            f"half of the cohort's leads that became {label.lower()} did within this many days "
            "of entering",
        )
        for key, label, _group in MILESTONES
    ]
    milestone_rows = [
        [label, stats[key][0], stats[key][1], stats[key][2]] for key, label, _g in MILESTONES
    ]
    by_source: dict[str, list[dict[str, float]]] = defaultdict(list)
    for source, _created, reached in rows:
        by_source[source].append(reached)
    source_rows: list[list[Any]] = []
    for source in sorted(by_source):
        per = _stats(by_source[source])
        source_rows.append([source, len(by_source[source])] + [per[k][0] for k, *_ in MILESTONES])
    trend = _trend(session, flt)
    return Report(
        "acceleration",
        "Lead acceleration",
        flt.period,
        figures,
        [
            Table(
                "Days to each milestone",
                ["Milestone", "Median", "p75", "Leads"],
                milestone_rows,
                {"p75": "three in four leads got there within this many days"},
            ),
            Table(
                "By source / event",
                ["Source", "Leads"]
                + [f"Median days to {label.lower()}" for _k, label, _g in MILESTONES],
                source_rows,
            ),
            Table(
                "Trend by month of entry",
                ["Month", "Leads", "Median days to sales-ready"],
                [[m, n, d] for m, n, d in trend],
            ),
        ],
        [
            Series(
                "Median days to sales-ready, by month of entry",
                "line",
                [month for month, _n, _d in trend],
                {"Median days": [d if d is not None else 0.0 for _m, _n, d in trend]},
            )
        ],
        empty=not rows,
    )


def _trend(session: Session, flt: ReportFilter) -> list[tuple[str, int, float | None]]:
    """(month, leads, median days to sales-ready) for the 12 months up to the period's end."""
    end = flt.period.end
    start = (end.replace(day=1) - timedelta(days=31 * (TREND_MONTHS - 1))).replace(day=1)
    months: dict[str, list[float]] = {}
    counts: dict[str, int] = {}
    for _source, created, reached in _days(session, flt.for_period(Period(start, end))):
        month = f"{created:%Y-%m}"
        counts[month] = counts.get(month, 0) + 1
        if "sales_ready" in reached:
            months.setdefault(month, []).append(reached["sales_ready"])
    return [(m, counts[m], percentile(months.get(m, []), 0.5)) for m in sorted(counts)]
