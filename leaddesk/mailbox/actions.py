"""What a classified message sets in motion, always through the one event door."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from leaddesk.activities import ActivityEvent, ActivityKind, record_activity
from leaddesk.db.models import (
    EmailState,
    Enrollment,
    EnrollmentState,
    InboundMessage,
    Lead,
    OutboundMessage,
    OutboxState,
    SequenceVersion,
)
from leaddesk.leads.emails import email_key
from leaddesk.leads.suppression import SuppressionReason, suppress
from leaddesk.mail.outbox import pause_account
from leaddesk.mailbox.classify import Classification, MessageFacts, Verdict
from leaddesk.sequences.exits import CANCELLABLE, LIVE_ENROLLMENT, exit_lead_sequences

log = logging.getLogger(__name__)
ORIGIN = "mailbox"
# A full mailbox or a server that gave up: suppress after failures on this many days…
SOFT_FAILURE_DAYS = 3
SOFT_WINDOW = timedelta(days=30)  # …within this window.
# Receivers refusing the sender: pause the account after this many refusals in POLICY_WINDOW.
POLICY_PAUSE_AFTER = 3
POLICY_WINDOW = timedelta(hours=24)
POLICY_PAUSE = timedelta(hours=24)
# These end every sequence whatever its exit rules say: the address must not be mailed again.
ALWAYS_EXIT = (ActivityKind.BOUNCED, ActivityKind.UNSUBSCRIBED, ActivityKind.COMPLAINED)


@dataclass(frozen=True)
class ReplyNotice:
    """A human reply worth a desktop notification for the lead's owner."""

    lead_id: int
    lead_name: str
    owner_id: int | None
    subject: str
    snippet: str


def apply_verdict(
    session: Session, verdict: Verdict, facts: MessageFacts, *, account_id: int, now: datetime
) -> ReplyNotice | None:
    """Carry out ``verdict``; returns a notice when a lead replied."""
    kind = verdict.classification
    if kind == Classification.REPLY and verdict.lead_id is not None:
        return _replied(session, verdict, facts, account_id, now)
    if kind == Classification.BOUNCE:
        _bounced(session, verdict, now)
    elif kind == Classification.SOFT_BOUNCE:
        _soft_bounced(session, verdict, now)
    elif kind == Classification.POLICY_BOUNCE:
        _refused_sender(session, verdict, account_id, now)
    elif kind == Classification.TEMPORARY_BOUNCE:
        log.info("temporary bounce for %s: %s", verdict.addresses, verdict.detail.get("status"))
    elif kind == Classification.AUTO_REPLY and verdict.lead_id is not None:
        _auto_replied(session, verdict, facts, now)
    elif kind == Classification.UNSUBSCRIBE:
        _unsubscribed(session, verdict, now)
    elif kind == Classification.COMPLAINT:
        _complained(session, verdict, now)
    elif kind == Classification.DMARC_FAILURE:
        log.warning("DMARC failure report for our domain: %s", verdict.detail.get("detail", ""))
    return None


def _event(
    lead_id: int, kind: str, facts: MessageFacts | None, payload: Mapping[str, object]
) -> ActivityEvent:
    occurred = facts.sent_at if facts is not None else None
    return ActivityEvent(lead_id, kind, occurred_at=occurred, payload=dict(payload), origin=ORIGIN)


def _replied(
    session: Session, verdict: Verdict, facts: MessageFacts, account_id: int, now: datetime
) -> ReplyNotice:
    assert verdict.lead_id is not None
    payload = {
        **verdict.detail,
        "message_id": facts.message_id,
        "outbound_id": verdict.outbound_id,
        "account_id": account_id,
    }
    record_activity(session, _event(verdict.lead_id, ActivityKind.REPLIED, facts, payload), now=now)
    exit_sequences(session, verdict.lead_id, ActivityKind.REPLIED, now)
    lead = session.get(Lead, verdict.lead_id)
    assert lead is not None
    return ReplyNotice(
        lead.id, lead.full_name, lead.owner_id, facts.subject, verdict.detail.get("snippet", "")
    )


