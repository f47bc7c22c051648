"""The lead brief: what a rep needs to make the call, as plain data.

One function, :func:`build_brief`, feeds the lead panel's Brief tab, the alert email and the
printable export (:mod:`leaddesk.handoff.brief_render` turns it into HTML or text). It only
reads: the score reasons are computed the way the Score tab computes them, without storing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.activities.kinds import ActivityKind, label
from leaddesk.db.models import (
    Activity,
    Deal,
    Handoff,
    Lead,
    Sequence,
    SequenceStep,
    SequenceVersion,
    TeamMember,
)
from leaddesk.handoff.schedule import ScheduleError, parse_zone
from leaddesk.scoring.compute import BreakdownItem, evaluate
from leaddesk.scoring.facts import Needs, lead_activities, lead_fields
from leaddesk.scoring.store import compiled_config

K = ActivityKind
CONSUMED_KINDS = (
    K.WHITEPAPER_DOWNLOAD,
    K.CASE_STUDY_DOWNLOAD,
    K.WEBINAR_REGISTERED,
    K.WEBINAR_ATTENDED,
    K.CONSULTATION_REQUESTED,
    K.DEMO_REQUESTED,
    K.WEBSITE_VISIT,
    K.CLICKED_LINK,
    K.VISITED_PAGE,
    K.MEETING,
    K.CALL,
    K.NOTE,
    K.FOLLOW_UP_ATTEMPT,
)
TOUCH_KINDS = (K.EMAIL_SENT, K.CALL, K.MEETING, K.FOLLOW_UP_ATTEMPT)
OPENER_RULE = (
    "Suggested from the most recent thing they did: a request, a webinar, a download, a page "
    "visit or a reply — a plain rule, not a prediction."
)
MAX_ACTIVITIES = 2000
TOP_REASONS = 5


@dataclass(frozen=True)
class BriefLine:
    """One dated line of the brief (an activity, a reply)."""

    when: datetime | None
    label: str
    detail: str = ""


@dataclass(frozen=True)
class BriefEmail:
    """One email LeadDesk sent the lead, with its step and what came of it."""

    sent_at: datetime | None
    subject: str
    step: str
    outcome: str


@dataclass(frozen=True)
class PastHandoff:
    """An earlier (or the current) hand-off and how it went."""

    handed_off_at: datetime
    owner: str
    state: str
    sla: str
    outcome: str


@dataclass(frozen=True)
class LeadBrief:
    """Everything the brief shows, as plain values."""

    lead_id: int
    name: str
    email: str
    phone: str
    company: str
    title: str
    industry: str
    company_size: str
    country: str
    city: str
    timezone: str
    local_time: str
    time_note: str
    status: str
    owner: str
    score: float
    band: str
    fit: float
    engagement: float
    sales_ready_threshold: float
    reasons: list[tuple[str, float]]
    qualified_why: str
    tipping: str
    source: str
    first_touch: datetime | None
    days_in_nurture: int | None
    touches: int
    consumed: list[BriefLine]
    emails: list[BriefEmail]
    replies: list[BriefLine]
    handoffs: list[PastHandoff]
    due_at: datetime | None
    opener: str
    opener_rule: str
    generated_at: datetime
    deals: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def _detail(kind: str, payload: dict[str, Any]) -> str:
    if kind in (K.WHITEPAPER_DOWNLOAD, K.CASE_STUDY_DOWNLOAD):
        return str(payload.get("asset") or payload.get("title") or "")
    if kind in (K.WEBINAR_ATTENDED, K.WEBINAR_REGISTERED):
        name = str(payload.get("webinar") or payload.get("title") or payload.get("source") or "")
        minutes = payload.get("minutes")
        if kind == K.WEBINAR_ATTENDED and minutes:
            return f"{name} ({float(minutes):g} min)".strip()
        return name
    if kind == K.WEBSITE_VISIT:
        return str(payload.get("page") or payload.get("url") or "")
    if kind == K.CLICKED_LINK:
        step = f" in {payload['step']}" if payload.get("step") else ""
        return f"{payload.get('url') or payload.get('path') or ''}{step}"
    if kind == K.VISITED_PAGE:
        return str(payload.get("url") or payload.get("path") or "")
    if kind == K.FOLLOW_UP_ATTEMPT:
        outcome = str(payload.get("outcome", "")).replace("_", " ")
        return f"{payload.get('channel', '')}: {outcome}" + (
            f" — {payload['note']}" if payload.get("note") else ""
        )
    return str(payload.get("note") or payload.get("text") or payload.get("outcome") or "")


def _time_note(zone_name: str, viewer_zone: str | None, now: datetime) -> tuple[str, str]:
    """The lead's local time now, and how far that is from the viewer's clock."""
    try:
        zone = parse_zone(zone_name) if zone_name else None
    except ScheduleError:
        zone = None
    if zone is None:
        return "", "time zone unknown"
    local = now.astimezone(zone)
    text = local.strftime("%a %H:%M")
    if not viewer_zone:
        return text, ""
    try:
        mine = now.astimezone(parse_zone(viewer_zone))
    except ScheduleError:
        return text, ""
    offset = local.utcoffset()
    own = mine.utcoffset()
    if offset is None or own is None:
        return text, ""
    hours = (offset - own).total_seconds() / 3600
    if abs(hours) < 0.01:
        return text, "same time as you"
    direction = "ahead of" if hours > 0 else "behind"
    return text, f"{abs(hours):g} h {direction} you"


def _opener(activities: list[Activity], lead: Lead) -> str:
    for activity in activities:  # newest first
        payload = activity.payload or {}
        day = activity.occurred_at.strftime("%d %b")
        kind = activity.kind
        if kind in (K.CONSULTATION_REQUESTED, K.DEMO_REQUESTED):
            what = "a consultation" if kind == K.CONSULTATION_REQUESTED else "a demo"
            return f"They asked for {what} on {day}: open by offering two times that suit them."
        if kind == K.WEBINAR_ATTENDED:
            name = _detail(kind, payload) or "the webinar"
            return f"Ask what they took away from {name}, which they attended on {day}."
        if kind in (K.WHITEPAPER_DOWNLOAD, K.CASE_STUDY_DOWNLOAD):
            asset = _detail(kind, payload)
            if asset:
                return f"Ask what prompted them to read “{asset}” ({day})."
            what = "whitepaper" if kind == K.WHITEPAPER_DOWNLOAD else "case study"
            return f"Ask what prompted them to download your {what} ({day})."
        if kind in (K.WEBSITE_VISIT, K.VISITED_PAGE, K.CLICKED_LINK):
            page = _detail(kind, payload)
            if "pric" in page.lower():
                return f"They looked at pricing on {day}: ask what they are comparing."
        if kind == K.REPLIED:
            snippet = str(payload.get("snippet") or "")[:120]
            return f"Pick up their reply of {day}" + (f": “{snippet}”" if snippet else ".")
    if lead.source:
        return f"Open with where you met: {lead.source}."
    return "Introduce yourself and ask what they are working on this quarter."


def _reasons(session: Session, lead: Lead, now: datetime) -> list[tuple[str, float]]:
    compiled = compiled_config(session)
    items: list[BreakdownItem] = []
    activities = lead_activities(session, Needs.of(compiled), lead.id, now)
    evaluate(compiled, lead_fields(lead), activities, items)
    counted = [i for i in items if i.counted and abs(i.points_now) >= 0.05]
    counted.sort(key=lambda i: -i.points_now)
    return [(f"{i.rule}: {i.reason}" if i.reason else i.rule, i.points_now) for i in counted][
        :TOP_REASONS
    ]


def _emails(session: Session, activities: list[Activity]) -> list[BriefEmail]:
    sent = [a for a in activities if a.kind == K.EMAIL_SENT]
    step_ids = {a.payload.get("step_id") for a in sent if a.payload.get("step_id")}
    steps = step_names(session, step_ids)
    results: dict[Any, str] = {}
    for activity in activities:
        outbound = (activity.payload or {}).get("outbound_id")
        if outbound is None:
            continue
        if activity.kind == K.REPLIED:
            results[outbound] = "replied"
        elif activity.kind == K.BOUNCED:
            results.setdefault(outbound, "bounced")
        elif activity.kind == K.AUTO_REPLY:
            results.setdefault(outbound, "auto-reply")
        elif activity.kind == K.UNSUBSCRIBED:
            results.setdefault(outbound, "unsubscribed")
    emails = []
    for activity in reversed(sent):  # oldest first
        payload = activity.payload or {}
        emails.append(
            BriefEmail(
                activity.occurred_at,
                str(payload.get("subject") or ""),
                steps.get(payload.get("step_id"), ""),
                results.get(payload.get("outbound_id"), "no reply"),
            )
        )
    return emails


def step_names(session: Session, step_ids: set[Any]) -> dict[Any, str]:
    """Each step's name as people read it: "<sequence>, step <n>"."""
    if not step_ids:
        return {}
    rows = session.execute(
        select(SequenceStep.id, SequenceStep.position, Sequence.name)
        .join(SequenceVersion, SequenceVersion.id == SequenceStep.version_id)
        .join(Sequence, Sequence.id == SequenceVersion.sequence_id)
        .where(SequenceStep.id.in_(step_ids))
    )
    return {step_id: f"{name}, step {position + 1}" for step_id, position, name in rows}


