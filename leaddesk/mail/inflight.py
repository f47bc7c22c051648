"""Messages in flight: the durable marks a sender writes per message, and what a crash left.

A claim moves a batch of rows to ``sending`` in one commit. Then, per message, one small commit
just before its DATA command records that this message may now reach the server
(``handed_at``) together with the 250s received since the last such commit (``sent_at``, state
still ``sending``; the activities follow in the next batch commit). So whenever a sender dies,
each row it left ``sending`` is exactly one of:

- ``sent_at`` set: the server accepted it → finished as sent, dated by that 250;
- ``handed_at`` set and no ``sent_at``: the one message per connection whose DATA had begun →
  ``unknown`` (never resent automatically; the user or the Sent-folder check decides);
- neither: its DATA never started, so the server cannot have it → back to ``scheduled``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, case, select, update
from sqlalchemy.orm import Session

from leaddesk.db.engine import Database
from leaddesk.db.models import OutboundMessage, OutboxState
from leaddesk.mail.driver_sql import DriverStatement
from leaddesk.mail.outbox import UNKNOWN_REASON, finish, of_accounts, preload
from leaddesk.mail.policy import Decision, Verdict

_OUTBOX = cast(Table, OutboundMessage.__table__)
_MOMENT = _OUTBOX.c.updated_at.type
_MARK_HANDED = DriverStatement(
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("row_id"), _OUTBOX.c.state == OutboxState.SENDING)
    .values(handed_at=bindparam("now", type_=_MOMENT), updated_at=bindparam("now", type_=_MOMENT))
)
_MARK_ACCEPTED = DriverStatement(
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("row_id"), _OUTBOX.c.state == OutboxState.SENDING)
    .values(
        sent_at=bindparam("now", type_=_MOMENT),
        finished_reason=bindparam("reason"),
        updated_at=bindparam("now", type_=_MOMENT),
    )
)


def mark_progress(
    connection: Connection,
    accepted: Sequence[tuple[int, str, datetime]],
    handed: int | None,
    now: datetime,
) -> None:
    """Record accepted rows (id, server reply, moment) and the row whose DATA starts now.

    Both are single-row UPDATEs on prebuilt statements: this runs once per message, inside
    a write transaction the caller commits before it sends DATA.
    """
    if accepted:
        _MARK_ACCEPTED.execute_many(
            connection, [{"row_id": i, "reason": r, "now": when} for i, r, when in accepted]
        )
    if handed is not None:
        _MARK_HANDED.execute(connection, {"row_id": handed, "now": now})


class ProgressWriter:
    """Writes a pass's per-message marks on one connection, on its own thread.

    :meth:`start` returns at once; the commit (an fsync: ``synchronous=FULL``) runs while the
    SMTP server answers MAIL and RCPT, and the sender waits for it before the DATA command.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._connection: Connection | None = None
        self._worker: ThreadPoolExecutor | None = None

    def start(
        self, accepted: Sequence[tuple[int, str, datetime]], handed: int | None, now: datetime
    ) -> Future[None]:
        """Begin committing :func:`mark_progress`; the future fails as the commit did."""
        if self._worker is None:
            self._worker = ThreadPoolExecutor(1, thread_name_prefix="leaddesk-marks")
        return self._worker.submit(self._commit, list(accepted), handed, now)

    def _commit(
        self, accepted: Sequence[tuple[int, str, datetime]], handed: int | None, now: datetime
    ) -> None:
        if self._connection is None:
            self._connection = self._db.writer_connection()
        connection = self._connection
        transaction = self._db.patiently(connection.begin)  # waits as Database.write does
        try:
            mark_progress(connection, accepted, handed, now)
        except BaseException:
            transaction.rollback()
            raise
        transaction.commit()

    def close(self) -> None:
        """Finish the last commit and give the connection back."""
        if self._worker is not None:
            self._worker.submit(self._release).result()
            self._worker.shutdown()
            self._worker = None

    def _release(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


@dataclass
class Recovered:
    """What :func:`recover_in_flight` found: rows finished as sent, unknown, rescheduled."""

    sent: int = 0
    unknown: int = 0
    rescheduled: int = 0


def recover_in_flight(
    session: Session, now: datetime, accounts: Collection[int] | None = None
) -> Recovered:
    """Sort out the rows a dead sender left ``sending`` (see the module docstring).

    Call it only while holding the sender lock of ``accounts`` (None: of every account): then
    no live sender owns one of their ``sending`` rows. Rows without an account are included.
    """
    statement = select(
        OutboundMessage.id, OutboundMessage.handed_at, OutboundMessage.sent_at
    ).where(OutboundMessage.state == OutboxState.SENDING)
    if accounts is not None:
        statement = statement.where(of_accounts(accounts))
    rows = session.execute(statement).all()
    found = Recovered()
    if not rows:
        return found
    accepted = [(row_id, sent_at) for row_id, _, sent_at in rows if sent_at is not None]
    doubtful = [row_id for row_id, handed, sent in rows if handed is not None and sent is None]
    untouched = [row_id for row_id, handed, sent in rows if handed is None and sent is None]
    if accepted:
        loaded = preload(session, [row_id for row_id, _ in accepted])
        for row_id, sent_at in accepted:
            row = session.get_one(OutboundMessage, row_id)
            finish(session, row_id, Decision(Verdict.SENT, row.finished_reason), sent_at)
        del loaded
    if doubtful:
        _update(session, doubtful, now, state=OutboxState.UNKNOWN, finished_reason=UNKNOWN_REASON)
    if untouched:
        # The claim counted an attempt that never reached the server: take it back.
        attempts = _OUTBOX.c.attempts
        _update(
            session,
            untouched,
            now,
            state=OutboxState.SCHEDULED,
            attempts=case((attempts > 0, attempts - 1), else_=0),
            first_attempt_at=case((attempts <= 1, None), else_=_OUTBOX.c.first_attempt_at),
            claimed_at=None,
        )
    found.sent, found.unknown, found.rescheduled = len(accepted), len(doubtful), len(untouched)
    return found


def _update(session: Session, row_ids: list[int], now: datetime, **values: Any) -> None:
    session.execute(
        update(_OUTBOX).where(_OUTBOX.c.id.in_(row_ids)).values(updated_at=now, **values)
    )
