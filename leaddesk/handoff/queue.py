"""The sales queue: open hand-offs as plain rows, sorted by time left, with their countdown.

Shared by the Sales queue page, ``leaddesk queue`` and the window's badge and notifications.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from leaddesk.db.models import Handoff, HandoffState, Lead, SlaState, TeamMember

#: Under this much time left a countdown turns amber.
SOON = timedelta(hours=4)
OK, URGENT_SOON, URGENT_OVERDUE, DONE = "ok", "soon", "overdue", "done"


def format_span(delta: timedelta) -> str:
    """A duration as people read it: "2 d 3 h", "5 h 12 min", "45 min"."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {mins} min"
    return f"{mins} min"


def countdown(
    due_at: datetime | None, now: datetime, *, attempted: bool = False
) -> tuple[str, str]:
    """The countdown text and its urgency (ok, soon, overdue, done) for a follow-up deadline."""
    if attempted:
        return "followed up", DONE
    if due_at is None:
        return "no deadline", OK
    left = due_at - now
    if left <= timedelta(0):
        return f"overdue {format_span(-left)}", URGENT_OVERDUE
    return f"{format_span(left)} left", URGENT_SOON if left < SOON else OK


@dataclass(frozen=True)
class QueueRow:
    """One hand-off in the queue."""

    handoff_id: int
    lead_id: int
    name: str
    company: str
    email: str
    phone: str
    score: float
    band: str
    status: str
    owner_id: int | None
    owner: str
    state: str
    trigger: str
    reason: str
    handed_off_at: datetime
    due_at: datetime | None
    sla_due_at: datetime | None
    sla_state: str
    first_attempt_at: datetime | None
    escalations: int

    @property
    def attempted(self) -> bool:
        """True once a first follow-up attempt was logged."""
        return self.first_attempt_at is not None

    def countdown(self, now: datetime) -> tuple[str, str]:
        """This row's countdown text and urgency at ``now``."""
        return countdown(self.due_at, now, attempted=self.attempted)

    def to_dict(self, now: datetime) -> dict[str, Any]:
        """JSON-ready data, with the countdown at ``now``."""
        data = asdict(self)
        data["countdown"], data["urgency"] = self.countdown(now)
        return data


def _queue_select() -> Any:
    owner = aliased(TeamMember)
    return (
        select(
            Handoff.id,
            Lead.id,
            Lead.first_name,
            Lead.last_name,
            Lead.email,
            Lead.company,
            Lead.phone,
            Lead.score,
            Lead.score_band,
            Lead.status,
            Handoff.owner_id,
            owner.name,
            Handoff.state,
            Handoff.trigger,
            Handoff.reason,
            Handoff.handed_off_at,
            Handoff.due_at,
            Handoff.sla_due_at,
            Handoff.sla_state,
            Handoff.first_attempt_at,
            Handoff.escalations,
        )
        .join(Lead, Lead.id == Handoff.lead_id)
        .outerjoin(owner, owner.id == Handoff.owner_id)
        .where(Handoff.state != HandoffState.CLOSED)
    )


def _row(r: Any) -> QueueRow:
    name = " ".join(p for p in (r[2], r[3]) if p) or r[4]
    return QueueRow(
        r[0], r[1], name, r[5], r[4], r[6], r[7], r[8], r[9], r[10], r[11] or "nobody",
        r[12], r[13], r[14], r[15], r[16], r[17], r[18], r[19], r[20],
    )  # fmt: skip


def sales_queue(
    session: Session, now: datetime, *, member_id: int | None = None, limit: int = 5000
) -> list[QueueRow]:
    """Open hand-offs (``member_id``: only that member's), the most urgent first.

    Those still waiting for a first attempt come first, by deadline; then the ones already
    followed up, newest hand-off first.
    """
    statement = _queue_select()
    if member_id is not None:
        statement = statement.where(Handoff.owner_id == member_id)
    statement = statement.order_by(
        Handoff.first_attempt_at.is_not(None), Handoff.due_at, Handoff.id
    ).limit(limit)
    rows = [_row(r) for r in session.execute(statement)]
    waiting = [row for row in rows if not row.attempted]
    done = [row for row in rows if row.attempted]
    done.sort(key=lambda r: r.handed_off_at, reverse=True)
    return waiting + done


def queue_row(session: Session, lead_id: int) -> QueueRow | None:
    """The lead's open hand-off as a queue row (None when it is not with sales)."""
    found = session.execute(_queue_select().where(Handoff.lead_id == lead_id)).first()
    return _row(found) if found is not None else None


@dataclass(frozen=True)
class QueueCounts:
    """How many open hand-offs wait for a first attempt, how many are due soon or overdue."""

    waiting: int
    soon: int
    overdue: int


def queue_counts(session: Session, now: datetime, *, member_id: int | None = None) -> QueueCounts:
    """The badge figures for ``member_id`` (None: everyone)."""
    conditions = [Handoff.state != HandoffState.CLOSED, Handoff.first_attempt_at.is_(None)]
    if member_id is not None:
        conditions.append(Handoff.owner_id == member_id)
    waiting, soon, overdue = session.execute(
        select(
            func.count(Handoff.id),
            func.count(Handoff.id).filter(Handoff.due_at > now, Handoff.due_at <= now + SOON),
            func.count(Handoff.id).filter(Handoff.due_at <= now),
        ).where(*conditions)
    ).one()
    return QueueCounts(int(waiting), int(soon), int(overdue))


def breached_handoffs(session: Session, *, member_id: int | None, since: datetime) -> list[int]:
    """Ids of hand-offs (of ``member_id``) whose deadline was missed since ``since``."""
    statement = select(Handoff.id).where(
        Handoff.sla_state == SlaState.BREACHED, Handoff.breached_at >= since
    )
    if member_id is not None:
        statement = statement.where(Handoff.owner_id == member_id)
    return list(session.scalars(statement))
