"""Visits' part in the event door: a handed-off lead back on the website alerts its owner.

At most one such alert per lead per day (the alert key names the day), only for visits of the
last day (an old log imported late is history, not news), and only when the hand-off existed
before the visit (a click that itself hands the lead off is told by the hand-off alert).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.activities.kinds import ActivityKind
from leaddesk.activities.reactions import Reaction, ReactionRegistry
from leaddesk.db.models import Activity, Handoff, HandoffState, Lead, TeamMember
from leaddesk.handoff.alerts import queue_alert
from leaddesk.handoff.service import open_handoff

VISIT_KINDS = (ActivityKind.CLICKED_LINK, ActivityKind.VISITED_PAGE)
#: Visits older than this when they are imported raise no alert.
ALERT_MAX_AGE = timedelta(days=1)
CHUNK = 500


def alert_key(lead_id: int, moment: datetime) -> str:
    """The key of the "back on your site" alert for ``lead_id`` on ``moment``'s (UTC) day."""
    return f"visit:{lead_id}:{moment.date().isoformat()}"


def _alert(session: Session, lead: Lead, handoff: Handoff, visit: Activity, now: datetime) -> None:
    if (
        handoff.owner_id is None
        or handoff.handed_off_at >= visit.occurred_at
        or now - visit.occurred_at > ALERT_MAX_AGE
    ):
        return
    owner = session.get(TeamMember, handoff.owner_id)
    if owner is None or not owner.active:
        return
    what = (visit.payload or {}).get("url") or (visit.payload or {}).get("path") or "a page"
    did = (
        "clicked a link in one of your emails"
        if visit.kind == ActivityKind.CLICKED_LINK
        else "came back to your website"
    )
    queue_alert(
        session,
        key=alert_key(lead.id, visit.occurred_at),
        member=owner,
        lead=lead,
        subject=f"{lead.full_name} is back on your website",
        intro=f"{lead.full_name} {did} ({what}). They are yours since the hand-off: a good "
        "moment to follow up.",
        now=now,
    )


def on_activity(session: Session, lead: Lead, activity: Activity, now: datetime) -> None:
    """Queue the owner's alert when a handed-off lead clicks or views a page."""
    if activity.kind not in VISIT_KINDS or now - activity.occurred_at > ALERT_MAX_AGE:
        return
    handoff = open_handoff(session, lead.id)
    if handoff is not None:
        _alert(session, lead, handoff, activity, now)


def on_bulk_change(
    session: Session,
    lead_ids: list[int],
    now: datetime,
    kinds: Collection[str] | None,
    scores: Mapping[int, Any] | None,
) -> None:
    """After a web-log import: the latest recent visit of each handed-off lead alerts its owner."""
    if kinds is None or not set(kinds) & set(VISIT_KINDS):
        return
    for start in range(0, len(lead_ids), CHUNK):
        handoffs = session.scalars(
            select(Handoff).where(
                Handoff.lead_id.in_(lead_ids[start : start + CHUNK]),
                Handoff.state != HandoffState.CLOSED,
                Handoff.owner_id.is_not(None),
            )
        )
        for handoff in list(handoffs):
            visit = session.scalar(
                select(Activity)
                .where(
                    Activity.lead_id == handoff.lead_id,
                    Activity.kind.in_(VISIT_KINDS),
                    Activity.occurred_at > handoff.handed_off_at,
                    Activity.occurred_at >= now - ALERT_MAX_AGE,
                )
                .order_by(Activity.occurred_at.desc(), Activity.id.desc())
                .limit(1)
            )
            if visit is not None:
                _alert(session, session.get_one(Lead, handoff.lead_id), handoff, visit, now)


def register_reactions(registry: ReactionRegistry) -> None:
    """Register the visit alert (after hand-off; see :mod:`leaddesk.activities.reactions`)."""
    registry.register(
        Reaction(
            "visits",
            on_activity=on_activity,
            on_bulk_change=on_bulk_change,
            reacts_to=lambda _session, kind: kind in VISIT_KINDS,
        )
    )
