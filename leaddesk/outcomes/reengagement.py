"""Re-engagement ("waking the dead"): leads nobody touched for 90 days get one more sequence.

Three kinds of lead are named by the rule: leads owned by sales with nothing happening for the
inactive period, lost leads that long after the loss, and nurture leads with no activity that
long. Never customers or disqualified leads, bounced, unsubscribed or suppressed addresses,
leads in a live sequence or waiting for a recycle plan, leads re-engaged in the last 180 days,
or leads marked unresponsive in the last year. The dry run and the real run choose with the same
function, so their counts agree. A lead that does not engage by the end of the sequence is
marked "unresponsive".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from leaddesk.activities import ActivityEvent, ActivityKind, record_activities
from leaddesk.db.models import (
    Activity,
    EmailState,
    Enrollment,
    EnrollmentState,
    Lead,
    LifecycleStatus,
    OutboundMessage,
    OutboxState,
    PlanState,
    RecyclePlan,
    Sequence,
    SequenceStatus,
)
from leaddesk.leads.suppression import suppressed_among
from leaddesk.outcomes.config import ReengagementSettings, load_reengagement
from leaddesk.settings import get_setting, set_setting

ORIGIN = "reengagement"
LAST_RUN_KEY = "reengagement_last_run_at"
RUN_EVERY = timedelta(hours=1)
# After the last email of the sequence, a lead has this long to answer before "unresponsive".
GRACE = timedelta(days=7)
NEVER = (LifecycleStatus.CUSTOMER, LifecycleStatus.DISQUALIFIED)
#: What a lead does that counts as engaging again (our own emails do not).
ENGAGEMENT_KINDS = (
    ActivityKind.REPLIED,
    ActivityKind.WHITEPAPER_DOWNLOAD,
    ActivityKind.CASE_STUDY_DOWNLOAD,
    ActivityKind.WEBINAR_REGISTERED,
    ActivityKind.WEBINAR_ATTENDED,
    ActivityKind.CONSULTATION_REQUESTED,
    ActivityKind.DEMO_REQUESTED,
    ActivityKind.WEBSITE_VISIT,
    ActivityKind.CLICKED_LINK,
    ActivityKind.VISITED_PAGE,
    ActivityKind.MEETING,
)
CHUNK = 900
# Enrolments per pass: switching the rule on may name tens of thousands of leads; taking them
# a few thousand an hour keeps each write short (and the sending gentle).
MAX_PER_PASS = 2000


@dataclass
class ReengagementReport:
    """What one pass found (and, unless a dry run, did)."""

    dry_run: bool
    eligible: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    enrolled: int = 0
    refused: int = 0
    unresponsive: int = 0
    sequence: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return asdict(self)


def _candidate_query(now: datetime, settings: ReengagementSettings) -> Any:
    cutoff = now - timedelta(days=settings.inactive_days)
    lost = aliased(Activity)
    lost_at = (
        select(func.max(lost.occurred_at))
        .where(lost.lead_id == Lead.id, lost.kind == ActivityKind.DEAL_LOST)
        .correlate(Lead)
        .scalar_subquery()
    )
    quiet_since = func.coalesce(Lead.last_activity_at, Lead.created_at)
    kind = (
        select(Lead.id, Lead.email, Lead.status)
        .where(
            Lead.status.not_in(list(NEVER)),
            Lead.email_state == EmailState.OK,
            or_(
                Lead.reengaged_at.is_(None),
                Lead.reengaged_at < now - timedelta(days=settings.every_days),
            ),
            or_(Lead.unresponsive_until.is_(None), Lead.unresponsive_until < now),
            ~exists().where(
                Enrollment.lead_id == Lead.id,
                Enrollment.state.in_([EnrollmentState.ACTIVE, EnrollmentState.PAUSED]),
            ),
            ~exists().where(RecyclePlan.lead_id == Lead.id, RecyclePlan.state == PlanState.PENDING),
            or_(
                and_(Lead.status != LifecycleStatus.LOST, quiet_since < cutoff),
                and_(Lead.status == LifecycleStatus.LOST, lost_at < cutoff),
            ),
        )
        .order_by(Lead.id)
    )
    return kind


def _group(status: str) -> str:
    if status == LifecycleStatus.LOST:
        return "lost"
    if status in (
        LifecycleStatus.HANDED_OFF,
        LifecycleStatus.ACCEPTED,
        LifecycleStatus.OPPORTUNITY,
        LifecycleStatus.IN_SALES,
    ):
        return "with sales"
    return "in nurture"


def eligible_leads(
    session: Session, now: datetime, settings: ReengagementSettings | None = None
) -> tuple[list[int], dict[str, int]]:
    """The ids the rule names today (suppressed addresses left out), and counts by kind."""
    settings = settings or load_reengagement(session)
    rows = session.execute(_candidate_query(now, settings)).all()
    blocked = suppressed_among(session, [row.email for row in rows])
    ids: list[int] = []
    counts: dict[str, int] = {}
    for row in rows:
        if row.email.strip().lower() in blocked:
            continue
        ids.append(row.id)
        group = _group(row.status)
        counts[group] = counts.get(group, 0) + 1
    return ids, counts


def run_reengagement(
    session: Session,
    now: datetime,
    *,
    dry_run: bool = False,
    settings: ReengagementSettings | None = None,
) -> ReengagementReport:
    """Enrol the leads the rule names (``dry_run``: only count them); mark the unresponsive.

    At most :data:`MAX_PER_PASS` are enrolled per pass; the next passes take the rest.
    """
    from leaddesk.sequences.enrollment import enroll_leads  # sequences import the door

    settings = settings or load_reengagement(session)
    report = ReengagementReport(dry_run=dry_run)
    ids, report.by_kind = eligible_leads(session, now, settings)
    report.eligible = len(ids)
    sequence = session.get(Sequence, settings.sequence_id) if settings.sequence_id else None
    report.sequence = sequence.name if sequence is not None else ""
    if dry_run or sequence is None or sequence.status != SequenceStatus.ACTIVE:
        return report
    ids = ids[:MAX_PER_PASS]  # the rest in the next passes
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        result = enroll_leads(session, sequence, chunk, now=now, origin=ORIGIN)
        report.enrolled += len(result.enrolled)
        report.refused += len(result.refused) + len(result.already)
        for lead in session.scalars(select(Lead).where(Lead.id.in_(result.enrolled))):
            lead.reengaged_at = now
        events = [
            ActivityEvent(
                lead_id,
                ActivityKind.REENGAGEMENT_STARTED,
                now,
                {"sequence": sequence.name, "inactive_days": settings.inactive_days},
                ORIGIN,
            )
            for lead_id in result.enrolled
        ]
        if events:
            record_activities(session, events, now=now, react=False)
    report.unresponsive = mark_unresponsive(session, now, settings)
    return report


def mark_unresponsive(session: Session, now: datetime, settings: ReengagementSettings) -> int:
    """Mark re-engaged leads whose sequence ended a week ago without a sign of life."""
    if settings.sequence_id is None:
        return 0
    engaged = aliased(Activity)
    pending = aliased(OutboundMessage)
    last_sent = (
        select(func.max(OutboundMessage.sent_at))
        .where(OutboundMessage.enrollment_id == Enrollment.id)
        .scalar_subquery()
    )
    rows = (
        session.execute(
            select(Lead)
            .join(Enrollment, Enrollment.lead_id == Lead.id)
            .where(
                Lead.reengaged_at.is_not(None),
                or_(Lead.unresponsive_until.is_(None), Lead.unresponsive_until < now),
                Enrollment.sequence_id == settings.sequence_id,
                Enrollment.origin == ORIGIN,
                Enrollment.enrolled_at >= Lead.reengaged_at,
                Enrollment.state == EnrollmentState.COMPLETED,
                ~exists().where(
                    pending.enrollment_id == Enrollment.id,
                    pending.state.in_(
                        [OutboxState.SCHEDULED, OutboxState.DEFERRED, OutboxState.SENDING]
                    ),
                ),
                func.coalesce(last_sent, Enrollment.enrolled_at) <= now - GRACE,
                ~exists().where(
                    engaged.lead_id == Lead.id,
                    engaged.kind.in_(list(ENGAGEMENT_KINDS)),
                    engaged.occurred_at >= Lead.reengaged_at,
                ),
            )
        )
        .scalars()
        .all()
    )
    events = []
    for lead in rows:
        lead.unresponsive_until = now + timedelta(days=settings.unresponsive_days)
        lead.status_reason = "unresponsive"
        payload = {"until": lead.unresponsive_until.isoformat()}
        events.append(
            ActivityEvent(lead.id, ActivityKind.MARKED_UNRESPONSIVE, now, payload, ORIGIN)
        )
    if events:
        record_activities(session, events, now=now, react=False)
    return len(events)


def reengagement_due(session: Session, now: datetime) -> bool:
    """True when the rule is on and an hour has passed since its last pass (or the clock went
    back)."""
    if not load_reengagement(session).enabled:
        return False
    stored = get_setting(session, LAST_RUN_KEY, None)
    last = datetime.fromisoformat(stored) if stored else None
    return last is None or now - last >= RUN_EVERY or last - now > timedelta(minutes=5)


def run_reengagement_if_due(session: Session, now: datetime) -> ReengagementReport | None:
    """The tick's step: one pass an hour while the rule is on."""
    if not reengagement_due(session, now):
        return None
    set_setting(session, LAST_RUN_KEY, now.isoformat())
    return run_reengagement(session, now)
