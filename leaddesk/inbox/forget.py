"""*Forget* a person: erase their data everywhere and keep only a hash of their address.

The hash on the suppression list stops any later import or hand entry from bringing them
back; nothing else about them remains: the lead, its tags, tasks, enrollments, activities,
planned and sent emails (with their link tokens), clicks and page views read from web logs,
classified replies, and other leads' activities that mention the address. On SQLite the
search index is optimised (dropping the deleted words), the deleted pages are overwritten
(``secure_delete``) and the WAL is checkpointed into the main file and emptied; while another
connection still reads an older snapshot that cannot happen, so it is retried (in the
background, and by ``tick``) until it does.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy import ColumnElement, String, cast, delete, func, or_, select, text
from sqlalchemy.orm import Session

from leaddesk.db.engine import BUSY_TIMEOUT_MS, Database
from leaddesk.db.models import Activity, InboundMessage, Lead, OutboundMessage, WebVisit
from leaddesk.inbox.search import optimize_search_index
from leaddesk.leads.emails import email_key
from leaddesk.leads.suppression import SuppressionReason, suppress
from leaddesk.settings import get_setting, set_setting

ERASURE_PENDING = "erasure_pending"
ERASURE_WAITING = (
    "Erasure completes when other LeadDesk windows (or programs reading the database) close: "
    "until then old copies remain in the database file."
)
RETRY_FOR = 600.0
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ForgetReport:
    """What was erased for one address."""

    address_hash: str
    leads: int
    activities: int
    outbound_messages: int
    inbound_messages: int
    web_visits: int = 0  # clicks and page views read from web logs (tokens go with the emails)
    # False while another connection's read keeps old copies in the database files (the
    # erasure then completes by itself once it ends: see complete_erasure).
    erased: bool = True


def forget_in_session(session: Session, address: str) -> ForgetReport:
    """Erase everything about ``address`` in the session's transaction; suppress its hash."""
    key = email_key(address)
    lead_ids = list(session.scalars(select(Lead.id).where(Lead.email_key == key)))
    outbound_ids = list(
        session.scalars(
            select(OutboundMessage.id).where(
                or_(
                    OutboundMessage.lead_id.in_(lead_ids),
                    OutboundMessage.about_lead_id.in_(lead_ids),  # the team's alerts about them
                    func.lower(OutboundMessage.to_address) == key,
                )
            )
        )
    )
    alert_subjects = [
        subject
        for subject in session.scalars(
            select(OutboundMessage.subject).where(OutboundMessage.about_lead_id.in_(lead_ids))
        )
        if subject
    ]
    inbound = session.execute(
        delete(InboundMessage).where(
            or_(
                InboundMessage.lead_id.in_(lead_ids),
                InboundMessage.outbound_id.in_(outbound_ids),
                # a rep's reply to an alert ("Re: New lead for you: …") names the person too
                *(InboundMessage.subject.contains(subject) for subject in alert_subjects),
            )
        )
    )
    visits = session.execute(delete(WebVisit).where(WebVisit.lead_id.in_(lead_ids)))
    outbound = session.execute(delete(OutboundMessage).where(OutboundMessage.id.in_(outbound_ids)))
    own = session.execute(delete(Activity).where(Activity.lead_id.in_(lead_ids)))
    mentions = session.execute(delete(Activity).where(_mentions(key)))
    leads = session.execute(delete(Lead).where(Lead.id.in_(lead_ids)))
    entry = suppress(session, key, SuppressionReason.FORGOTTEN, keep_address=False)
    entry.note = ""
    session.flush()
    session.expire_all()
    optimize_search_index(session)
    return ForgetReport(
        address_hash=entry.email_hash,
        leads=_count(leads),
        activities=_count(own) + _count(mentions),
        outbound_messages=_count(outbound),
        inbound_messages=_count(inbound),
        web_visits=_count(visits),
    )


def _mentions(key: str) -> ColumnElement[bool]:
    """Activities of other leads whose payload holds the address (e.g. a merge record)."""
    as_text = func.lower(cast(Activity.payload, String))
    escaped = json.dumps(key)[1:-1]  # how the JSON column stores non-ASCII characters
    patterns = {key, escaped}
    return or_(*(as_text.like(f"%{_escape(p)}%", escape="\\") for p in patterns))


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def forget_person(db: Database, address: str) -> ForgetReport:
    """Forget ``address`` in ``db`` (one write transaction), then scrub SQLite's free pages."""
    return _forget(db, lambda session: [forget_in_session(session, address)])[0]


def forget_leads(db: Database, lead_ids: list[int]) -> list[ForgetReport]:
    """Forget the people behind ``lead_ids`` (the inbox's bulk *forget*)."""

    def run(session: Session) -> list[ForgetReport]:
        addresses = list(session.scalars(select(Lead.email).where(Lead.id.in_(lead_ids))))
        return [forget_in_session(session, address) for address in addresses]

    return _forget(db, run)


def _forget(db: Database, work: Callable[[Session], list[ForgetReport]]) -> list[ForgetReport]:
    with db.write() as session:
        if db.is_sqlite:
            session.execute(text("PRAGMA secure_delete = ON"))
        try:
            reports = work(session)
            if db.is_sqlite:
                set_setting(session, ERASURE_PENDING, True)
        finally:
            if db.is_sqlite:
                session.execute(text("PRAGMA secure_delete = OFF"))
    if db.is_sqlite and not complete_erasure(db):
        _retry_in_background(db)
        reports = [replace(report, erased=False) for report in reports]
    return reports


def complete_erasure(db: Database, *, wait_ms: int = 200) -> bool:
    """Copy the WAL into the main file and empty it, so the old pages holding a forgotten
    person are overwritten everywhere; True when done (or nothing was pending).

    Another connection still reading an older snapshot (another window, a backup) keeps the
    old pages alive: then this returns False and must be called again later (the background
    retry, the next ``tick``, the next forget).
    """
    if not db.is_sqlite:
        return True
    raw = db.engine.raw_connection()  # autocommit: a checkpoint cannot run in a transaction
    try:
        cursor = raw.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
        busy, _log, _done = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    finally:
        raw.close()
    if busy:
        return False
    with db.session() as session:
        if get_setting(session, ERASURE_PENDING, False):
            set_setting(session, ERASURE_PENDING, False)
    # Clearing the flag wrote a little to the WAL; empty it again (nothing forgotten in it).
    raw = db.engine.raw_connection()
    try:
        raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
    return True


def erasure_pending(db: Database) -> bool:
    """True while a forget's old pages may still be in the database files."""
    if not db.is_sqlite:
        return False
    with db.session() as session:
        return bool(get_setting(session, ERASURE_PENDING, False))


_RETRIES: dict[str, threading.Thread] = {}


def _retry_in_background(db: Database) -> None:
    """Keep trying :func:`complete_erasure` every second for up to ten minutes."""
    running = _RETRIES.get(db.url)
    if running is not None and running.is_alive():
        return

    def retry() -> None:
        deadline = time.monotonic() + RETRY_FOR
        while time.monotonic() < deadline:
            time.sleep(1.0)
            try:
                if complete_erasure(db):
                    return
            except Exception:  # the database went away (the app closed it): tick finishes
                _log.exception("erasure retry failed")
                return

    thread = threading.Thread(target=retry, name="leaddesk-erasure", daemon=True)
    _RETRIES[db.url] = thread
    thread.start()
