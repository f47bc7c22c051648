"""List health: bounce and unsubscribe rates by list age, the yearly decay, suppressions.

List age is the time since a lead entered (imported or created). The yearly decay estimate is
the share of addresses that went bad (bounced or unsubscribed) divided by the lists' average age
in years — the industry figure is about 25 % a year.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from leaddesk.activities.kinds import ActivityKind as K
from leaddesk.db.models import Activity, EmailState, Lead, Suppression
from leaddesk.reports.model import Figure, Report, ReportFilter, Series, Table, rate

AGE_BANDS = ((0, 3), (3, 6), (6, 12), (12, 24), (24, 10_000))
INDUSTRY_DECAY = 0.25


def _age_label(low: int, high: int) -> str:
    return f"{low}+ months" if high >= 10_000 else f"{low}–{high} months"


def list_health_report(session: Session, flt: ReportFilter, now: datetime) -> Report:
    """Rates by list age for the period's sends, the decay estimate, suppressions by reason."""
    conditions = flt.lead_conditions()
    leads = session.execute(
        select(Lead.id, Lead.created_at, Lead.email_state).where(*conditions)
    ).all()
    in_period = and_(
        Activity.occurred_at >= flt.period.start, Activity.occurred_at < flt.period.end
    )
    events: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for lead_id, count in session.execute(
        select(Activity.lead_id, func.count())
        .where(Activity.kind == K.EMAIL_SENT, in_period)
        .group_by(Activity.lead_id)
    ):
        events[lead_id][K.EMAIL_SENT] = count
    # bounces and unsubscribes that answer the period's emails, whenever they came, once each
    outbound = Activity.payload["outbound_id"].as_integer()
    sent_ids = select(outbound).where(Activity.kind == K.EMAIL_SENT, in_period)
    for lead_id, kind, count in session.execute(
        select(Activity.lead_id, Activity.kind, func.count(outbound.distinct()))
        .where(Activity.kind.in_([K.BOUNCED, K.UNSUBSCRIBED]), outbound.in_(sent_ids))
        .group_by(Activity.lead_id, Activity.kind)
    ):
        events[lead_id][kind] = count
    bands: dict[int, dict[str, int]] = {low: defaultdict(int) for low, _high in AGE_BANDS}
    gone = total_age = 0.0
    for lead_id, created, state in leads:
        months = (now - created).days / 30.44
        low = next(lo for lo, hi in AGE_BANDS if lo <= months < hi)
        band = bands[low]
        band["leads"] += 1
        band["sent"] += events[lead_id][K.EMAIL_SENT]
        band["bounced"] += events[lead_id][K.BOUNCED]
        band["unsubscribed"] += events[lead_id][K.UNSUBSCRIBED]
        if state != EmailState.OK:
            band["gone"] += 1
            gone += 1
        total_age += months / 12
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
    average_years = total_age / len(leads) if leads else 0.0
    decay = (gone / len(leads)) / average_years if leads and average_years > 0 else None
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
        empty=not leads,
    )
