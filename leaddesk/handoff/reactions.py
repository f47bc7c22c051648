"""Hand-off's part in the event door: a crossing, a hand-raise or a warm reply hands a lead off.

Registered in :mod:`leaddesk.activities.reactions` after scoring, so a crossing that an event
causes comes back here as its own ``became_sales_ready`` event, naming the event that caused it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from leaddesk.activities.kinds import ActivityKind, label
from leaddesk.activities.reactions import Reaction, ReactionRegistry
from leaddesk.db.models import (
    Activity,
    Handoff,
    HandoffState,
    HandoffTrigger,
    Lead,
    ScoreBand,
    TeamMember,
)
from leaddesk.handoff.config import load_settings
from leaddesk.handoff.service import (
    WITH_SALES,
    close_handoff,
    hand_off,
    open_handoff,
    reassign,
)
from leaddesk.handoff.team import SALES_ROLES
from leaddesk.scoring.display import display_score
from leaddesk.scoring.store import compiled_config

#: A hand-raise older than this (an old list imported late) does not start a hand-off by itself.
HAND_RAISE_MAX_AGE = timedelta(days=30)
WARM_BANDS = (ScoreBand.WARM, ScoreBand.SALES_READY)


def threshold_reason(session: Session, lead: Lead, activity: Activity) -> str:
    """Why a crossing hands the lead off, in words."""
    threshold = compiled_config(session).config.sales_ready_threshold
    score = float((activity.payload or {}).get("score", lead.score))
    cause = (activity.payload or {}).get("cause_kind")
    after = f" after: {label(str(cause))}" if cause else ""
    return f"Score {display_score(score)} crossed the sales-ready threshold ({threshold:g}){after}"


def keep_in_step(session: Session, lead: Lead, now: datetime) -> None:
    """After someone changed a lead's status or owner by hand, let its open hand-off follow.

    A status outside sales (customer, nurturing, disqualified…) closes it; a new owner in
    sales takes it over (with a fresh deadline, as any reassignment).
    """
    handoff = open_handoff(session, lead.id)
    if handoff is None:
        return
    if lead.status not in WITH_SALES:
        shown = lead.status.replace("_", " ")
        close_handoff(session, lead, handoff, outcome="status_changed",
                      reason=f"status set to {shown} by hand", now=now)  # fmt: skip
        return
    if lead.owner_id is not None and lead.owner_id != handoff.owner_id:
        member = session.get(TeamMember, lead.owner_id)
        if member is not None and member.active and member.role in SALES_ROLES:
            reassign(session, lead, to=member, by=None, now=now, reason="owner changed by hand")


def on_activity(session: Session, lead: Lead, activity: Activity, now: datetime) -> None:
    """Hand the lead off when ``activity`` is a trigger the team's settings name."""
    kind = activity.kind
    if kind in (ActivityKind.STATUS_CHANGED, ActivityKind.OWNER_CHANGED):
        keep_in_step(session, lead, now)
        return
    settings = load_settings(session)  # cached for the session: cheap for every event
    if kind == ActivityKind.BECAME_SALES_READY:
        if settings.on_threshold:
            cause = (activity.payload or {}).get("cause_id")
            hand_off(
                session,
                lead,
                trigger=HandoffTrigger.THRESHOLD,
                now=now,
                reason=threshold_reason(session, lead, activity),
                activity_id=int(cause) if cause else activity.id,
            )
    elif kind in settings.hand_raise_kinds:
        if activity.occurred_at >= now - HAND_RAISE_MAX_AGE:
            hand_off(
                session,
                lead,
                trigger=HandoffTrigger.HAND_RAISE,
                now=now,
                reason=f"Hand-raise: {label(kind).lower()}",
                activity_id=activity.id,
            )
    elif (
        kind == ActivityKind.REPLIED
        and settings.reply_from_warm
        and lead.score_band in WARM_BANDS
        and activity.occurred_at >= now - HAND_RAISE_MAX_AGE
    ):
        hand_off(
            session,
            lead,
            trigger=HandoffTrigger.REPLY,
            now=now,
            reason=f"Replied while {lead.score_band.replace('_', '-')} "
            f"(score {display_score(lead.score)})",
            activity_id=activity.id,
        )


def on_bulk_change(
    session: Session,
    lead_ids: list[int],
    now: datetime,
    kinds: Collection[str] | None,
    _scored: Mapping[int, Any] | None,
) -> None:
    """After an import: hand-raises (and warm replies) it recorded hand their leads off.

    Crossings an import causes come through :func:`on_activity` one by one; hand-raise
    activities are appended in bulk, so they are found here by the moment they were recorded.
    """
    if kinds is None or {ActivityKind.STATUS_CHANGED, ActivityKind.OWNER_CHANGED} & set(kinds):
        _bulk_keep_in_step(session, set(lead_ids), now)
    settings = load_settings(session)
    wanted = set(settings.hand_raise_kinds)
    if settings.reply_from_warm:
        wanted.add(ActivityKind.REPLIED)
    if kinds is not None:
        wanted &= set(kinds)
    if not wanted or not lead_ids:
        return
    candidates = set(lead_ids)
    rows = session.execute(
        select(Activity.lead_id, Activity.id)
        .where(
            Activity.kind.in_(sorted(wanted)),
            Activity.recorded_at >= now,
            Activity.occurred_at >= now - HAND_RAISE_MAX_AGE,
        )
        .order_by(Activity.id)
    )
    seen: set[int] = set()
    for lead_id, activity_id in rows:
        if lead_id in candidates and lead_id not in seen:
            seen.add(lead_id)
            lead = session.get_one(Lead, lead_id)
            on_activity(session, lead, session.get_one(Activity, activity_id), now)


def _bulk_keep_in_step(session: Session, lead_ids: set[int], now: datetime) -> None:
    """:func:`keep_in_step` for the leads of a bulk change whose open hand-off disagrees."""
    rows = session.execute(
        select(Lead.id)
        .join(Handoff, Handoff.lead_id == Lead.id)
        .where(
            Handoff.state != HandoffState.CLOSED,
            or_(
                Lead.status.not_in(list(WITH_SALES)),
                and_(
                    Lead.owner_id.is_not(None), Lead.owner_id != func.coalesce(Handoff.owner_id, 0)
                ),
            ),
        )
    )
    for (lead_id,) in rows:
        if lead_id in lead_ids:
            keep_in_step(session, session.get_one(Lead, lead_id), now)


_REACTS_TO = frozenset(
    {
        ActivityKind.STATUS_CHANGED,
        ActivityKind.OWNER_CHANGED,
        ActivityKind.BECAME_SALES_READY,
        ActivityKind.REPLIED,
    }
)


def reacts_to(session: Session, kind: str) -> bool:
    """The kinds :func:`on_activity` acts on: status and owner changes, the sales-ready
    crossing, a reply, and the hand-raise kinds the team's settings name."""
    return kind in _REACTS_TO or kind in load_settings(session).hand_raise_kinds


def register_reactions(registry: ReactionRegistry) -> None:
    """Hand-off reacts to band crossings, hand-raise activities and warm replies."""
    registry.register(
        Reaction(
            "handoff", on_activity=on_activity, on_bulk_change=on_bulk_change, reacts_to=reacts_to
        )
    )
