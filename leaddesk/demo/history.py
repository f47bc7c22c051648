"""A few weeks of sending history for the sample data, so the Outbox and Reports have a past.

Some of the earlier tradeshow's nurture leads were enrolled a week ago: their first two
emails are recorded as sent (to the ``.example`` addresses, which are never contacted), a few of
them answered, and each enrollment points at its next step exactly as the scheduler would have
left it — so nothing recorded here is ever sent again.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from leaddesk.activities import ActivityEvent, ActivityKind, record_activity
from leaddesk.db.models import (
    Enrollment,
    Lead,
    OutboundMessage,
    OutboxState,
    SequenceVersion,
    StepKind,
)
from leaddesk.mailbox.actions import exit_sequences
from leaddesk.sequences.enrollment import plan_from
from leaddesk.sequences.templates import TemplateProblem, render_subject

REPLY_CHANCE = 0.12
AUTO_REPLY_CHANCE = 0.06


def add_sending_history(
    session: Session,
    rng: random.Random,
    leads: list[Lead],
    version: SequenceVersion,
    now: datetime,
) -> int:
    """Enrol ``leads`` a week ago, record the emails already sent, a few
    replies; returns how many emails were recorded as sent."""
    steps = list(version.steps)
    sent_total = 0
    for lead in leads:
        # a week ago: two emails are behind them, the call task and the rest still ahead
        enrolled = max(lead.created_at, now - timedelta(days=7, hours=rng.randint(2, 20)))
        enrollment = Enrollment(
            lead_id=lead.id,
            sequence_id=version.sequence_id,
            version_id=version.id,
            enrolled_at=enrolled,
            origin="demo",
            next_due_at=enrolled,
        )
        session.add(enrollment)
        session.flush()
        record_activity(
            session,
            ActivityEvent(lead.id, ActivityKind.ENROLLED, occurred_at=enrolled, origin="demo",
                          payload={"enrollment_id": enrollment.id,
                                   "sequence_id": version.sequence_id}),
            now=now,
        )  # fmt: skip
        moment, position, last = enrolled, len(steps), None
        for index, step in enumerate(steps):
            if step.kind == StepKind.WAIT:
                moment += timedelta(days=step.wait_days or 0, hours=step.wait_hours or 0)
                continue
            if step.kind != StepKind.EMAIL or moment + timedelta(hours=2) >= now:
                position = index  # the scheduler takes over here, due from ``moment``
                break
            last = _sent(session, lead, enrollment, step, moment + timedelta(hours=2), now)
            sent_total += 1
        if last is None:
            plan_from(session, enrollment, lead, version, 0, enrolled, now)
            continue
        plan_from(session, enrollment, lead, version, position, moment, now)
        answer = rng.random()
        assert last.sent_at is not None
        answered = last.sent_at + timedelta(hours=rng.randint(2, 30))
        if answered < now and answer < REPLY_CHANCE + AUTO_REPLY_CHANCE:
            kind = ActivityKind.REPLIED if answer < REPLY_CHANCE else ActivityKind.AUTO_REPLY
            payload = {"outbound_id": last.id, "message_id": f"<re-{last.id}@demo.example>"}
            record_activity(
                session,
                ActivityEvent(lead.id, kind, occurred_at=answered, payload=payload, origin="demo"),
                now=now,
            )
            if kind == ActivityKind.REPLIED:
                exit_sequences(session, lead.id, ActivityKind.REPLIED, now)
    return sent_total


def _sent(
    session: Session,
    lead: Lead,
    enrollment: Enrollment,
    step: object,
    when: datetime,
    now: datetime,
) -> OutboundMessage:
    """Record one email of ``step`` as sent at ``when``."""
    source = str(getattr(step, "subject", "") or "")
    try:
        subject = render_subject(source, {"first_name": lead.first_name, "company": lead.company})
    except TemplateProblem:
        subject = source
    row = OutboundMessage(
        lead_id=lead.id,
        enrollment_id=enrollment.id,
        step_id=getattr(step, "id", None),
        message_id=f"<demo-{enrollment.id}-{getattr(step, 'id', 0)}@leaddesk.example>",
        to_address=lead.email,
        subject=subject,
        state=OutboxState.SENT,
        attempts=1,
        due_at=when,
        first_attempt_at=when,
        sent_at=when,
        finished_reason="sample data",
    )
    session.add(row)
    session.flush()
    record_activity(
        session,
        ActivityEvent(
            lead.id,
            ActivityKind.EMAIL_SENT,
            occurred_at=when,
            origin="demo",
            payload={"outbound_id": row.id, "message_id": row.message_id, "subject": subject,
                     "enrollment_id": enrollment.id, "step_id": row.step_id},
        ),
        now=now,
    )  # fmt: skip
    return row
