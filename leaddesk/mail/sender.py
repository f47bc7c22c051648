"""``send_due``: one pass over the due outbox, safe alongside any other LeadDesk process.

Used by the CLI (``leaddesk send-due``, e.g. from cron) and by the app's background sender.
Up to ``CLAIM_BATCH`` messages are claimed in one ``BEGIN IMMEDIATE`` transaction that is
committed before any of them is handed to the server. Before each message's DATA command one
small commit records that this message may now reach the server and the 250s received since
(:mod:`leaddesk.mail.inflight`), so a crash leaves at most one message in doubt; the rest of
the outcomes (activities, rescoring) are written with the next claim. While the server digests
one message the next one is composed, so the sender's own work overlaps the server's. Nothing
here sleeps on a test clock: waiting goes through ``wait`` (real sleep, or advancing a
:class:`~leaddesk.clock.FixedClock`).
"""

from __future__ import annotations

import logging
import random
import ssl
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.clock import Clock, FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import MessagePurpose, OutboundMessage, OutboxState, SenderAccount
from leaddesk.errors import DatabaseBusy
from leaddesk.mail import inflight, outbox
from leaddesk.mail.accounts import account_password
from leaddesk.mail.compose import CompositionError, Outgoing, Sender, compose
from leaddesk.mail.lock import AccountLocks, SenderLock
from leaddesk.mail.ownership import AccountShare, account_share
from leaddesk.mail.policy import DEFAULT_EXPIRY, Decision, Verdict, account_trouble, decide
from leaddesk.mail.ratelimit import AccountPace
from leaddesk.mail.transport import OpenError, Reply, ServerSettings, SmtpSession
from leaddesk.settings import get_setting

if TYPE_CHECKING:
    from leaddesk.mailbox.sent_copy import SentFiler

_log = logging.getLogger(__name__)
CANDIDATE_BATCH = 500
RETRY_DAYS_SETTING = "sending_retry_days"
# Rows claimed per commit when the account is not paced per minute. The claim and the
# bookkeeping of their outcomes (activities, rescoring) are batched; the per-message durable
# marks are not, so the batch size no longer decides how much a crash leaves in doubt.
CLAIM_BATCH = 16
_COUNTERS = {
    Verdict.SENT: "sent",
    Verdict.RETRY: "deferred",
    Verdict.BOUNCE: "bounced",
    Verdict.FAIL: "failed",
    Verdict.UNKNOWN: "unknown",
}
_REFUSALS_COUNTED = ("expired", "cancelled", "failed")
UNREACHABLE_COOL_DOWN = timedelta(minutes=5)
# Outcomes written in the per-message commit (the rest wait for the next batch commit): a
# server's refusal must not be forgotten by a crash and turn into "unknown".
_SETTLED_AT_ONCE = (Verdict.RETRY, Verdict.BOUNCE, Verdict.FAIL, Verdict.UNKNOWN)

PasswordLookup = Callable[[SenderAccount], str | None]
Wait = Callable[[float], None]