def _bounced(session: Session, verdict: Verdict, now: datetime) -> None:
    for address in verdict.addresses:
        suppress(
            session,
            address,
            SuppressionReason.BOUNCED,
            note=f"bounce {verdict.detail.get('status', '')}",
        )
        for lead in _leads_for(session, [address], verdict.lead_id):
            lead.email_state = EmailState.BOUNCED
            payload = {**verdict.detail, "address": address, "outbound_id": verdict.outbound_id}
            record_activity(session, _event(lead.id, ActivityKind.BOUNCED, None, payload), now=now)
            exit_sequences(session, lead.id, ActivityKind.BOUNCED, now)
        cancel_messages_to(session, address, reason="bounced", now=now)
    _note_on_message(session, verdict, "bounced", now)


def _note_on_message(session: Session, verdict: Verdict, what: str, now: datetime) -> None:
    """The Outbox shows why a "sent" message never arrived."""
    bounced = session.get(OutboundMessage, verdict.outbound_id) if verdict.outbound_id else None
    if bounced is not None:
        status, why = verdict.detail.get("status", ""), verdict.detail.get("diagnostic", "")
        text = f"{what} ({status}) at {now:%Y-%m-%d %H:%M} UTC: {why}".strip()[:1000]
        # What the server said on sending ("250 … queued") is no longer the story: the bounce is.
        bounced.last_error = bounced.finished_reason = text
        bounced.updated_at = now


def _soft_bounced(session: Session, verdict: Verdict, now: datetime) -> None:
    """Mailbox full, or the server gave up: the address may work later. Suppressed only when
    it has failed so on ``SOFT_FAILURE_DAYS`` different days within ``SOFT_WINDOW``."""
    _note_on_message(session, verdict, "not delivered, will retry later", now)
    if verdict.lead_id is None:
        return
    days = {
        moment.date()
        for moment in session.scalars(
            select(InboundMessage.processed_at).where(
                InboundMessage.lead_id == verdict.lead_id,
                InboundMessage.classification == Classification.SOFT_BOUNCE,
                InboundMessage.processed_at >= now - SOFT_WINDOW,
            )
        )
    } | {now.date()}
    if len(days) >= SOFT_FAILURE_DAYS:
        repeated = dict(verdict.detail)
        repeated["diagnostic"] = (
            f"failed on {len(days)} days ({verdict.detail.get('kind', 'soft')}): "
            + verdict.detail.get("diagnostic", "")
        )[:300]
        _bounced(session, dataclasses.replace(verdict, detail=repeated), now)
    else:
        log.info("soft bounce %s for lead %s (%d day(s) so far)", verdict.detail.get("status"),
                 verdict.lead_id, len(days))  # fmt: skip


def _refused_sender(session: Session, verdict: Verdict, account_id: int, now: datetime) -> None:
    """The receiver refused us (spam, reputation, authentication): keep the lead, tell the
    user, and pause the account when it keeps happening — the sender's standing is at stake."""
    _note_on_message(session, verdict, "refused by the receiver's policy", now)
    log.warning("policy rejection %s: %s", verdict.detail.get("status"),
                verdict.detail.get("diagnostic", ""))  # fmt: skip
    recent = session.scalar(
        select(func.count(InboundMessage.id)).where(
            InboundMessage.account_id == account_id,
            InboundMessage.classification == Classification.POLICY_BOUNCE,
            InboundMessage.processed_at >= now - POLICY_WINDOW,
        )
    )
    if int(recent or 0) + 1 >= POLICY_PAUSE_AFTER:
        reason = (
            f"{int(recent or 0) + 1} messages refused by receivers' policy in a day "
            f"(last: {verdict.detail.get('status', '')} {verdict.detail.get('diagnostic', '')})"
        )[:300]
        pause_account(session, account_id, reason, now + POLICY_PAUSE)


def _unsubscribed(session: Session, verdict: Verdict, now: datetime) -> None:
    note = f"by email ({verdict.detail.get('via')})"
    _stop_mailing(session, verdict, SuppressionReason.UNSUBSCRIBED, note,
                  ActivityKind.UNSUBSCRIBED, now)  # fmt: skip


def _complained(session: Session, verdict: Verdict, now: datetime) -> None:
    """Marked as spam: never mail the address again, stop everything, keep it on the record."""
    _stop_mailing(session, verdict, SuppressionReason.COMPLAINT, "spam complaint (ARF)",
                  ActivityKind.COMPLAINED, now)  # fmt: skip


