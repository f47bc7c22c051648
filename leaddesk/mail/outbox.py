"""The outbox state machine: claim, record the outcome, and the user's fixes.

scheduled → sending → sent | deferred | failed | cancelled | expired | unknown.
A claim (→ sending) is committed before the message goes to the server; ``sent`` is written
only after the server's 250. What a sender that died left ``sending`` is sorted out by
:mod:`leaddesk.mail.inflight`.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple, cast

from sqlalchemy import Connection, Table, and_, bindparam, func, insert, or_, select, update
from sqlalchemy.orm import Session, lazyload
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from leaddesk.activities import ActivityEvent, ActivityKind, leads_changed, record_activity
from leaddesk.activities.door import append_activities
from leaddesk.db.models import (
    AppSetting,
    EmailState,
    Enrollment,
    EnrollmentState,
    Lead,
    OutboundMessage,
    OutboxState,
    SenderAccount,
    Sequence,
    SequenceStatus,
    Suppression,
)
from leaddesk.leads.emails import email_key
from leaddesk.leads.suppression import (
    SECRET_SETTING,
    SuppressionReason,
    hashes_for,
    suppress,
)
from leaddesk.mail.driver_sql import DriverStatement
from leaddesk.mail.policy import Decision, Verdict, retry_delay
from leaddesk.sequences.exits import exit_lead_sequences
from leaddesk.settings import SENDING_PAUSED, get_setting

ORIGIN = "sender"
UNKNOWN_REASON = (
    "LeadDesk stopped while handing this email to the server, so it may or may not have gone "
    "out. Check the Sent folder, then mark it sent or resend it."
)
HOLD_SEQUENCE = (SequenceStatus.PAUSED, SequenceStatus.DRAFT)


def sending_paused(session: Session) -> bool:
    """True while the global "Pause all sending" switch is on."""
    return bool(get_setting(session, SENDING_PAUSED, False))


def is_due(now: datetime | BindParameter[Any]) -> Any:
    """SQL condition: the row may be sent now (scheduled and due, or deferred and retry time)."""
    return or_(
        and_(OutboundMessage.state == OutboxState.SCHEDULED, OutboundMessage.due_at <= now),
        and_(
            OutboundMessage.state == OutboxState.DEFERRED,
            func.coalesce(OutboundMessage.next_attempt_at, OutboundMessage.due_at) <= now,
        ),
    )


def of_accounts(accounts: Collection[int]) -> ColumnElement[bool]:
    """Rows of ``accounts`` or of no account (a deleted one's: whoever claims them fails them)."""
    return or_(OutboundMessage.account_id.in_(list(accounts)), OutboundMessage.account_id.is_(None))


def due_candidates(
    session: Session, now: datetime, limit: int, accounts: Collection[int] | None = None
) -> list[tuple[int, int | None]]:
    """(row id, account id) of due rows, oldest first, skipping held sequences and accounts.

    ``accounts``: only rows of these accounts (and rows left without one, which a claim fails).
    """
    statement = (
        select(OutboundMessage.id, OutboundMessage.account_id)
        .outerjoin(Enrollment, Enrollment.id == OutboundMessage.enrollment_id)
        .outerjoin(Sequence, Sequence.id == Enrollment.sequence_id)
        .outerjoin(SenderAccount, SenderAccount.id == OutboundMessage.account_id)
        .where(is_due(now))
        .where(or_(Enrollment.id.is_(None), Enrollment.state != EnrollmentState.PAUSED))
        .where(or_(Sequence.id.is_(None), Sequence.status.not_in(HOLD_SEQUENCE)))
        .where(or_(SenderAccount.paused_until.is_(None), SenderAccount.paused_until <= now))
        .order_by(
            func.coalesce(OutboundMessage.next_attempt_at, OutboundMessage.due_at),
            OutboundMessage.id,
        )
        .limit(limit)
    )
    if accounts is not None:
        statement = statement.where(of_accounts(accounts))
    return [(row_id, account_id) for row_id, account_id in session.execute(statement)]


@dataclass(frozen=True)
class Claimed:
    """Everything needed to compose and submit a claimed message (plain data)."""

    id: int
    lead_id: int | None
    account_id: int
    enrollment_id: int | None
    step_id: int | None
    to_address: str
    to_name: str
    subject: str
    message_id: str
    unsubscribe_token: str
    rendered: dict[str, str]
    purpose: str = "lead"


_OUTBOX = cast(Table, OutboundMessage.__table__)
_MOMENT = _OUTBOX.c.updated_at.type
_ROW_IDS: BindParameter[Any] = bindparam("row_ids", expanding=True)
# Everything the stop conditions and the composition need, for a whole batch in one query.
_CLAIM_VIEW = (
    select(
        OutboundMessage.id,
        OutboundMessage.lead_id,
        OutboundMessage.account_id,
        OutboundMessage.enrollment_id,
        OutboundMessage.step_id,
        OutboundMessage.to_address,
        OutboundMessage.subject,
        OutboundMessage.message_id,
        OutboundMessage.unsubscribe_token,
        OutboundMessage.rendered,
        OutboundMessage.purpose,
        OutboundMessage.first_attempt_at,
        OutboundMessage.last_error,
        Lead.id.label("lead_found"),
        Lead.email_state.label("lead_state"),
        Lead.first_name,
        Lead.last_name,
        Enrollment.state.label("enrollment_state"),
        Enrollment.exit_reason,
        Sequence.status.label("sequence_status"),
        SenderAccount.id.label("account_found"),
        SenderAccount.paused_until,
        # The global "Pause all sending" switch, read in the same query.
        select(AppSetting.value)
        .where(AppSetting.key == SENDING_PAUSED)
        .scalar_subquery()
        .label("pause_switch"),
    )
    .outerjoin(Lead, Lead.id == OutboundMessage.lead_id)
    .outerjoin(Enrollment, Enrollment.id == OutboundMessage.enrollment_id)
    .outerjoin(Sequence, Sequence.id == Enrollment.sequence_id)
    .outerjoin(SenderAccount, SenderAccount.id == OutboundMessage.account_id)
    .where(OutboundMessage.id.in_(_ROW_IDS), is_due(bindparam("now", type_=_MOMENT)))
)
_CLAIM_QUERY = DriverStatement(_CLAIM_VIEW)


class _ClaimRow(NamedTuple):
    """One row of ``_CLAIM_VIEW``, fields in its column order."""

    id: int
    lead_id: int | None
    account_id: int | None
    enrollment_id: int | None
    step_id: int | None
    to_address: str
    subject: str
    message_id: str
    unsubscribe_token: str
    rendered: dict[str, Any] | None
    purpose: str
    first_attempt_at: datetime | None
    last_error: str
    lead_found: int | None
    lead_state: str | None
    first_name: str | None
    last_name: str | None
    enrollment_state: str | None
    exit_reason: str | None
    sequence_status: str | None
    account_found: int | None
    paused_until: datetime | None
    pause_switch: dict[str, Any] | None


assert _ClaimRow._fields == tuple(_CLAIM_VIEW.selected_columns.keys())
_MARK_SENDING = DriverStatement(
    update(_OUTBOX)
    .where(_OUTBOX.c.id.in_(_ROW_IDS))
    .values(
        state=OutboxState.SENDING,
        claimed_at=bindparam("now", type_=_MOMENT),
        handed_at=None,
        attempts=_OUTBOX.c.attempts + 1,
        first_attempt_at=func.coalesce(_OUTBOX.c.first_attempt_at, bindparam("now", type_=_MOMENT)),
        updated_at=bindparam("now", type_=_MOMENT),
    )
)


_SUPPRESSED = DriverStatement(
    select(Suppression.email_hash).where(
        Suppression.email_hash.in_(bindparam("hashes", expanding=True))
    )
)


def _suppressed_among(connection: Connection, addresses: list[str]) -> set[str]:
    """The keys among ``addresses`` on the suppression list, as
    :func:`leaddesk.leads.suppression.suppressed_among` finds them (by hash), with a
    prebuilt statement: a claim asks about a handful of addresses many times a second."""
    if not addresses:
        return set()
    by_hash = hashes_for(_secret(connection), addresses)
    found = _SUPPRESSED.execute(connection, {"hashes": list(by_hash)})
    return {key for (value,) in found for key in by_hash[value]}


_SECRET = DriverStatement(select(AppSetting.value).where(AppSetting.key == SECRET_SETTING))


def _secret(connection: Connection) -> bytes:
    """The suppression hash secret (see :func:`leaddesk.leads.suppression.suppression_secret`)."""
    rows = _SECRET.execute(connection, {})
    if not rows:  # migration 0009 creates it; a database without one gets one now
        value = secrets.token_hex(32)
        connection.execute(insert(AppSetting).values(key=SECRET_SETTING, value={"value": value}))
        return bytes.fromhex(value)
    return bytes.fromhex(str(rows[0][0]["value"]))


def _stop_reason(row: Any, suppressed: bool) -> Refusal | None:
    """A refusal when the row must not be sent now (cancelled for good, or held)."""
    if suppressed:
        return Refusal("cancelled", "the address is on the suppression list")
    if row.lead_id is not None and row.lead_found is None:
        return Refusal("cancelled", "the lead was deleted")
    if row.lead_state is not None and row.lead_state != EmailState.OK:
        return Refusal("cancelled", f"the lead's address is {row.lead_state}")
    if row.enrollment_id is not None:
        state = row.enrollment_state
        # The scheduler completes an enrollment when it plans the last step: that step's
        # message must still go out (exit rules cancel it if the lead leaves before then).
        if state not in (EnrollmentState.ACTIVE, EnrollmentState.PAUSED, EnrollmentState.COMPLETED):
            why = row.exit_reason if state is not None else ""
            return Refusal("cancelled", "the lead left the sequence" + (f" ({why})" if why else ""))
        if state == EnrollmentState.PAUSED:
            return Refusal("held", "the lead's enrollment is paused")
        if row.sequence_status == SequenceStatus.ARCHIVED:
            return Refusal("cancelled", "the sequence was archived")
        if row.sequence_status in HOLD_SEQUENCE:
            return Refusal("held", "the sequence is paused")
    return None


@dataclass(frozen=True)
class Refusal:
    """Why a due row was not claimed: ``kind`` is paused_all, gone, held, cancelled, expired
    or failed."""

    kind: str
    reason: str = ""


def claim_batch(
    session: Session, row_ids: list[int], now: datetime, *, expiry: timedelta
) -> list[Claimed | Refusal]:
    """Move due rows to ``sending`` after checking every stop condition, in ``row_ids`` order.

    The rows and everything the stop conditions read come in one query; the claimed rows
    move with one UPDATE. The caller commits this transaction before it hands any of the
    messages to the server.
    """
    session.flush()  # earlier outcomes (a bounce suppresses its address) must be seen below
    connection = session.connection()
    found = _CLAIM_QUERY.execute(connection, {"row_ids": row_ids, "now": now})
    due = {row.id: row for row in map(_ClaimRow._make, found)}
    # The switch comes with the rows (NULL: never set); with no row due, ask for it directly.
    switch = next(iter(due.values())).pause_switch if due else None
    paused = bool((switch or {}).get("value", False)) if due else sending_paused(session)
    if paused:
        return [Refusal("paused_all", "sending is paused") for _ in row_ids]
    suppressed = _suppressed_among(connection, [row.to_address for row in due.values()])
    results: list[Claimed | Refusal] = []
    claimed: list[int] = []
    for row_id in row_ids:
        row = due.get(row_id)
        if row is None:
            results.append(Refusal("gone", "not due any more"))
            continue
        refusal = _check(row, suppressed, now, expiry)
        if refusal is not None:
            _apply_refusal(session, session.get_one(OutboundMessage, row_id), refusal, now)
            results.append(refusal)
            continue
        claimed.append(row_id)
        assert row.account_id is not None  # _check refuses rows whose account is gone
        results.append(
            Claimed(
                id=row.id,
                lead_id=row.lead_id,
                account_id=row.account_id,
                enrollment_id=row.enrollment_id,
                step_id=row.step_id,
                to_address=row.to_address,
                to_name=" ".join(p for p in (row.first_name, row.last_name) if p),
                subject=row.subject,
                message_id=row.message_id,
                unsubscribe_token=row.unsubscribe_token,
                rendered={k: str(v) for k, v in (row.rendered or {}).items()},
                purpose=row.purpose,
            )
        )
    session.flush()
    if claimed:
        _MARK_SENDING.execute(connection, {"row_ids": claimed, "now": now})
    return results


def _check(row: Any, suppressed: set[str], now: datetime, expiry: timedelta) -> Refusal | None:
    if row.account_found is None:
        return Refusal("failed", "its sender account was removed; pick another and retry")
    if row.paused_until is not None and row.paused_until > now:
        return Refusal("held", "the account is paused")
    stop = _stop_reason(row, email_key(row.to_address) in suppressed)
    if stop is not None:
        return stop
    if row.first_attempt_at is not None and now - row.first_attempt_at >= expiry:
        days = expiry.total_seconds() / 86400
        span = f"{days:g} day{'' if days == 1 else 's'}"
        return Refusal("expired", f"gave up after {span} of retries; last reply: {row.last_error}")
    return None


def _apply_refusal(session: Session, row: OutboundMessage, refusal: Refusal, now: datetime) -> None:
    if refusal.kind == "cancelled":
        row.state = OutboxState.CANCELLED
        row.finished_reason = refusal.reason
        row.updated_at = now
    elif refusal.kind == "expired":
        row.state = OutboxState.EXPIRED
        row.finished_reason = refusal.reason
        row.updated_at = now
        _record(session, row, ActivityKind.EMAIL_FAILED, now, state="expired")
    elif refusal.kind == "failed":
        _finish_failed(session, row, refusal.reason, now)


def _event(row: OutboundMessage, kind: str, now: datetime, **extra: Any) -> ActivityEvent:
    payload = {
        "outbound_id": row.id,
        "message_id": row.message_id,
        "subject": (row.rendered or {}).get("subject") or row.subject,
        "enrollment_id": row.enrollment_id,
        "step_id": row.step_id,
        **extra,
    }
    assert row.lead_id is not None
    return ActivityEvent(row.lead_id, kind, occurred_at=now, payload=payload, origin=ORIGIN)


def _record(session: Session, row: OutboundMessage, kind: str, now: datetime, **extra: Any) -> None:
    if row.lead_id is not None:
        record_activity(session, _event(row, kind, now, **extra), now=now)


def _finish_failed(session: Session, row: OutboundMessage, reason: str, now: datetime) -> None:
    row.state = OutboxState.FAILED
    row.finished_reason = reason
    row.last_error = reason
    row.updated_at = now
    _record(session, row, ActivityKind.EMAIL_FAILED, now, reason=reason)


def preload(session: Session, row_ids: list[int]) -> list[object]:
    """Load rows and their leads in two queries before many ``finish`` calls.

    Keep the returned list alive while finishing: the session only holds weak references.
    """
    rows = list(session.scalars(select(OutboundMessage).where(OutboundMessage.id.in_(row_ids))))
    lead_ids = {r.lead_id for r in rows if r.lead_id is not None}
    leads = (
        list(
            session.scalars(select(Lead).options(lazyload(Lead.tags)).where(Lead.id.in_(lead_ids)))
        )
        if lead_ids
        else []
    )
    return [*rows, *leads]


def finish_many(
    session: Session, outcomes: list[tuple[Claimed, Decision]], now: datetime
) -> list[tuple[int, Decision]]:
    """Record the outcomes of several claimed rows; returns the account pauses they call for.

    Accepted messages (the common case) are written set-based: one UPDATE, their "email sent"
    activities through the event door's bulk entry and one ``leads_changed`` for the batch.
    Every other outcome goes row by row through :func:`finish`.
    """
    sent = [(claimed, d) for claimed, d in outcomes if d.verdict is Verdict.SENT]
    _record_sent(session, sent, now)
    others = [(claimed.id, d) for claimed, d in outcomes if d.verdict is not Verdict.SENT]
    if not others:
        return []
    loaded = preload(session, [row_id for row_id, _ in others])
    pauses = []
    for row_id, decision in others:
        pause = finish(session, row_id, decision, now)
        if pause is not None:
            pauses.append(pause)
    del loaded
    return pauses


_FINISHABLE = (OutboxState.SENDING, OutboxState.UNKNOWN)
_STILL_OPEN = DriverStatement(
    select(_OUTBOX.c.id).where(_OUTBOX.c.id.in_(_ROW_IDS), _OUTBOX.c.state.in_(_FINISHABLE))
)
_MARK_SENT = DriverStatement(
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("row_id"))
    .values(
        state=OutboxState.SENT,
        # Already set when the 250 was recorded at once (see leaddesk.mail.inflight).
        sent_at=func.coalesce(_OUTBOX.c.sent_at, bindparam("now", type_=_MOMENT)),
        last_error="",
        finished_reason=bindparam("reason"),
        updated_at=bindparam("now", type_=_MOMENT),
    )
)


