"""List health: bounce and unsubscribe rates by list age, the yearly decay, suppressions.

List age is the time since a lead entered (imported or created). The yearly decay estimate is
the share of addresses that went bad (bounced or unsubscribed) divided by the lists' average age
in years — the industry figure is about 25 % a year.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, case, func, select
from sqlalchemy.orm import Session

from leaddesk.activities.kinds import ActivityKind as K
from leaddesk.db.models import Activity, EmailState, Lead, Suppression
from leaddesk.db.models.base import UTCDateTime
from leaddesk.reports.model import Figure, Report, ReportFilter, Series, Table, days_between, rate

AGE_BANDS = ((0, 3), (3, 6), (6, 12), (12, 24), (24, 10_000))
INDUSTRY_DECAY = 0.25


def _age_label(low: int, high: int) -> str:
    return f"{low}+ months" if high >= 10_000 else f"{low}–{high} months"


def _band(session: Session, now: datetime) -> Any:
    """SQL for the lower bound (in months) of the list-age band of ``Lead``."""
    dialect = session.get_bind().dialect.name
    months = days_between(bindparam("now", now, type_=UTCDateTime()), Lead.created_at, dialect)
    months = months / 30.44
    return case(*((months < high, low) for low, high in AGE_BANDS[:-1]), else_=AGE_BANDS[-1][0])


def list_health_report(session: Session, flt: ReportFilter, now: datetime) -> Report:
    """Rates by list age for the period's sends, the decay estimate, suppressions by reason."""
    conditions = flt.lead_conditions()
    band_of = _band(session, now)
    bands: dict[int, dict[str, float]] = {low: defaultdict(int) for low, _high in AGE_BANDS}
    dialect = session.get_bind().dialect.name
    age_years = days_between(bindparam("now", now, type_=UTCDateTime()), Lead.created_at, dialect)
    for low, leads, gone, years in session.execute(
        select(
            band_of,
            func.count(),
            func.sum(case((Lead.email_state != EmailState.OK, 1), else_=0)),
            func.sum(age_years / 365.25),
        )
        .where(*conditions)
        .group_by(band_of)
    ):
        bands[int(low)].update(leads=leads, gone=gone or 0, years=float(years or 0))
    in_period = and_(
        Activity.occurred_at >= flt.period.start, Activity.occurred_at < flt.period.end
    )
    by_lead = (
        select(band_of, func.count()).select_from(Activity).join(Lead, Lead.id == Activity.lead_id)
    )
    for low, count in session.execute(
        by_lead.where(Activity.kind == K.EMAIL_SENT, in_period, *conditions).group_by(band_of)
    ):
        bands[int(low)]["sent"] = count
    # bounces and unsubscribes that answer the period's emails, whenever they came, once each
    outbound = Activity.payload["outbound_id"].as_integer()
    sent_ids = select(outbound).where(Activity.kind == K.EMAIL_SENT, in_period)
    for low, kind, count in session.execute(
        select(band_of, Activity.kind, func.count(outbound.distinct()))
        .select_from(Activity)
        .join(Lead, Lead.id == Activity.lead_id)
        .where(Activity.kind.in_([K.BOUNCED, K.UNSUBSCRIBED]), outbound.in_(sent_ids), *conditions)
        .group_by(band_of, Activity.kind)
    ):
        bands[int(low)]["bounced" if kind == K.BOUNCED else "unsubscribed"] = count
    total = sum(b["leads"] for b in bands.values())
    gone = sum(b["gone"] for b in bands.values())
    total_age = sum(b["years"] for b in bands.values())
    rows: list[list[Any]] = []
    for low, high in AGE_BANDS:
        b = bands[low]
        rows.append(
            [
                _age_label(low, high),
                b["leads"],
                b["sent"],
                b["bounced"],
                b["unsubscribed"],
                rate(b["bounced"], b["sent"]),
                rate(b["unsubscribed"], b["sent"]),
                rate(b["gone"], b["leads"]),
            ]
        )
    average_years = total_age / total if total else 0.0
    decay = (gone / total) / average_years if total and average_years > 0 else None
    if decay is not None:
        decay = min(decay, 1.0)  # young lists extrapolate past 100 % a year: all of it is gone
    sent = sum(b["sent"] for b in bands.values())
    figures = [
        Figure(
            "bounce_rate",
            "Bounce rate",
            rate(sum(b["bounced"] for b in bands.values()), sent),
            None,
            "rate",
            "emails sent in the period that bounced ÷ emails sent in the period",
        ),
        Figure(
            "unsubscribe_rate",
            "Unsubscribe rate",
            rate(sum(b["unsubscribed"] for b in bands.values()), sent),
            None,
            "rate",
            "emails sent in the period that led to an unsubscribe ÷ emails sent in the period",
        ),
        Figure(
            "yearly_decay",
            "Yearly list decay (estimate)",
            decay,
            INDUSTRY_DECAY,
            "rate",
            "addresses gone bad ÷ leads, per year of average list age; the 'previous' "
            "column shows the industry figure of about 25 %",
        ),
    ]
    suppressed = session.execute(
        select(Suppression.reason, func.count())
        .group_by(Suppression.reason)
        .order_by(Suppression.reason)
    ).all()
    return Report(
        "list-health",
        "List health",
        flt.period,
        figures,
        [
            Table(
                "By list age",
                [
                    "List age",
                    "Leads",
                    "Sent",
                    "Bounced",
                    "Unsubscribed",
                    "Bounce rate",
                    "Unsubscribe rate",
                    "Gone bad so far",
                ],
                rows,
                {"Gone bad so far": "leads whose address bounced or unsubscribed, ever"},
            ),
            Table(
                "Suppressed addresses",
                ["Reason", "Addresses"],
                [[reason, count] for reason, count in suppressed],
            ),
        ],
        [
            Series(
                "Bounce and unsubscribe rate by list age",
                "bar",
                [r[0] for r in rows],
                {
                    "Bounce rate": [float(r[5] or 0) for r in rows],
                    "Unsubscribe rate": [float(r[6] or 0) for r in rows],
                },
            )
        ],
        empty=not total,
    )
