"""Sequences: per sequence, version and step — sent, delivered, bounced, replied, unsubscribed,
clicked.

Every figure counts the emails sent in the period (an "email sent" event names its step) and
what came of each of them, whenever it came: a bounce, reply, auto-reply, unsubscribe or click
on a tracked link names the email it answers, and counts once per email. Delivered is sent minus
bounced. Click → hand-off counts the leads who clicked and were handed off after their first
click. A step whose unsubscribe or bounce rate stands out is flagged.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from leaddesk.activities.kinds import ActivityKind as K
from leaddesk.db.models import (
    Activity,
    Enrollment,
    InboundMessage,
    Lead,
    OutboundMessage,
    Sequence,
    SequenceStep,
    SequenceVersion,
)
from leaddesk.reports.model import Figure, Report, ReportFilter, Series, Table, activity_of, rate

ANSWERS = {
    K.BOUNCED: "bounced",
    K.REPLIED: "replied",
    K.AUTO_REPLY: "auto_replies",
    K.UNSUBSCRIBED: "unsubscribed",
    K.COMPLAINED: "complaints",
}
COUNTS = ("sent", "bounced", "hard", "soft", "refused", "replied", "auto_replies", "unsubscribed",
          "complaints", "dropped", "clicked")  # fmt: skip
# Bounces that leave no lead activity (the lead is kept): the mailbox records them per message.
INBOUND_BOUNCES = {"bounce_soft": "soft", "bounce_policy": "refused"}
MIN_SENT_FOR_FLAG = 20
UNSUBSCRIBE_FLAG, BOUNCE_FLAG = 0.02, 0.05

CLICK_DEFINITIONS = {
    "Clicked": "emails with at least one click on a tracked link to your website (each email "
    "once, however often it was clicked)",
    "Click-through rate": "clicked ÷ delivered",
    "Click → hand-off": "leads who clicked and were handed off to sales after their first "
    "click (each lead once)",
}
CLICKS_NOTE = (
    "Clicks come from your website's logs (Settings → Website → Import web logs); link "
    "scanners and bots are left out. Opens are not counted: image proxies make them unreliable."
)


FIELD = re.compile(r"\{\{\s*([A-Za-z_][\w.]*)[^}]*\}\}")  # a merge field in a template


def _lead_filter(flt: ReportFilter) -> Any:
    conditions = flt.lead_conditions()
    return select(Lead.id).where(*conditions) if conditions else None


def _in_period(flt: ReportFilter) -> Any:
    return and_(Activity.occurred_at >= flt.period.start, Activity.occurred_at < flt.period.end)


def step_counts(session: Session, flt: ReportFilter) -> dict[int, dict[str, int]]:
    """Counts per step id (see :data:`COUNTS`) for the period."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    leads = _lead_filter(flt)
    step = Activity.payload["step_id"].as_integer()
    sent = select(step, func.count()).where(Activity.kind == K.EMAIL_SENT, _in_period(flt))
    if leads is not None:
        sent = sent.where(activity_of(leads))
    for step_id, count in session.execute(sent.group_by(step)):
        if step_id is not None:
            counts[int(step_id)]["sent"] += count
    outbound = Activity.payload["outbound_id"].as_integer()
    status = Activity.payload["status"].as_string()
    sent_ids = select(outbound).where(Activity.kind == K.EMAIL_SENT, _in_period(flt))
    answers = (
        select(OutboundMessage.id, OutboundMessage.step_id, Activity.kind, status)
        .join(OutboundMessage, OutboundMessage.id == outbound)
        .where(
            Activity.kind.in_(list(ANSWERS)),
            OutboundMessage.id.in_(sent_ids),  # answers to the period's emails, whenever
            OutboundMessage.step_id.is_not(None),
        )
    )
    if leads is not None:
        answers = answers.where(activity_of(leads))
    seen: set[tuple[int, str]] = set()
    for outbound_id, step_id, kind, bounce_status in session.execute(answers):
        if (outbound_id, kind) in seen:  # one email bounces or is answered once at most
            continue
        seen.add((outbound_id, kind))
        counts[step_id][ANSWERS[kind]] += 1
        if kind == K.BOUNCED:
            soft = str(bounce_status or "").startswith("4")
            counts[step_id]["soft" if soft else "hard"] += 1
    clicked = (
        select(OutboundMessage.step_id, func.count(func.distinct(OutboundMessage.id)))
        .select_from(Activity)
        .join(OutboundMessage, OutboundMessage.id == outbound)
        .where(
            Activity.kind == K.CLICKED_LINK,
            OutboundMessage.id.in_(sent_ids),  # clicks on the period's emails, whenever
            OutboundMessage.step_id.is_not(None),
        )
        .group_by(OutboundMessage.step_id)  # an email clicked often counts once
    )
    if leads is not None:
        clicked = clicked.where(activity_of(leads))
    for step_id, count in session.execute(clicked):
        if step_id is not None:
            counts[step_id]["clicked"] += count
    not_delivered = (
        select(OutboundMessage.id, OutboundMessage.step_id, InboundMessage.classification)
        .join(OutboundMessage, OutboundMessage.id == InboundMessage.outbound_id)
        .where(
            InboundMessage.classification.in_(list(INBOUND_BOUNCES)),
            OutboundMessage.id.in_(sent_ids),
            OutboundMessage.step_id.is_not(None),
        )
        .order_by(InboundMessage.id)
    )
    if leads is not None:
        not_delivered = not_delivered.where(OutboundMessage.lead_id.in_(leads))
    for outbound_id, step_id, classification in session.execute(not_delivered):
        if step_id is None or (outbound_id, K.BOUNCED) in seen:  # once, as its gravest bounce
            continue
        seen.add((outbound_id, K.BOUNCED))
        counts[step_id]["bounced"] += 1
        counts[step_id][INBOUND_BOUNCES[classification]] += 1
    exited = (
        select(Enrollment.version_id, Enrollment.current_position, func.count())
        .join(Activity, Activity.payload["enrollment_id"].as_integer() == Enrollment.id)
        .where(
            Activity.kind == K.SEQUENCE_EXITED,
            _in_period(flt),
            Activity.payload["reason"].as_string() != "sales_ready",
        )
        .group_by(Enrollment.version_id, Enrollment.current_position)
    )
    if leads is not None:
        exited = exited.where(activity_of(leads))
    emails: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for step_id, version_id, position in session.execute(
        select(SequenceStep.id, SequenceStep.version_id, SequenceStep.position)
        .where(SequenceStep.kind == "email")
        .order_by(SequenceStep.position)
    ):
        emails[version_id].append((position, step_id))
    for version_id, position, count in session.execute(exited):
        # The enrollment stood at its next step: the lead left after the last email before it.
        before = [step for at, step in emails.get(version_id, []) if at < position]
        step_id = before[-1] if before else next(iter(emails.get(version_id, [])), (0, None))[1]
        if step_id is not None:
            counts[step_id]["dropped"] += count
    return counts