def _record_sent(session: Session, sent: list[tuple[Claimed, Decision]], now: datetime) -> None:
    """Mark accepted rows ``sent`` and record their "email sent" activities, set-based."""
    if not sent:
        return
    connection = session.connection()
    ids = [claimed.id for claimed, _ in sent]
    open_ids = {row_id for (row_id,) in _STILL_OPEN.execute(connection, {"row_ids": ids})}
    sent = [(claimed, d) for claimed, d in sent if claimed.id in open_ids]
    if not sent:
        return
    _MARK_SENT.execute_many(
        connection,
        [{"row_id": claimed.id, "now": now, "reason": d.reason} for claimed, d in sent],
    )
    events = [
        ActivityEvent(
            claimed.lead_id,
            ActivityKind.EMAIL_SENT,
            occurred_at=now,
            payload={
                "outbound_id": claimed.id,
                "message_id": claimed.message_id,
                "subject": claimed.rendered.get("subject") or claimed.subject,
                "enrollment_id": claimed.enrollment_id,
                "step_id": claimed.step_id,
            },
            origin=ORIGIN,
        )
        for claimed, _ in sent
        if claimed.lead_id is not None
    ]
    if events:
        append_activities(session, events, now=now)
        lead_ids = sorted({event.lead_id for event in events})
        leads_changed(session, lead_ids, now, kinds={ActivityKind.EMAIL_SENT})


