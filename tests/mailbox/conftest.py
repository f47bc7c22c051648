"""Fixtures for the mailbox tests: a real Dovecot on loopback, an in-memory keyring, a world."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import keyring
import pytest
from keyring.backend import KeyringBackend

from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import (
    Enrollment,
    Lead,
    OutboundMessage,
    OutboxState,
    SenderAccount,
    Sequence,
    SequenceStatus,
    SequenceStep,
    SequenceVersion,
    StepKind,
)
from leaddesk.mail.ids import make_message_id, make_unsubscribe_token
from leaddesk.mailbox.credentials import KIND, set_password
from tests.support.dovecot import PASSWORD, DovecotServer, start_dovecot

_users = itertools.count(1)


class MemoryKeyring(KeyringBackend):
    """A keyring backend that keeps passwords in a dict (tests only)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Every mailbox test stores passwords in memory, never in the real keyring."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[DovecotServer]:
    """A real Dovecot IMAP server on loopback; the test FAILS when it cannot start."""
    try:
        server = start_dovecot()
    except RuntimeError as error:
        pytest.fail(str(error))
    yield server
    server.stop()


@pytest.fixture
def imap_user() -> str:
    """A fresh mailbox (Dovecot user) for this test."""
    return f"sales{next(_users)}@ourco.test"


@dataclass
class World:
    """An account reading a Dovecot mailbox, one sequence, and helpers to add enrolled leads."""

    db: Database
    clock: FixedClock
    server: DovecotServer
    user: str
    account_id: int
    sequence_id: int
    version_id: int
    step_ids: list[int]

    def add_lead(self, email: str, first_name: str = "") -> tuple[int, OutboundMessage]:
        """An enrolled lead whose step 1 was sent yesterday and step 2 is planned in a week.

        Returns the lead id and the sent step-1 message (its Message-ID and token).
        """
        now = self.clock.now()
        with self.db.write() as session:
            lead = Lead(email=email, email_key=email.lower(), first_name=first_name)
            session.add(lead)
            session.flush()
            enrollment = Enrollment(
                lead_id=lead.id,
                sequence_id=self.sequence_id,
                version_id=self.version_id,
                current_position=1,
                next_due_at=now + timedelta(days=7),
                enrolled_at=now - timedelta(days=1),
            )
            session.add(enrollment)
            session.flush()
            sent = self._message(lead, enrollment, 0, OutboxState.SENT, now - timedelta(days=1))
            sent.sent_at = now - timedelta(days=1)
            self._message(lead, enrollment, 1, OutboxState.SCHEDULED, now + timedelta(days=7))
            session.add(sent)
            session.flush()
            session.expunge(sent)
            return lead.id, sent

    def _message(
        self, lead: Lead, enrollment: Enrollment, index: int, state: str, due: datetime
    ) -> OutboundMessage:
        from sqlalchemy.orm import object_session

        session = object_session(lead)
        assert session is not None
        message = OutboundMessage(
            lead_id=lead.id,
            enrollment_id=enrollment.id,
            step_id=self.step_ids[index],
            account_id=self.account_id,
            message_id=make_message_id("sales@ourco.test"),
            to_address=lead.email,
            subject=f"Step {index + 1} for {lead.email}",
            unsubscribe_token=make_unsubscribe_token(),
            state=state,
            due_at=due,
            rendered={"subject": f"Step {index + 1}", "text": "Hello", "html": "<p>Hello</p>"},
        )
        session.add(message)
        return message


def make_world(db: Database, clock: FixedClock, server: DovecotServer, user: str) -> World:
    """Create the account (IMAP on the Dovecot user) and a two-email sequence."""
    with db.write() as session:
        account = SenderAccount(
            name="Sales",
            from_address=user,
            unsubscribe_mailto=user.replace("sales", "unsubscribe"),
            imap_host=server.host,
            imap_port=server.port,
            imap_security="none",
            imap_username=user,
            imap_folders=["INBOX"],
            sent_folder="Sent",
        )
        sequence = Sequence(name="Tradeshow follow-up", status=SequenceStatus.ACTIVE)
        session.add_all([account, sequence])
        session.flush()
        version = SequenceVersion(sequence_id=sequence.id, number=1)
        session.add(version)
        session.flush()
        steps = [
            SequenceStep(version_id=version.id, position=i, kind=StepKind.EMAIL, subject=f"S{i}")
            for i in range(2)
        ]
        session.add_all(steps)
        session.flush()
        world = World(
            db, clock, server, user, account.id, sequence.id, version.id, [s.id for s in steps]
        )
    set_password(KIND, world.account_id, user, PASSWORD)
    client = server.connect(user)
    client.create("Sent")
    client.logout()
    return world


@pytest.fixture
def world(db: Database, clock: FixedClock, dovecot: DovecotServer, imap_user: str) -> World:
    """An account reading its own fresh Dovecot mailbox, with a two-email sequence."""
    return make_world(db, clock, dovecot, imap_user)