def _handoffs(session: Session, lead_id: int) -> tuple[list[PastHandoff], Handoff | None]:
    rows = list(
        session.scalars(
            select(Handoff).where(Handoff.lead_id == lead_id).order_by(Handoff.handed_off_at)
        )
    )
    names = dict(session.execute(select(TeamMember.id, TeamMember.name)).all())
    past = [
        PastHandoff(
            h.handed_off_at,
            names.get(h.owner_id, "nobody") if h.owner_id else "nobody",
            h.state,
            h.sla_state,
            h.outcome_reason or h.outcome or ("open" if h.state != "closed" else ""),
        )
        for h in rows
    ]
    current = next((h for h in reversed(rows) if h.state != "closed"), None)
    return past, current


def _tipping(session: Session, handoff: Handoff | None, activities: list[Activity]) -> str:
    tipping: Activity | None = None
    if handoff is not None and handoff.trigger_activity_id:
        tipping = session.get(Activity, handoff.trigger_activity_id)
    if tipping is None:
        crossing = next((a for a in activities if a.kind == K.BECAME_SALES_READY), None)
        cause = (crossing.payload or {}).get("cause_id") if crossing else None
        tipping = session.get(Activity, cause) if cause else None
    if tipping is None:
        return ""
    detail = _detail(tipping.kind, tipping.payload or {})
    when = tipping.occurred_at.strftime("%d %b %Y")
    return f"{label(tipping.kind)}{f' — {detail}' if detail else ''} ({when})"