@dataclass
class PassReport:
    """What one pass did (the CLI prints it; the status bar summarises it)."""

    sent: int = 0
    deferred: int = 0
    failed: int = 0
    bounced: int = 0
    cancelled: int = 0
    expired: int = 0
    unknown: int = 0
    recovered_unknown: int = 0
    recovered_sent: int = 0
    rescheduled: int = 0
    filed_in_sent: int = 0  # copies appended to the accounts' Sent folders
    waited_for_database: float = 0.0  # seconds spent waiting for another program's write lock
    stopped_busy: bool = False  # the pass stopped (cleanly) because the lock stayed held
    busy: bool = False
    paused_all: bool = False
    paused_accounts: dict[int, str] = field(default_factory=dict)
    needs_password: list[int] = field(default_factory=list)
    busy_accounts: list[int] = field(default_factory=list)  # another copy sends them now
    others_accounts: list[int] = field(default_factory=list)  # other members' copies send them
    others_note: str = ""  # the sentence saying whose accounts were left to them
    next_send_at: datetime | None = None

    def as_dict(self) -> dict[str, object]:
        """Plain data for JSON output."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def default_wait(clock: Clock) -> Wait:
    """Real sleeping for the system clock; advancing the clock for a test clock."""
    if isinstance(clock, FixedClock):
        return lambda seconds: clock.advance(timedelta(seconds=seconds))
    return time.sleep


class _Pass:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        password_for: PasswordLookup,
        tls_context: ssl.SSLContext | None,
        wait: Wait,
        expiry: timedelta,
        rng: random.Random,
        should_stop: Callable[[], bool],
        timeout: float,
        accounts: frozenset[int] | None = None,
    ) -> None:
        self.db = db
        self.accounts = accounts  # the accounts whose lock this pass holds (None: all)
        self.clock = clock
        self.password_for = password_for
        self.tls_context = tls_context
        self.wait = wait
        self.expiry = expiry
        self.rng = rng
        self.should_stop = should_stop
        self.timeout = timeout
        self.report = PassReport()
        self.sessions: dict[int, SmtpSession] = {}
        self.senders: dict[int, Sender] = {}
        self.paces: dict[int, AccountPace] = {}
        self.blocked: set[int] = set()
        self.pending: list[tuple[outbox.Claimed, Decision]] = []
        # 250s received whose durable mark is still to be written (id, reply, moment).
        self.unmarked: list[tuple[int, str, datetime]] = []
        self.filers: dict[int, SentFiler | None] = {}
        self.marks = inflight.ProgressWriter(db)

    # -- database steps -------------------------------------------------------------------
    def flush(self) -> None:
        """Write the outcomes of submitted messages (one commit)."""
        if self.pending:
            with self.db.write() as session:
                done = self._apply_pending(session)
            self._settled(done)

    def _apply_pending(
        self, session: Session, only: Callable[[Decision], bool] = lambda _: True
    ) -> list[tuple[outbox.Claimed, Decision]]:
        """Write the pending outcomes ``only`` picks; the caller commits, then calls
        :meth:`_settled` with the returned list (nothing is forgotten if the commit fails)."""
        chosen = [(item, decision) for item, decision in self.pending if only(decision)]
        if chosen:
            for account_id, trouble in outbox.finish_many(session, chosen, self.clock.now()):
                self._pause(session, account_id, trouble)
        return chosen

    def _settled(self, done: list[tuple[outbox.Claimed, Decision]]) -> None:
        """Forget committed outcomes and count them."""
        ids = {item.id for item, _ in done}
        self.pending = [(item, d) for item, d in self.pending if item.id not in ids]
        self.unmarked = [entry for entry in self.unmarked if entry[0] not in ids]
        for _, decision in done:
            self._count(decision.verdict)

    def _hand(self, row_id: int) -> Future[None]:
        """Start committing that ``row_id``'s DATA may begin, with the 250s received since the
        last such commit and any other outcome already known (one small commit per message;
        the transport waits for it before the DATA command)."""
        now = self.clock.now()
        if not any(d.verdict in _SETTLED_AT_ONCE for _, d in self.pending):
            marked = self.marks.start(self.unmarked, row_id, now)  # the common case: no ORM
            self.unmarked = []
            return marked
        with self.db.write() as session:
            done = self._apply_pending(session, lambda d: d.verdict in _SETTLED_AT_ONCE)
            session.flush()
            inflight.mark_progress(session.connection(), self.unmarked, row_id, now)
        self.unmarked = []
        self._settled(done)
        finished: Future[None] = Future()
        finished.set_result(None)
        return finished

    def _pause(self, session: Session, account_id: int, trouble: Decision) -> None:
        until = self.clock.now() + trouble.cool_down
        outbox.pause_account(session, account_id, trouble.reason, until)
        self.blocked.add(account_id)
        self.report.paused_accounts[account_id] = trouble.reason
        _log.warning("account %s paused until %s: %s", account_id, until, trouble.reason)
        self._close(account_id)

    def _count(self, verdict: Verdict) -> None:
        name = _COUNTERS.get(verdict)
        if name:
            setattr(self.report, name, getattr(self.report, name) + 1)

    def claim(self, row_ids: list[int]) -> list[outbox.Claimed | outbox.Refusal]:
        """Commit the previous outcomes and these claims in one durable transaction."""
        with self.db.write() as session:
            done = self._apply_pending(session)
            results = outbox.claim_batch(session, row_ids, self.clock.now(), expiry=self.expiry)
        self._settled(done)
        for result in results:
            if isinstance(result, outbox.Refusal) and result.kind in _REFUSALS_COUNTED:
                setattr(self.report, result.kind, getattr(self.report, result.kind) + 1)
        return results

    # -- accounts and sessions ------------------------------------------------------------
    def prepare_account(self, account_id: int) -> bool:
        """Load the account, its pace and its password; open its session. False: skip it."""
        if account_id in self.blocked:
            return False
        if account_id in self.sessions and self.sessions[account_id].is_open:
            return True
        self._close(account_id)
        with self.db.session() as session:
            account = session.get(SenderAccount, account_id)
            if account is None:
                return True  # the claim fails its rows with a clear reason
            if account.paused_until is not None and account.paused_until > self.clock.now():
                self.blocked.add(account_id)
                return False
            password = self.password_for(account) if account.smtp_username else ""
            settings = ServerSettings(
                account.smtp_host, account.smtp_port, account.smtp_security, account.smtp_username
            )
            self.senders[account_id] = Sender(
                account.from_address,
                account.display_name,
                account.reply_to,
                account.unsubscribe_mailto,
                account.unsubscribe_url,
            )
            if account_id not in self.paces:
                self.paces[account_id] = AccountPace.load(session, account, self.clock.now())
            if account_id not in self.filers:
                self.filers[account_id] = _sent_filer(account)
        if password is None:
            self.report.needs_password.append(account_id)
            self.blocked.add(account_id)
            return False
        smtp = SmtpSession(settings, password, tls_context=self.tls_context, timeout=self.timeout)
        try:
            smtp.open()
        except OpenError as error:
            trouble = account_trouble(error.code, str(error)) if error.code else None
            if trouble is None:
                trouble = Decision(
                    Verdict.PAUSE_ACCOUNT,
                    f"could not reach the server ({error.step}): {error}",
                    UNREACHABLE_COOL_DOWN,
                )
            with self.db.write() as session:
                done = self._apply_pending(session)
                self._pause(session, account_id, trouble)
            self._settled(done)
            return False
        self.sessions[account_id] = smtp
        return True

    def _close(self, account_id: int) -> None:
        smtp = self.sessions.pop(account_id, None)
        if smtp is not None:
            smtp.close()

    # -- a batch of messages of one account -----------------------------------------------
    def batch_size(self, account_id: int, wanted: int) -> int:
        """How many rows to claim now: 0 when the account must stop for this pass."""
        if not self.prepare_account(account_id):
            return 0
        pace = self.paces.get(account_id)
        if pace is None:
            return min(wanted, CLAIM_BATCH)
        delay = pace.delay_before_next(self.clock.now(), self.rng)
        if delay is None:
            self.blocked.add(account_id)
            self._close(account_id)
            self._note_next(pace.next_slot(self.clock.now()))
            return 0
        if delay > 0:
            self.flush()
            self.wait(delay)
        if pace.per_minute is not None:
            return 1
        return max(1, min(wanted, CLAIM_BATCH, pace.room(self.clock.now())))

    def send_batch(self, row_ids: list[int]) -> bool:
        """Claim rows of one account and submit them; False when the pass must stop.

        While the server digests one message (its final reply can take as long as composing
        the next), the next claimed message is composed; the reply is read before anything
        else is written or sent.
        """
        results = self.claim(row_ids)
        claimed = [r for r in results if isinstance(r, outbox.Claimed)]
        if any(isinstance(r, outbox.Refusal) and r.kind == "paused_all" for r in results):
            self.report.paused_all = True
            return False
        upcoming: Outgoing | Decision | None = None
        for index, item in enumerate(claimed):
            if item.account_id in self.blocked or not self.prepare_account(item.account_id):
                for rest in claimed[index:]:
                    self.pending.append((rest, Decision(Verdict.RELEASE, "not attempted")))
                break
            prepared = upcoming if upcoming is not None else self._compose(item)
            upcoming = None
            pace = self.paces.get(item.account_id)
            if pace is not None:
                pace.record(self.clock.now())
            if isinstance(prepared, Decision):
                self.pending.append((item, prepared))
                continue
            reply = self._begin(item, prepared)
            if index + 1 < len(claimed):
                upcoming = self._compose(claimed[index + 1])
            decision = self._conclude(item.account_id, reply)
            self.pending.append((item, decision))
            if decision.verdict is Verdict.SENT:
                self.unmarked.append((item.id, decision.reason, self.clock.now()))
                filer = self.filers.get(item.account_id)
                if filer is not None and filer.file(prepared.data):
                    self.report.filed_in_sent += 1
        return True

    def _compose(self, item: outbox.Claimed) -> Outgoing | Decision:
        """The message for a claimed row, or the failure that composing it met."""
        try:
            return compose(
                self.senders[item.account_id],
                to_address=item.to_address,
                to_name=item.to_name,
                rendered=item.rendered,
                subject=item.subject,
                message_id=item.message_id,
                unsubscribe_token=item.unsubscribe_token,
                now=self.clock.now(),
                alert=item.purpose == MessagePurpose.ALERT,
            )
        except CompositionError as error:
            return Decision(Verdict.FAIL, str(error))

    def _begin(self, item: outbox.Claimed, outgoing: Outgoing) -> Reply | None:
        """Hand ``outgoing`` to the account's server (``None``: its final reply is due)."""
        account_id = item.account_id

        def before_data() -> Future[None]:
            return self._hand(item.id)

        reply = self.sessions[account_id].begin(outgoing, before_data)
        if reply is not None and reply.dropped and decide(reply).verdict is Verdict.RETRY:
            # Not handed over yet (an idle connection timed out?): reconnect once, try again.
            self._close(account_id)
            if self.prepare_account(account_id):
                reply = self.sessions[account_id].begin(outgoing, before_data)
        return reply

    def _conclude(self, account_id: int, reply: Reply | None) -> Decision:
        """Read the awaited reply (if any) and decide what the message's outcome is."""
        current = self.sessions.get(account_id)
        if reply is None:
            assert current is not None
            reply = current.end()
        decision = decide(reply)
        if current is not None and not current.is_open:
            self._close(account_id)
        if decision.verdict is Verdict.PAUSE_ACCOUNT:
            self.blocked.add(account_id)
        return decision

    def _note_next(self, moment: datetime | None) -> None:
        if moment is not None and (
            self.report.next_send_at is None or moment < self.report.next_send_at
        ):
            self.report.next_send_at = moment

    def _final_flush(self) -> None:
        """Write the outcomes still pending; after a busy stop, one more patient try (the
        last 250 would otherwise read as unknown), then leave it to the next pass."""
        try:
            self.flush()
        except DatabaseBusy as error:
            if not self.report.stopped_busy:
                raise
            _log.error("outcomes of %d message(s) not recorded: %s", len(self.pending), error)

    def run(self, limit: int | None) -> PassReport:
        """Work through due rows until none are left, ``limit`` is reached or a stop."""
        with self.db.write() as session:
            found = inflight.recover_in_flight(session, self.clock.now(), self.accounts)
        self.report.recovered_unknown = found.unknown
        self.report.recovered_sent = found.sent
        self.report.rescheduled = found.rescheduled
        seen: set[int] = set()
        handled = 0
        try:
            while True:
                with self.db.session() as session:
                    if outbox.sending_paused(session):
                        self.report.paused_all = True
                        break
                    rows = outbox.due_candidates(
                        session, self.clock.now(), CANDIDATE_BATCH, self.accounts
                    )
                queue = [(r, a) for r, a in rows if r not in seen and a not in self.blocked]
                if not queue:
                    break
                while queue:
                    if (limit is not None and handled >= limit) or self.should_stop():
                        return self.report
                    row_id, account_id = queue[0]
                    if account_id in self.blocked:
                        seen.add(row_id)
                        queue.pop(0)
                        continue
                    wanted = len(queue) if limit is None else min(len(queue), limit - handled)
                    size = 1 if account_id is None else self.batch_size(account_id, wanted)
                    if size == 0:
                        continue  # the account is blocked now; its rows are skipped above
                    batch = [r for r, a in queue if a == account_id][:size]
                    chosen = set(batch)
                    queue = [(r, a) for r, a in queue if r not in chosen]
                    seen.update(chosen)
                    handled += len(batch)
                    if not self.send_batch(batch):
                        return self.report
        except DatabaseBusy as error:
            # Stopped before the next DATA: every 250 so far is marked (recovery finishes
            # those rows as sent); nothing is half-written. The next pass goes on.
            self.report.stopped_busy = True
            self.report.waited_for_database = round(error.waited, 1)
            _log.error("sending stopped: %s", error)
        finally:
            self.marks.close()
            self._final_flush()
            for account_id in list(self.sessions):
                self._close(account_id)
            for filer in self.filers.values():
                if filer is not None:
                    filer.close()
        return self.report


