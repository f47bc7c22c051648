"""Outcomes and ROI: deals won, revenue, time to close, and what each source/event returned.

A cost can be entered per source/event (a booth, a webinar's ads); cost per lead, per
sales-ready lead and per won deal, and the return on it, follow. Leads and sales-ready leads
are the period's cohort from that source; won deals and revenue are deals won in the period.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leaddesk.activities.kinds import ActivityKind as K
from leaddesk.db.models import Activity, Deal, DealState, Lead
from leaddesk.outcomes.config import load_outcome_settings
from leaddesk.outcomes.money import AmountError, parse_amount
from leaddesk.reports.model import (
    Figure,
    Report,
    ReportError,
    ReportFilter,
    Series,
    Table,
    percentile,
    rate,
)
from leaddesk.settings import get_setting, set_setting

COSTS_KEY = "source_costs"


def source_costs(session: Session) -> dict[str, int]:
    """Cost per source/event in cents."""
    stored = get_setting(session, COSTS_KEY, None)
    return {str(k): int(v) for k, v in stored.items()} if isinstance(stored, dict) else {}


def set_source_cost(session: Session, source: str, amount: str | None) -> None:
    """Enter (or, with an empty amount, clear) the cost of one source/event."""
    name = source.strip()
    if not name:
        raise ReportError("name the source or event the cost is for")
    costs = source_costs(session)
    if amount is None or not str(amount).strip():
        costs.pop(name, None)
    else:
        try:
            costs[name] = parse_amount(amount)
        except AmountError as error:
            raise ReportError(str(error)) from None
    set_setting(session, COSTS_KEY, costs)


def _won(session: Session, flt: ReportFilter) -> list[Any]:
    return list(
        session.execute(
            select(Deal.amount_cents, Deal.opened_at, Deal.closed_at, Lead.source, Lead.created_at)
            .join(Lead, Lead.id == Deal.lead_id)
            .where(
                Deal.state == DealState.WON,
                Deal.closed_at >= flt.period.start,
                Deal.closed_at < flt.period.end,
                *flt.lead_conditions(),
            )
        ).all()
    )


def _summary(rows: list[Any]) -> dict[str, Any]:
    revenue = sum(r.amount_cents or 0 for r in rows)
    days = [(r.closed_at - r.opened_at).total_seconds() / 86_400 for r in rows if r.opened_at]
    return {
        "won": len(rows),
        "revenue": revenue,
        "average": (revenue / len(rows)) if rows else None,
        "days_to_close": percentile(days, 0.5),
    }


def _cohort_by_source(session: Session, flt: ReportFilter) -> tuple[dict[str, int], dict[str, int]]:
    """(leads, sales-ready leads) of the period's cohort, per source."""
    cohort = flt.cohort().subquery()
    leads = dict(
        session.execute(
            select(Lead.source, func.count())
            .where(Lead.id.in_(select(cohort.c.id)))
            .group_by(Lead.source)
        ).all()
    )
    ready = dict(
        session.execute(
            select(Lead.source, func.count(func.distinct(Lead.id)))
            .join(Activity, Activity.lead_id == Lead.id)
            .where(Lead.id.in_(select(cohort.c.id)), Activity.kind == K.BECAME_SALES_READY)
            .group_by(Lead.source)
        ).all()
    )
    return leads, ready


def roi_report(session: Session, flt: ReportFilter, now: datetime) -> Report:
    """Won deals and revenue, and per source: cost per lead, sales-ready lead, won deal; ROI."""
    currency = load_outcome_settings(session).currency
    rows, before = _won(session, flt), _won(session, flt.for_period(flt.period.previous()))
    s, b = _summary(rows), _summary(before)
    figures = [
        Figure("won", "Deals won", s["won"], b["won"], "count", "deals marked won in the period"),
        Figure(
            "revenue",
            "Revenue",
            s["revenue"] / 100,
            b["revenue"] / 100,
            "money",
            f"the won deals' amounts, in {currency}",
        ),
        Figure(
            "average",
            "Average deal",
            _units(s["average"]),
            _units(b["average"]),
            "money",
            "revenue ÷ deals won",
        ),
        Figure(
            "days_to_close",
            "Median days to close",
            s["days_to_close"],
            b["days_to_close"],
            "days",
            "from the opportunity being opened to the deal being won",
        ),
    ]
    costs = source_costs(session)
    leads, ready = _cohort_by_source(session, flt)
    won_by: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        won_by[row.source or ""].append(row)
    table_rows: list[list[Any]] = []
    for source in sorted(set(leads) | set(won_by) | set(costs)):
        if flt.source and source != flt.source:
            continue
        cost = costs.get(source)
        revenue = sum(r.amount_cents or 0 for r in won_by.get(source, []))
        won_count = len(won_by.get(source, []))
        table_rows.append(
            [
                source or "(no source)",
                leads.get(source, 0),
                ready.get(source, 0),
                won_count,
                revenue / 100,
                cost / 100 if cost is not None else None,
                _per(cost, leads.get(source, 0)),
                _per(cost, ready.get(source, 0)),
                _per(cost, won_count),
                rate(revenue - cost, cost) if cost else None,
            ]
        )
    return Report(
        "outcomes",
        "Outcomes and ROI",
        flt.period,
        figures,
        [
            Table(
                "By source / event",
                [
                    "Source",
                    "Leads",
                    "Sales-ready",
                    "Won",
                    f"Revenue ({currency})",
                    f"Cost ({currency})",
                    "Cost per lead",
                    "Cost per sales-ready lead",
                    "Cost per won deal",
                    "ROI",
                ],
                table_rows,
                {
                    "ROI": "(revenue − cost) ÷ cost",
                    "Leads": "leads from the source that entered in the period",
                    "Cost": "entered in the report for the source",
                },
            )
        ],
        [
            Series(
                f"Revenue by source ({currency})",
                "bar",
                [r[0] for r in table_rows],
                {"Revenue": [float(r[4]) for r in table_rows]},
            )
        ],
        notes=[f"Amounts in {currency}. Enter a source's cost in the report to see its ROI."],
        empty=not rows and not any(leads.values()),
    )


def _units(cents: float | None) -> float | None:
    return None if cents is None else round(cents) / 100


def _per(cost: int | None, count: int) -> float | None:
    """Cost per item in currency units (None without a cost or items)."""
    if cost is None or not count:
        return None
    return round(cost / count) / 100