def finish(
    session: Session, row_id: int, decision: Decision, now: datetime
) -> tuple[int, Decision] | None:
    """Record the outcome of a claimed row; returns (account id, decision) for a pause."""
    row = session.get(OutboundMessage, row_id)
    if row is None or row.state not in (OutboxState.SENDING, OutboxState.UNKNOWN):
        return None
    row.updated_at = now
    verdict = decision.verdict
    if verdict is Verdict.SENT:
        row.state = OutboxState.SENT
        row.sent_at = row.sent_at or now
        row.last_error = ""
        row.finished_reason = decision.reason
        _record(session, row, ActivityKind.EMAIL_SENT, now)
    elif verdict is Verdict.UNKNOWN:
        row.state = OutboxState.UNKNOWN
        row.finished_reason = decision.reason
    elif verdict is Verdict.RETRY:
        row.state = OutboxState.DEFERRED
        row.last_error = decision.reason
        row.next_attempt_at = now + retry_delay(row.attempts)
    elif verdict in (Verdict.PAUSE_ACCOUNT, Verdict.RELEASE):
        row.state = OutboxState.SCHEDULED
        row.attempts = max(0, row.attempts - 1)
        if row.attempts == 0:
            row.first_attempt_at = None
        if verdict is Verdict.PAUSE_ACCOUNT:
            row.last_error = decision.reason
            if row.account_id is not None:
                return row.account_id, decision
    elif verdict is Verdict.BOUNCE:
        _finish_failed(session, row, decision.reason, now)
        _bounce(session, row, decision.reason, now)
    else:
        _finish_failed(session, row, decision.reason, now)
    return None


def _bounce(session: Session, row: OutboundMessage, reason: str, now: datetime) -> None:
    suppress(session, row.to_address, SuppressionReason.BOUNCED, note=reason[:500])
    if row.lead_id is None:
        return
    lead = session.get(Lead, row.lead_id)
    if lead is not None:
        lead.email_state = EmailState.BOUNCED
    _record(session, row, ActivityKind.BOUNCED, now, reason=reason)
    exit_lead_sequences(session, row.lead_id, "bounced", now=now)


def pause_account(session: Session, account_id: int, reason: str, until: datetime) -> None:
    """Pause an account until ``until`` with the reason the user sees."""
    account = session.get(SenderAccount, account_id)
    if account is not None:
        account.paused_until = until
        account.pause_reason = reason