def _sent_filer(account: SenderAccount) -> SentFiler | None:
    """The account's Sent-folder filer for this pass (None: no copies filed)."""
    if not account.imap_host or not account.append_to_sent:
        return None  # most accounts: IMAP code is not even imported
    from leaddesk.mailbox.sent_copy import SentFiler, copy_settings

    found = copy_settings(account)
    return SentFiler(*found) if found is not None else None


def send_due(
    db: Database,
    clock: Clock,
    limit: int | None = None,
    *,
    password_for: PasswordLookup = account_password,
    tls_context: ssl.SSLContext | None = None,
    wait: Wait | None = None,
    expiry: timedelta | None = None,
    rng: random.Random | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    timeout: float = 30.0,
) -> PassReport:
    """Send what is due now, once; returns what happened (``busy`` if another sender runs).

    ``expiry`` (how long temporary failures are retried) defaults to the team setting
    ``sending_retry_days`` (4 days when unset).
    """
    with db.session() as session:
        share = account_share(session, db)
    with _AccountsHeld(db, share) as held:
        if held.accounts is None:
            return PassReport(
                busy=True,
                busy_accounts=sorted(share.mine),
                others_accounts=sorted(share.others),
                others_note=share.describe_others(),
            )
        if expiry is None:
            with db.session() as session:
                days = get_setting(session, RETRY_DAYS_SETTING, None)
            expiry = timedelta(days=float(days)) if days else DEFAULT_EXPIRY
        work = _Pass(
            db,
            clock,
            password_for=password_for,
            tls_context=tls_context,
            wait=wait or default_wait(clock),
            expiry=expiry,
            rng=rng or random.Random(),
            should_stop=should_stop,
            timeout=timeout,
            accounts=held.accounts,
        )
        waited_before = db.lock_waited
        report = work.run(limit)
        report.busy_accounts = sorted(share.mine - held.accounts)
        report.others_accounts = sorted(share.others)
        report.others_note = share.describe_others()
        if not report.stopped_busy:
            report.waited_for_database = round(db.lock_waited - waited_before, 1)
    with db.session() as session:
        report.next_send_at = next_due_at(session, clock.now())
    return report


