"""*Forget* a person: erase their data everywhere and keep only a hash of their address.

The hash on the suppression list stops any later import or hand entry from bringing them
back; nothing else about them remains: the lead, its tags, tasks, enrollments, activities,
planned and sent emails, classified replies, and other leads' activities that mention the
address. On SQLite the search index is optimised (dropping the deleted words), the deleted
pages are overwritten (``secure_delete``) and the WAL is checkpointed into the main file.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, String, cast, delete, func, or_, select, text
from sqlalchemy.orm import Session

from leaddesk.db.engine import Database
from leaddesk.db.models import Activity, InboundMessage, Lead, OutboundMessage
from leaddesk.inbox.search import optimize_search_index
from leaddesk.leads.emails import email_key
from leaddesk.leads.suppression import SuppressionReason, suppress


@dataclass(frozen=True)
class ForgetReport:
    """What was erased for one address."""

    address_hash: str
    leads: int
    activities: int
    outbound_messages: int
    inbound_messages: int


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
        finally:
            if db.is_sqlite:
                session.execute(text("PRAGMA secure_delete = OFF"))
    if db.is_sqlite:
        raw = db.engine.raw_connection()  # autocommit: a checkpoint cannot run in a transaction
        try:
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
    return reports
