"""Sales follow-up: did the reps follow up within the deadline, and how fast, per rep.

Counts the hand-offs made in the period. A hand-off is "met" when its first attempt came before
its deadline, "breached" when it did not; ones still waiting for an attempt before their
deadline are neither yet.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.activities.kinds import ActivityKind as K
from leaddesk.db.models import Activity, Handoff, Lead, TeamMember
from leaddesk.reports.model import Figure, Report, ReportFilter, Series, Table, percentile, rate

CONNECTED = ("connected", "meeting_booked")


def _handoffs(session: Session, flt: ReportFilter) -> list[Any]:
    conditions = [
        Handoff.handed_off_at >= flt.period.start,
        Handoff.handed_off_at < flt.period.end,
    ]
    if flt.owner_id is not None:  # the rep who has the hand-off, not the lead's owner field
        conditions.append(Handoff.owner_id == flt.owner_id)
    conditions += flt.lead_conditions(owner=False)
    return list(
        session.execute(
            select(
                Handoff.id,
                Handoff.owner_id,
                Handoff.sla_state,
                Handoff.handed_off_at,
                Handoff.first_attempt_at,
            )
            .join(Lead, Lead.id == Handoff.lead_id)
            .where(*conditions)
        ).all()
    )


def _per_handoff_events(session: Session, ids: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    """(reassignments, attempts until the first connect) per hand-off id."""
    reassigned: dict[int, int] = defaultdict(int)
    until: dict[int, int] = {}
    if not ids:
        return reassigned, until
    handoff = Activity.payload["handoff_id"].as_integer()
    outcome = Activity.payload["outcome"].as_string()
    attempts: dict[int, int] = defaultdict(int)
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        rows = session.execute(
            select(handoff, Activity.kind, outcome)
            .where(Activity.kind.in_([K.REASSIGNED, K.FOLLOW_UP_ATTEMPT]), handoff.in_(chunk))
            .order_by(Activity.occurred_at, Activity.id)
        )
        for handoff_id, kind, result in rows:
            if kind == K.REASSIGNED:
                reassigned[handoff_id] += 1
            elif handoff_id not in until:
                attempts[handoff_id] += 1
                if result in CONNECTED:
                    until[handoff_id] = attempts[handoff_id]
    return reassigned, until


def _summary(rows: list[Any], reassigned: dict[int, int], until: dict[int, int]) -> dict[str, Any]:
    met = sum(1 for r in rows if r.sla_state == "met")
    breached = sum(1 for r in rows if r.sla_state == "breached")
    minutes = [
        (r.first_attempt_at - r.handed_off_at).total_seconds() / 60
        for r in rows
        if r.first_attempt_at is not None
    ]
    connects = [until[r.id] for r in rows if r.id in until]
    return {
        "handoffs": len(rows),
        "met": met,
        "breached": breached,
        "met_rate": rate(met, met + breached),
        "median_minutes": percentile(minutes, 0.5),
        "reassignments": sum(reassigned.get(r.id, 0) for r in rows),
        "attempts_to_connect": (sum(connects) / len(connects)) if connects else None,
    }


def sla_report(session: Session, flt: ReportFilter, now: datetime) -> Report:
    """Hand-offs, the share followed up in time, time to the first attempt — overall, per rep."""
    rows = _handoffs(session, flt)
    before_rows = _handoffs(session, flt.for_period(flt.period.previous()))
    reassigned, until = _per_handoff_events(session, [r.id for r in rows + before_rows])
    now_sum, before_sum = (
        _summary(rows, reassigned, until),
        _summary(before_rows, reassigned, until),
    )
    figures = [
        Figure(
            "handoffs",
            "Hand-offs",
            now_sum["handoffs"],
            before_sum["handoffs"],
            "count",
            "leads handed to a rep in the period",
        ),
        Figure(
            "met_rate",
            "Followed up in time",
            now_sum["met_rate"],
            before_sum["met_rate"],
            "rate",
            "first attempt before the deadline ÷ hand-offs whose deadline has been "
            "decided (kept or missed)",
        ),
        Figure(
            "median_minutes",
            "Median time to first attempt",
            now_sum["median_minutes"],
            before_sum["median_minutes"],
            "minutes",
            "from the hand-off to the first follow-up attempt, for hand-offs that had one",
        ),
        Figure(
            "breached",
            "Deadlines missed",
            now_sum["breached"],
            before_sum["breached"],
            "count",
            "hand-offs whose first attempt came after the deadline, or never",
        ),
        Figure(
            "reassignments",
            "Reassignments",
            now_sum["reassignments"],
            before_sum["reassignments"],
            "count",
            "times a hand-off moved to another rep",
        ),
        Figure(
            "attempts_to_connect",
            "Attempts until connect",
            now_sum["attempts_to_connect"],
            before_sum["attempts_to_connect"],
            "count",
            "average attempts up to the first "
            "that reached the person (connected or meeting booked)",
        ),
    ]
    names = dict(session.execute(select(TeamMember.id, TeamMember.name)).all())
    per_rep: dict[Any, list[Any]] = defaultdict(list)
    for row in rows:
        per_rep[row.owner_id].append(row)
    rep_rows = []
    for owner_id, owned in sorted(per_rep.items(), key=lambda i: names.get(i[0], "~")):
        s = _summary(owned, reassigned, until)
        rep_rows.append(
            [
                names.get(owner_id, "nobody"),
                s["handoffs"],
                s["met"],
                s["breached"],
                s["met_rate"],
                s["median_minutes"],
                s["reassignments"],
                s["attempts_to_connect"],
            ]
        )
    return Report(
        "sla",
        "Sales follow-up",
        flt.period,
        figures,
        [
            Table(
                "Per rep",
                [
                    "Rep",
                    "Hand-offs",
                    "In time",
                    "Missed",
                    "In time (share)",
                    "Median minutes to first attempt",
                    "Reassignments",
                    "Attempts until connect",
                ],
                rep_rows,
                {"Rep": "the rep who has the hand-off now"},
            )
        ],
        [
            Series(
                "Followed up in time, per rep",
                "bar",
                [r[0] for r in rep_rows],
                {
                    "In time": [float(r[2]) for r in rep_rows],
                    "Missed": [float(r[3]) for r in rep_rows],
                },
            )
        ],
        empty=not rows,
    )