def _deals(session: Session, lead_id: int) -> list[str]:
    """The lead's deals in words, newest first: "Open: EUR 12,500, close 30 Apr 2026"."""
    from leaddesk.outcomes.money import format_amount  # outcomes build on the hand-off

    lines = []
    for deal in session.scalars(
        select(Deal).where(Deal.lead_id == lead_id).order_by(Deal.opened_at.desc(), Deal.id.desc())
    ):
        amount = format_amount(deal.amount_cents, deal.currency)
        if deal.state == "won":
            lines.append(
                f"Won: {amount} on {deal.won_on:%d %b %Y}" if deal.won_on else f"Won: {amount}"
            )
        elif deal.state == "lost":
            lines.append(f"Lost ({deal.lost_reason or 'no reason'}): {amount}")
        else:
            close = f", close {deal.expected_close:%d %b %Y}" if deal.expected_close else ""
            lines.append(f"Open: {amount}{close}")
    return lines


def build_brief(
    session: Session, lead_id: int, now: datetime, *, viewer_zone: str | None = None
) -> LeadBrief:
    """The brief of one lead as of ``now`` (``viewer_zone``: the reader's time zone)."""
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise LookupError(f"lead {lead_id} does not exist")
    activities = list(
        session.scalars(
            select(Activity)
            .where(Activity.lead_id == lead_id)
            .order_by(Activity.occurred_at.desc(), Activity.id.desc())
            .limit(MAX_ACTIVITIES)
        )
    )
    past, current = _handoffs(session, lead_id)
    owner = session.get(TeamMember, lead.owner_id) if lead.owner_id else None
    local, note = _time_note(lead.timezone, viewer_zone, now)
    enrolled = [a.occurred_at for a in activities if a.kind == K.ENROLLED]
    nurture_end = current.handed_off_at if current is not None else now
    first_touch = min([a.occurred_at for a in activities], default=None) or lead.created_at
    compiled = compiled_config(session)
    return LeadBrief(
        lead_id=lead.id,
        name=lead.full_name,
        email=lead.email,
        phone=lead.phone,
        company=lead.company,
        title=lead.title,
        industry=lead.industry,
        company_size=lead.company_size,
        country=lead.country,
        city=lead.city,
        timezone=lead.timezone,
        local_time=local,
        time_note=note,
        status=lead.status,
        owner=owner.name if owner else "nobody",
        score=lead.score,
        band=lead.score_band,
        fit=lead.fit_score,
        engagement=lead.engagement_score,
        sales_ready_threshold=compiled.config.sales_ready_threshold,
        reasons=_reasons(session, lead, now),
        qualified_why=current.reason if current is not None else "",
        tipping=_tipping(session, current, activities),
        source=lead.source,
        first_touch=first_touch,
        days_in_nurture=(nurture_end - min(enrolled)).days if enrolled else None,
        touches=sum(1 for a in activities if a.kind in TOUCH_KINDS),
        consumed=[
            BriefLine(a.occurred_at, label(a.kind), _detail(a.kind, a.payload or {}))
            for a in activities
            if a.kind in CONSUMED_KINDS
        ],
        emails=_emails(session, activities),
        replies=[
            BriefLine(a.occurred_at, "Reply", str((a.payload or {}).get("snippet") or ""))
            for a in activities
            if a.kind == K.REPLIED
        ],
        handoffs=past,
        due_at=current.due_at if current is not None else None,
        opener=_opener(activities, lead),
        opener_rule=OPENER_RULE,
        generated_at=now,
        deals=_deals(session, lead_id),
    )