def _stop_mailing(
    session: Session,
    verdict: Verdict,
    reason: SuppressionReason,
    note: str,
    kind: ActivityKind,
    now: datetime,
) -> None:
    """Suppress the verdict's addresses, cancel what is planned, record ``kind``, end sequences."""
    cancel_reason = "complaint" if reason == SuppressionReason.COMPLAINT else "unsubscribed"
    for address in verdict.addresses:
        suppress(session, address, reason, note=note)
        cancel_messages_to(session, address, reason=cancel_reason, now=now)
    for lead in _leads_for(session, verdict.addresses, verdict.lead_id):
        lead.email_state = EmailState.UNSUBSCRIBED
        payload = {**verdict.detail, "outbound_id": verdict.outbound_id}
        record_activity(session, _event(lead.id, kind, None, payload), now=now)
        exit_sequences(session, lead.id, kind, now)


def _auto_replied(session: Session, verdict: Verdict, facts: MessageFacts, now: datetime) -> None:
    assert verdict.lead_id is not None
    payload = {**verdict.detail, "outbound_id": verdict.outbound_id}
    record_activity(
        session, _event(verdict.lead_id, ActivityKind.AUTO_REPLY, facts, payload), now=now
    )
    if verdict.not_before is not None:
        resume = datetime.combine(verdict.not_before + timedelta(days=1), time(0), tzinfo=UTC)
        postpone_lead(session, verdict.lead_id, resume, now)


def postpone_lead(session: Session, lead_id: int, resume: datetime, now: datetime) -> None:
    """Hold the lead's live enrollments and planned messages until ``resume``."""
    for enrollment in session.scalars(
        select(Enrollment).where(
            Enrollment.lead_id == lead_id, Enrollment.state.in_(LIVE_ENROLLMENT)
        )
    ):
        enrollment.not_before = max(enrollment.not_before or resume, resume)
        if enrollment.next_due_at is not None and enrollment.next_due_at < resume:
            enrollment.next_due_at = resume
    for message in session.scalars(
        select(OutboundMessage).where(
            OutboundMessage.lead_id == lead_id, OutboundMessage.state.in_(CANCELLABLE)
        )
    ):
        if message.due_at < resume:
            message.due_at = resume
        if message.next_attempt_at is not None and message.next_attempt_at < resume:
            message.next_attempt_at = resume
        message.updated_at = now
    session.flush()


def exit_sequences(session: Session, lead_id: int, kind: str, now: datetime) -> int:
    """End the lead's live enrollments whose exit rules name ``kind``; logs each exit."""
    live = session.execute(
        select(Enrollment, SequenceVersion.exit_rules)
        .join(SequenceVersion, SequenceVersion.id == Enrollment.version_id)
        .where(Enrollment.lead_id == lead_id, Enrollment.state.in_(LIVE_ENROLLMENT))
    ).all()
    chosen = [e for e, rules in live if kind in ALWAYS_EXIT or kind in (rules or [])]
    if not chosen:
        return 0
    if len(chosen) == len(live):
        exit_lead_sequences(session, lead_id, str(kind), now=now)
    else:
        from leaddesk.sequences.exits import cancel_planned_messages

        for enrollment in chosen:
            enrollment.state = EnrollmentState.EXITED
            enrollment.exited_at = now
            enrollment.exit_reason = str(kind)
            enrollment.next_due_at = None
        cancel_planned_messages(
            session, reason=str(kind), enrollment_ids=[e.id for e in chosen], now=now
        )
    for enrollment in chosen:
        payload = {
            "sequence_id": enrollment.sequence_id,
            "enrollment_id": enrollment.id,
            "reason": str(kind),
        }
        record_activity(
            session, _event(lead_id, ActivityKind.SEQUENCE_EXITED, None, payload), now=now
        )
    return len(chosen)


def cancel_messages_to(session: Session, address: str, *, reason: str, now: datetime) -> int:
    """Cancel every not-yet-claimed message addressed to ``address`` (any lead)."""
    result = session.execute(
        update(OutboundMessage)
        .where(
            func.lower(OutboundMessage.to_address) == email_key(address),
            OutboundMessage.state.in_(CANCELLABLE),
        )
        .values(state=OutboxState.CANCELLED, finished_reason=reason, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _leads_for(session: Session, addresses: list[str], lead_id: int | None) -> list[Lead]:
    keys = [email_key(a) for a in addresses]
    leads = {
        lead.id: lead for lead in session.scalars(select(Lead).where(Lead.email_key.in_(keys)))
    }
    if lead_id is not None and lead_id not in leads:
        lead = session.get(Lead, lead_id)
        if lead is not None:
            leads[lead.id] = lead
    return list(leads.values())