def click_handoffs(
    session: Session, flt: ReportFilter, sequence_of: dict[int, int]
) -> tuple[dict[int, int], dict[int, int]]:
    """Leads handed off after their first click on one of the period's emails, per step id and
    per sequence id (``sequence_of`` maps a step to its sequence); a lead counts once in each."""
    leads = _lead_filter(flt)
    outbound = Activity.payload["outbound_id"].as_integer()
    sent_ids = select(outbound).where(Activity.kind == K.EMAIL_SENT, _in_period(flt))
    first_clicks = (
        select(OutboundMessage.step_id, Activity.lead_id, func.min(Activity.occurred_at))
        .select_from(Activity)
        .join(OutboundMessage, OutboundMessage.id == outbound)
        .where(
            Activity.kind == K.CLICKED_LINK,
            OutboundMessage.id.in_(sent_ids),
            OutboundMessage.step_id.is_not(None),
        )
        .group_by(OutboundMessage.step_id, Activity.lead_id)
    )
    clickers = select(Activity.lead_id).where(
        Activity.kind == K.CLICKED_LINK, outbound.in_(sent_ids)
    )
    if leads is not None:
        first_clicks = first_clicks.where(activity_of(leads))
        clickers = clickers.where(activity_of(leads))
    last_handoff: dict[int, datetime] = {
        lead_id: at
        for lead_id, at in session.execute(
            select(Activity.lead_id, func.max(Activity.occurred_at))
            .where(Activity.kind == K.HANDED_OFF, activity_of(clickers))
            .group_by(Activity.lead_id)
        )
    }
    by_step: dict[int, int] = defaultdict(int)
    sequence_first: dict[tuple[int, int], datetime] = {}
    for step_id, lead_id, clicked_at in session.execute(first_clicks):
        if step_id is None:
            continue
        if lead_id in last_handoff and last_handoff[lead_id] >= clicked_at:
            by_step[step_id] += 1
        if step_id in sequence_of:
            key = (sequence_of[step_id], lead_id)
            sequence_first[key] = min(clicked_at, sequence_first.get(key, clicked_at))
    by_sequence: dict[int, int] = defaultdict(int)
    for (sequence_id, lead_id), clicked_at in sequence_first.items():
        if lead_id in last_handoff and last_handoff[lead_id] >= clicked_at:
            by_sequence[sequence_id] += 1
    return by_step, by_sequence


