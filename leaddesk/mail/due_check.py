"""Is there anything for a sending pass to do? Answered in Core SQL, without the ORM.

``leaddesk send-due`` from cron runs every few minutes and usually finds nothing; importing the
models, the scheduler and the mail code to learn that costs more than the question. The three
conditions mirror what :func:`leaddesk.sequences.scheduler.run_due` and
:func:`leaddesk.mail.sender.send_due` look for (tests/mail/test_due_check.py holds them to it):
a step due in an active sequence, a message due (or due for a retry), a message left
``sending`` by a sender that died.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, String, and_, column, exists, func, or_, select, table

from leaddesk.db.engine import Database

_ENROLLMENTS = table(
    "enrollments",
    column("sequence_id"),
    column("state", String),
    column("next_due_at", DateTime),
)
_SEQUENCES = table("sequences", column("id"), column("status", String))
_OUTBOX = table(
    "outbound_messages",
    column("state", String),
    column("due_at", DateTime),
    column("next_attempt_at", DateTime),
)


def anything_due(db: Database, now: datetime) -> bool:
    """True when a step or a message is due at ``now`` or a send was left half-way."""
    moment = now.astimezone(UTC).replace(tzinfo=None)  # stored as naive UTC
    step_due = (
        select(_ENROLLMENTS.c.next_due_at)
        .join(_SEQUENCES, _SEQUENCES.c.id == _ENROLLMENTS.c.sequence_id)
        .where(
            _ENROLLMENTS.c.state == "active",
            _ENROLLMENTS.c.next_due_at <= moment,
            _SEQUENCES.c.status == "active",
        )
    )
    retry_at = func.coalesce(_OUTBOX.c.next_attempt_at, _OUTBOX.c.due_at)
    message_due = select(_OUTBOX.c.state).where(
        or_(
            and_(_OUTBOX.c.state == "scheduled", _OUTBOX.c.due_at <= moment),
            and_(_OUTBOX.c.state == "deferred", retry_at <= moment),
            _OUTBOX.c.state == "sending",
        )
    )
    with db.engine.connect() as connection:
        return bool(connection.scalar(select(or_(exists(step_due), exists(message_due)))))
