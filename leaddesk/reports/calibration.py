"""Score calibration: for hand-offs whose outcome is known, the win rate by score at hand-off.

Shows whether the sales-ready threshold sits where the wins start, suggests one by a plain
rule, and says how many leads would change band with it. This is how marketing and sales agree
on the threshold.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leaddesk.activities.kinds import ActivityKind as K
from leaddesk.db.models import Activity, Handoff, HandoffState, Lead, ScoreBand
from leaddesk.reports.model import Figure, Report, ReportFilter, Series, Table, rate
from leaddesk.scoring.store import load_config

KNOWN = ("won", "lost", "handed_back")
MIN_OUTCOMES = 3
BUCKETS = [(low, low + 10) for low in range(0, 100, 10)]
SUGGESTION_RULE = (
    "Suggested: the lowest 10-point bucket from which every higher bucket with at least "
    f"{MIN_OUTCOMES} known outcomes wins at least as often as all hand-offs together."
)


def _scores_at_handoff(session: Session, flt: ReportFilter) -> list[tuple[float, bool]]:
    """(score at hand-off, won) for hand-offs closed in the period with a known outcome."""
    score = Activity.payload["score"].as_float()
    handoff_id = Activity.payload["handoff_id"].as_integer()
    recorded = (
        select(handoff_id.label("handoff_id"), func.max(score).label("score"))
        .where(Activity.kind == K.HANDED_OFF)
        .group_by(handoff_id)
        .subquery()
    )
    rows = session.execute(
        select(Handoff.outcome, recorded.c.score, Lead.score)
        .join(Lead, Lead.id == Handoff.lead_id)
        .outerjoin(recorded, recorded.c.handoff_id == Handoff.id)
        .where(
            Handoff.state == HandoffState.CLOSED,
            Handoff.outcome.in_(KNOWN),
            Handoff.closed_at >= flt.period.start,
            Handoff.closed_at < flt.period.end,
            *flt.lead_conditions(),
        )
    ).all()
    # Hand-offs from before the score was written down fall back to the lead's score now.
    return [(float(at if at is not None else now), outcome == "won") for outcome, at, now in rows]


BAND_NAMES = {"cold": "Cold", "warm": "Warm", "sales_ready": "Sales-ready"}


def _whole(value: float) -> float | int:
    """70.0 → 70 (a threshold reads as a whole number when it is one)."""
    return int(value) if float(value).is_integer() else value


def suggested_threshold(buckets: list[tuple[int, int, int]], overall: float | None) -> int | None:
    """The lowest bucket start from which every populated higher bucket wins at least as often
    as ``overall``; ``buckets`` are (low, outcomes, wins). None when no bucket qualifies."""
    if overall is None:
        return None
    populated = [(low, n, w) for low, n, w in buckets if n >= MIN_OUTCOMES]
    suggestion = None
    for low, _n, _w in reversed(populated):
        above = [(n, w) for b_low, n, w in populated if b_low >= low]
        if all(w / n >= overall for n, w in above):
            suggestion = low
        else:
            break
    return suggestion


def calibration_report(session: Session, flt: ReportFilter, now: datetime) -> Report:
    """Win rates per band and per 10-point bucket at hand-off, and a suggested threshold."""
    config = load_config(session)
    outcomes = _scores_at_handoff(session, flt)
    wins = sum(1 for _s, won in outcomes if won)
    overall = rate(wins, len(outcomes))
    bucket_rows: list[list[Any]] = []
    counts: list[tuple[int, int, int]] = []
    for low, high in BUCKETS:
        inside = [
            won for score, won in outcomes if low <= score < high or (high == 100 and score == 100)
        ]
        counts.append((low, len(inside), sum(inside)))
        bucket_rows.append(
            [
                f"{low}–{high - 1 if high < 100 else 100}",
                len(inside),
                sum(inside),
                rate(sum(inside), len(inside)),
            ]
        )
    band_rows = []
    for band in ScoreBand:
        inside = [won for score, won in outcomes if config.band(score) == band]
        band_rows.append(
            [BAND_NAMES[band], len(inside), sum(inside), rate(sum(inside), len(inside))]
        )
    suggestion = suggested_threshold(counts, overall)
    moved = None
    if suggestion is not None and suggestion != config.sales_ready_threshold:
        floor, ceiling = sorted((float(suggestion), float(config.sales_ready_threshold)))
        moved = session.scalar(
            select(func.count(Lead.id)).where(
                Lead.score >= max(floor, config.warm_threshold), Lead.score < ceiling
            )
        )
    figures = [
        Figure(
            "outcomes",
            "Hand-offs with a known outcome",
            len(outcomes),
            None,
            "count",
            "hand-offs closed in the period: won, lost or handed back",
        ),
        Figure("win_rate", "Win rate", overall, None, "rate", "won ÷ known outcomes"),
        Figure(
            "threshold",
            "Sales-ready threshold now",
            _whole(config.sales_ready_threshold),
            None,
            "count",
            "the score from which a lead is in the sales-ready band",
        ),
        Figure("suggested", "Suggested threshold", suggestion, None, "count", SUGGESTION_RULE),
        Figure(
            "would_move",
            "Leads that would change band",
            moved,
            None,
            "count",
            "leads whose stored score lies between the two thresholds",
        ),
    ]
    return Report(
        "calibration",
        "Score calibration",
        flt.period,
        figures,
        [
            Table("By band at hand-off", ["Band", "Outcomes", "Won", "Win rate"], band_rows),
            Table("By score at hand-off", ["Score", "Outcomes", "Won", "Win rate"], bucket_rows),
        ],
        [
            Series(
                "Win rate by score at hand-off",
                "bar",
                [r[0] for r in bucket_rows],
                {"Win rate": [float(r[3] or 0.0) for r in bucket_rows]},
            )
        ],
        notes=[SUGGESTION_RULE]
        if suggestion is not None
        else ["Not enough known outcomes yet to suggest a threshold."],
        empty=not outcomes,
    )