def _sales_ready_while_enrolled(session: Session, flt: ReportFilter) -> dict[int, int]:
    """Per sequence: leads that became sales-ready during one of their enrollments in it."""
    crossing = (
        select(Activity.lead_id, Activity.occurred_at)
        .where(Activity.kind == K.BECAME_SALES_READY, _in_period(flt))
        .subquery()
    )
    rows = session.execute(
        select(Enrollment.sequence_id, func.count(func.distinct(crossing.c.lead_id)))
        .join(crossing, crossing.c.lead_id == Enrollment.lead_id)
        .where(
            Enrollment.enrolled_at <= crossing.c.occurred_at,
            or_(Enrollment.exited_at.is_(None), Enrollment.exited_at >= crossing.c.occurred_at),
        )
        .group_by(Enrollment.sequence_id)
    )
    return {int(sequence_id): int(count) for sequence_id, count in rows}


def _step_labels(step_rows: list[list[Any]]) -> list[str]:
    """ "Email 1" per step; with several sequences or versions, "Name v2 · email 1"."""
    several = len({(row[0], row[1]) for row in step_rows}) > 1
    return [
        f"{row[0]} v{row[1]} · email {row[2]}" if several else f"Email {row[2]}"
        for row in step_rows
    ]


def readable_subject(template: str) -> str:
    """A subject template as read: ``{{ first_name | default("x") }}`` → ``{first_name}``."""
    return FIELD.sub(lambda m: "{" + m.group(1) + "}", template or "").strip()


def _rates(counts: dict[str, int]) -> dict[str, float | int | None]:
    delivered = counts["sent"] - counts["bounced"]
    return {
        "delivered": delivered,
        "bounce_rate": rate(counts["bounced"], counts["sent"]),
        "reply_rate": rate(counts["replied"], delivered),
        "unsubscribe_rate": rate(counts["unsubscribed"], delivered),
        "click_rate": rate(counts["clicked"], delivered),
    }