class _AccountsHeld:
    """The sender locks of this copy's accounts: ``accounts`` is what this pass may send from
    (None: nothing, another sender holds them all). SQLite: one lock for every account."""

    def __init__(self, db: Database, share: AccountShare) -> None:
        self._share = share
        self._lock: SenderLock | AccountLocks = (
            SenderLock(db) if db.is_sqlite else AccountLocks(db, share.mine)
        )
        self.accounts: frozenset[int] | None = None

    def __enter__(self) -> _AccountsHeld:
        lock = self._lock.__enter__()
        if isinstance(lock, SenderLock):
            self.accounts = self._share.mine if lock.acquired else None
        elif lock.held or not self._share.mine:
            self.accounts = lock.held  # none of mine at all: rows without an account still go
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


def next_due_at(session: object, now: datetime | None = None) -> datetime | None:
    """When the next scheduled or deferred message can go (``None``: nothing planned).

    A message of a paused account goes when the pause ends, not when it fell due; with
    ``now`` given, a moment already past reads as ``now`` (it goes at the next pass).
    """
    from sqlalchemy import func

    due = func.min(func.coalesce(OutboundMessage.next_attempt_at, OutboundMessage.due_at))
    rows = session.execute(  # type: ignore[attr-defined]
        select(OutboundMessage.account_id, due, SenderAccount.paused_until)
        .outerjoin(SenderAccount, SenderAccount.id == OutboundMessage.account_id)
        .where(OutboundMessage.state.in_((OutboxState.SCHEDULED, OutboxState.DEFERRED)))
        .group_by(OutboundMessage.account_id, SenderAccount.paused_until)
    ).all()
    moments = []
    for _account_id, first, paused_until in rows:
        if first is None:
            continue
        if isinstance(first, str):  # SQLite's min() of a coalesce loses the column type
            first = datetime.fromisoformat(first).replace(tzinfo=UTC)
        moments.append(max(first, paused_until) if paused_until is not None else first)
    if not moments:
        return None
    moment = min(moments)
    return max(moment, now) if now is not None else moment
