"""Lead acceleration: how many days from first touch to warm, sales-ready, hand-off and won.

First touch is when the lead entered LeadDesk (created or imported). Each milestone is the
first event that shows it; leads that have not reached a milestone do not count for it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from leaddesk.activities.kinds import ActivityKind as K
from leaddesk.db.models import Activity, Lead
from leaddesk.reports.model import (
    Figure,
    Period,
    Report,
    ReportFilter,
    Series,
    Table,
    activity_of,
    days_between,
    percentile,
)

#: (key, label, the events that mark it)
MILESTONES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("warm", "Warm", (K.BECAME_WARM, K.BECAME_SALES_READY)),
    ("sales_ready", "Sales-ready", (K.BECAME_SALES_READY,)),
    ("handed_off", "Handed off", (K.HANDED_OFF,)),
    ("won", "Won", (K.DEAL_WON,)),
)
TREND_MONTHS = 12


def _month(column: Any, dialect: str) -> Any:
    """SQL for "2026-03", the UTC month of ``column``."""
    if dialect == "sqlite":
        return func.strftime("%Y-%m", column)
    return func.to_char(func.timezone("UTC", column), "YYYY-MM")


def _cohort_sizes(session: Session, flt: ReportFilter) -> tuple[dict[str, int], dict[str, int]]:
    """The cohort's leads counted by source and by month of entry."""
    dialect = session.get_bind().dialect.name
    month = _month(Lead.created_at, dialect)
    by_source: dict[str, int] = defaultdict(int)
    by_month: dict[str, int] = defaultdict(int)
    cohort = select(flt.cohort().subquery().c.id)
    for source, entered, count in session.execute(
        select(Lead.source, month, func.count())
        .where(Lead.id.in_(cohort))
        .group_by(Lead.source, month)
    ):
        by_source[source or "(no source)"] += count
        by_month[entered] += count
    return dict(by_source), dict(by_month)


def _days(session: Session, flt: ReportFilter) -> list[tuple[str, str, dict[str, float]]]:
    """(source, month of entry, {milestone: days}) for each lead of the cohort that reached a
    milestone (the others reached none; :func:`_cohort_sizes` counts every lead).

    The days are worked out in SQL (one row per lead, no timestamps to convert), so a year of
    leads stays well under a second."""
    dialect = session.get_bind().dialect.name
    cohort = select(flt.cohort().subquery().c.id)
    kinds = sorted({kind for _key, _label, group in MILESTONES for kind in group})
    firsts = (
        select(
            Activity.lead_id.label("lead_id"),
            *(
                func.min(case((Activity.kind.in_(group), Activity.occurred_at))).label(key)
                for key, _label, group in MILESTONES
            ),
        )
        .where(activity_of(cohort), Activity.kind.in_(kinds))
        .group_by(Activity.lead_id)
        .subquery()
    )
    query = (
        select(
            Lead.source,
            _month(Lead.created_at, dialect),
            *(
                days_between(firsts.c[key], Lead.created_at, dialect)
                for key, _label, _group in MILESTONES
            ),
        )
        .select_from(Lead)
        .join(firsts, firsts.c.lead_id == Lead.id)
    )
    keys = [key for key, _label, _group in MILESTONES]
    result = []
    for source, month, *days in session.execute(query):
        reached = {
            key: max(0.0, float(d)) for key, d in zip(keys, days, strict=True) if d is not None
        }
        result.append((source or "(no source)", month, reached))
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
    sizes, _months = _cohort_sizes(session, flt)
    source_rows: list[list[Any]] = []
    for source in sorted(sizes):
        per = _stats(by_source.get(source, []))
        source_rows.append([source, sizes[source]] + [per[k][0] for k, *_ in MILESTONES])
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
        empty=not sizes,
    )


def _trend(session: Session, flt: ReportFilter) -> list[tuple[str, int, float | None]]:
    """(month, leads, median days to sales-ready) for the 12 months up to the period's end."""
    end = flt.period.end
    start = (end.replace(day=1) - timedelta(days=31 * (TREND_MONTHS - 1))).replace(day=1)
    year = flt.for_period(Period(start, end))
    months: dict[str, list[float]] = {}
    for _source, month, reached in _days(session, year):
        if "sales_ready" in reached:
            months.setdefault(month, []).append(reached["sales_ready"])
    _sizes, counts = _cohort_sizes(session, year)
    return [(m, counts[m], percentile(months.get(m, []), 0.5)) for m in sorted(counts)]