def sequences_report(session: Session, flt: ReportFilter, now: datetime) -> Report:
    """Per sequence, version and step, with flags on steps whose rates stand out."""
    counts = step_counts(session, flt)
    before = step_counts(session, flt.for_period(flt.period.previous()))
    steps = session.execute(
        select(
            SequenceStep.id,
            SequenceStep.position,
            SequenceStep.kind,
            SequenceStep.subject,
            SequenceVersion.number,
            Sequence.id,
            Sequence.name,
        )
        .join(SequenceVersion, SequenceVersion.id == SequenceStep.version_id)
        .join(Sequence, Sequence.id == SequenceVersion.sequence_id)
        .order_by(Sequence.name, SequenceVersion.number, SequenceStep.position)
    ).all()
    if flt.sequence_id is not None:
        steps = [s for s in steps if s[5] == flt.sequence_id]
    ready = _sales_ready_while_enrolled(session, flt)
    handed_by_step, handed_by_sequence = click_handoffs(
        session, flt, {row[0]: row[5] for row in steps}
    )
    totals: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    step_rows: list[list[Any]] = []
    flags: list[str] = []
    email_number: dict[tuple[int, int], int] = defaultdict(int)
    for step_id, _position, kind, template, version, sequence_id, name in steps:
        subject = readable_subject(template)
        if kind != "email":
            continue
        email_number[(sequence_id, version)] += 1
        c = counts.get(step_id, dict.fromkeys(COUNTS, 0))
        for key in COUNTS:
            totals[sequence_id][key] += c[key]
        r = _rates(c)
        label = f"{name} v{version}, email {email_number[(sequence_id, version)]}"
        flag = ""
        if c["sent"] >= MIN_SENT_FOR_FLAG and (r["unsubscribe_rate"] or 0) >= UNSUBSCRIBE_FLAG:
            flag = "many unsubscribes"
        if c["sent"] >= MIN_SENT_FOR_FLAG and (r["bounce_rate"] or 0) >= BOUNCE_FLAG:
            flag = (flag + ", " if flag else "") + "many bounces"
        if flag:
            flags.append(f"{label} ({subject}): {flag}")
        step_rows.append(
            [
                name,
                version,
                email_number[(sequence_id, version)],
                subject,
                c["sent"],
                int(r["delivered"] or 0),
                c["hard"],
                c["soft"],
                c["replied"],
                c["auto_replies"],
                c["unsubscribed"],
                c["dropped"],
                r["reply_rate"],
                r["unsubscribe_rate"],
                c["clicked"],
                r["click_rate"],
                handed_by_step.get(step_id, 0),
                c["refused"],
                c["complaints"],
                flag,
            ]
        )
    names = {row[5]: row[6] for row in steps}
    sequence_rows = []
    for sequence_id, c in sorted(totals.items(), key=lambda item: names[item[0]]):
        r = _rates(c)
        sequence_rows.append(
            [
                names[sequence_id],
                c["sent"],
                int(r["delivered"] or 0),
                c["bounced"],
                c["replied"],
                c["unsubscribed"],
                r["reply_rate"],
                c["clicked"],
                r["click_rate"],
                handed_by_sequence.get(sequence_id, 0),
                ready.get(sequence_id, 0),
            ]
        )
    all_now = {k: sum(c[k] for c in totals.values()) for k in COUNTS}
    all_before = {k: sum(c[k] for c in before.values()) for k in COUNTS}
    now_rates, before_rates = _rates(all_now), _rates(all_before)
    figures = [
        Figure(
            "sent",
            "Emails sent",
            all_now["sent"],
            all_before["sent"],
            "count",
            "sequence emails handed to the mail server in the period",
        ),
        Figure(
            "delivered",
            "Delivered",
            now_rates["delivered"],
            before_rates["delivered"],
            "count",
            "sent minus bounced",
        ),
        Figure(
            "reply_rate",
            "Reply rate",
            now_rates["reply_rate"],
            before_rates["reply_rate"],
            "rate",
            "human replies ÷ delivered (auto-replies not counted)",
        ),
        Figure(
            "click_rate",
            "Click-through rate",
            now_rates["click_rate"],
            before_rates["click_rate"],
            "rate",
            "emails with a click on your site ÷ delivered (from your web logs; scanners and bots "
            "left out)",
        ),
        Figure(
            "unsubscribe_rate",
            "Unsubscribe rate",
            now_rates["unsubscribe_rate"],
            before_rates["unsubscribe_rate"],
            "rate",
            "unsubscribes ÷ delivered",
        ),
        Figure(
            "bounce_rate",
            "Bounce rate",
            now_rates["bounce_rate"],
            before_rates["bounce_rate"],
            "rate",
            "bounces (hard and soft) ÷ sent",
        ),
    ]
    return Report(
        "sequences",
        "Sequences",
        flt.period,
        figures,
        [
            Table(
                "By sequence",
                [
                    "Sequence",
                    "Sent",
                    "Delivered",
                    "Bounced",
                    "Replied",
                    "Unsubscribed",
                    "Reply rate",
                    "Clicked",
                    "Click-through rate",
                    "Click → hand-off",
                    "Became sales-ready while enrolled",
                ],
                sequence_rows,
                CLICK_DEFINITIONS,
            ),
            Table(
                "By step",
                [
                    "Sequence",
                    "Version",
                    "Email",
                    "Subject",
                    "Sent",
                    "Delivered",
                    "Hard bounces",
                    "Soft bounces",
                    "Replied",
                    "Auto-replies",
                    "Unsubscribed",
                    "Left after it",
                    "Reply rate",
                    "Unsubscribe rate",
                    "Clicked",
                    "Click-through rate",
                    "Click → hand-off",
                    "Refused (policy)",
                    "Spam complaints",
                    "Flag",
                ],
                step_rows,
                {
                    "Left after it": "leads who left the sequence after this email (not for "
                    "becoming sales-ready)",
                    **CLICK_DEFINITIONS,
                    "Soft bounces": "not delivered for now: mailbox full, or the server gave up "
                    "(the address is suppressed when it keeps failing)",
                    "Refused (policy)": "the receiver refused the sender (spam filter, "
                    "reputation, authentication): the lead is kept; look at your sending",
                    "Spam complaints": "people who marked the email as spam (feedback reports)",
                },
            ),
        ],
        [
            Series(
                "Sent and replied per email",
                "bar",
                _step_labels(step_rows),
                {
                    "Sent": [float(row[4]) for row in step_rows],
                    "Replied": [float(row[8]) for row in step_rows],
                },
            )
        ],
        notes=(flags or ["No step stands out."]) + [CLICKS_NOTE],
        empty=not step_rows,
    )
