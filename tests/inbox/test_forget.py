"""Forget: the person's data is gone everywhere; only a hash stays on the suppression list."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text

from leaddesk.activities import ActivityEvent, record_activity
from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import InboundMessage, OutboundMessage, SenderAccount, Suppression
from leaddesk.inbox.forget import forget_person
from leaddesk.inbox.merge import merge_leads
from leaddesk.inbox.profile import ProfileError, add_lead
from leaddesk.leads.emails import email_hash, legacy_email_hash
from leaddesk.leads.suppression import is_suppressed, suppression_secret
from tests.inbox.sample_inbox import Inbox

ADDRESS = "ben.bauer@kestrel.example"
TRACES = ("ben.bauer", "kestrel", "Bauer")


def give_ben_mail(db: Database, inbox: Inbox, clock: FixedClock) -> None:
    now = clock.now()
    with db.write() as s:
        account = SenderAccount(name="Sales", from_address="sales@us.example")
        s.add(account)
        s.flush()
        out = OutboundMessage(
            lead_id=inbox.ben,
            account_id=account.id,
            message_id="<m1@us.example>",
            to_address="Ben.Bauer@Kestrel.example",
            subject="Your Kestrel demo",
            due_at=now,
            state="sent",
            rendered={"text": "Hello Ben Bauer"},
        )
        s.add(out)
        s.flush()
        s.add(
            InboundMessage(
                account_id=account.id,
                fingerprint="<r1@kestrel.example>",
                classification="reply",
                lead_id=inbox.ben,
                outbound_id=out.id,
                subject="Re: Your Kestrel demo",
            )
        )
        record_activity(
            s, ActivityEvent(inbox.ben, "replied", now, {"subject": "Re: demo"}), now=now
        )


def dump_everything(db: Database) -> str:
    """Every value of every table (FTS shadow tables included), as one text."""
    parts: list[str] = []
    with db.engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                parts.append(" ".join(repr(v) for v in row))
    return "\n".join(parts)


def test_forget_erases_every_trace(db: Database, clock: FixedClock, inbox: Inbox) -> None:
    """After forget nothing in any table mentions the person, and the address is suppressed."""
    give_ben_mail(db, inbox, clock)
    assert "ben.bauer" in dump_everything(db).lower()
    report = forget_person(db, ADDRESS.upper())
    assert (report.leads, report.outbound_messages, report.inbound_messages) == (1, 1, 1)
    assert report.activities >= 1
    everything = dump_everything(db)
    for trace in TRACES:
        assert trace.lower() not in everything.lower()
    with db.session() as s:
        entry = s.scalar(select(Suppression))
        assert entry is not None
        assert (entry.email_key, entry.email_hash, entry.reason) == (
            None,
            email_hash(ADDRESS, suppression_secret(s)),
            "forgotten",
        )
        # Keyed: a list of addresses cannot be tested against the database by plain SHA-256.
        assert entry.email_hash != legacy_email_hash(ADDRESS)
        assert is_suppressed(s, ADDRESS)
        assert s.scalar(select(func.count()).select_from(OutboundMessage)) == 0
        assert s.scalar(select(func.count()).select_from(InboundMessage)) == 0


def test_forgotten_bytes_leave_the_database_file(
    db: Database, db_path: Path, clock: FixedClock, inbox: Inbox
) -> None:
    """The erased address is not left in free pages of the SQLite file or its WAL."""
    give_ben_mail(db, inbox, clock)
    forget_person(db, ADDRESS)
    db.dispose()
    for path in (db_path, Path(f"{db_path}-wal")):
        if path.exists():
            assert b"ben.bauer" not in path.read_bytes().lower()


def test_forget_beside_an_open_reader_completes_when_the_reader_closes(
    db: Database, db_path: Path, clock: FixedClock, inbox: Inbox
) -> None:
    """With another connection mid-read, forget says erasure is pending; once the reader
    closes, no byte of the address or name is left in the database, its WAL or its SHM."""
    import sqlite3
    import time

    from leaddesk.inbox.forget import _RETRIES, complete_erasure, erasure_pending

    give_ben_mail(db, inbox, clock)
    reader = sqlite3.connect(db_path, isolation_level=None)
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM leads").fetchone()[0] >= 1
    started = time.monotonic()
    report = forget_person(db, ADDRESS)
    assert time.monotonic() - started < 3, "forget must not sit on the reader's lock"
    assert not report.erased and erasure_pending(db)
    reader.execute("COMMIT")
    reader.close()
    deadline = time.monotonic() + 5
    while erasure_pending(db) and time.monotonic() < deadline:
        time.sleep(0.2)  # the background retry finishes it within about a second
    assert not erasure_pending(db)
    # The retry clears the flag between its two checkpoints: let it finish its second one, or
    # ours finds a checkpoint running (busy) on a loaded machine.
    retry = _RETRIES.get(db.url)
    if retry is not None:
        retry.join(10)
    assert complete_erasure(db)
    db.dispose()
    for path in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        if path.exists():
            data = path.read_bytes().lower()
            for canary in (b"ben.bauer", b"bauer"):
                assert canary not in data, (path.name, canary)


def test_forget_also_erases_mentions_in_other_leads(
    db: Database, clock: FixedClock, inbox: Inbox
) -> None:
    """A merge record naming the forgotten address on another lead is erased too."""
    with db.write() as s:
        merge_leads(s, inbox.anna, inbox.ben, now=clock.now() + timedelta(minutes=1))
    forget_person(db, ADDRESS)
    assert "ben.bauer" not in dump_everything(db).lower()


def test_forgotten_person_cannot_come_back(db: Database, clock: FixedClock, inbox: Inbox) -> None:
    """Adding the forgotten address again is refused."""
    forget_person(db, ADDRESS)
    with pytest.raises(ProfileError, match="suppression"), db.write() as s:
        add_lead(s, {"email": ADDRESS}, now=clock.now())


def test_forget_several_leads(db: Database, clock: FixedClock, inbox: Inbox) -> None:
    """The bulk forget erases each selected person and suppresses each address's hash."""
    from leaddesk.inbox.forget import forget_leads

    reports = forget_leads(db, [inbox.ben, inbox.clara])
    assert [r.leads for r in reports] == [1, 1]
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Suppression)) == 2
    assert "kestrel" not in dump_everything(db).lower()
