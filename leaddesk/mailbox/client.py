"""A strictly read-only IMAP connection (imap-tools over a guarded imaplib client).

LeadDesk reads the user's own mailbox and must never change it: folders are opened with
``EXAMINE``, messages are fetched with ``BODY.PEEK``, and the imaplib client underneath refuses
every command that could set a flag, move, copy, append or delete anything — so a future edit
cannot break the promise by accident.
"""

from __future__ import annotations

import contextlib
import imaplib
import re
import ssl
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from email import policy
from email.message import Message
from email.parser import BytesParser
from typing import Any

from imap_tools import BaseMailBox, MailMessage
from imap_tools.errors import MailboxLoginError

CONNECT_TIMEOUT_SECONDS = 30.0
FETCH_BATCH = 50

# Commands that change a mailbox (RFC 3501, 4315, 6851, 4314, 5464) — never sent.
FORBIDDEN_COMMANDS = frozenset(
    {
        "SELECT",  # read-write open; EXAMINE is used instead
        "STORE",
        "COPY",
        "MOVE",
        "EXPUNGE",
        "CLOSE",  # expunges a read-write mailbox
        "APPEND",
        "CREATE",
        "DELETE",
        "RENAME",
        "SUBSCRIBE",
        "UNSUBSCRIBE",
        "SETACL",
        "DELETEACL",
        "SETQUOTA",
        "SETMETADATA",
        "SETANNOTATION",
    }
)


class ReadOnlyViolation(RuntimeError):
    """Raised instead of sending a command that could change the user's mailbox."""


def check_read_only(name: str, args: Sequence[Any]) -> None:
    """Refuse ``name`` (and ``UID <sub>``) when it could change the mailbox."""
    command = name.upper()
    if command == "UID" and args:
        sub = args[0]
        command = (sub.decode() if isinstance(sub, bytes) else str(sub)).upper()
    if command in FORBIDDEN_COMMANDS:
        raise ReadOnlyViolation(f"LeadDesk never sends IMAP {command}: the mailbox is read-only")
    if command == "FETCH":
        parts = " ".join(a.decode() if isinstance(a, bytes) else str(a) for a in args).upper()
        if re.search(r"\b(BODY|BINARY)\[|RFC822(?!\.SIZE|\.HEADER)", parts):
            raise ReadOnlyViolation("LeadDesk fetches with BODY.PEEK only (no \\Seen flag)")


class _GuardMixin(imaplib.IMAP4):
    def _command(self, name: str, *args: Any) -> Any:
        try:
            check_read_only(name, args)
        except ReadOnlyViolation:
            self.literal = None  # APPEND stages its literal before the command is built
            raise
        return super()._command(name, *args)  # type: ignore[misc]


class ReadOnlyIMAP4(_GuardMixin, imaplib.IMAP4):
    """imaplib.IMAP4 that refuses mailbox-changing commands."""


class ReadOnlyIMAP4SSL(_GuardMixin, imaplib.IMAP4_SSL):
    """imaplib.IMAP4_SSL that refuses mailbox-changing commands."""


@dataclass(frozen=True)
class ImapSettings:
    """Where and how to reach one account's IMAP server."""

    host: str
    port: int
    security: str  # "ssl" | "starttls" | "none"
    username: str
    password: str


@dataclass(frozen=True)
class FetchedMessage:
    """One message as read from a folder: its UID, server flags and parsed content.

    Whole messages are parsed with the modern policy (``EmailMessage``); headers-only fetches
    with the fast compat32 policy (plain ``Message``, header values as raw strings).
    """

    uid: int
    flags: tuple[str, ...]
    message: Message


class _RawMailMessage(MailMessage):
    """imap-tools' message keeping the raw bytes; parsing is left to the caller."""

    def __init__(self, fetch_data: list[Any]) -> None:
        raw, raw_uid, raw_flags = self._get_message_data_parts(fetch_data)
        self._raw_uid_data = raw_uid
        self._raw_flag_data = raw_flags
        self.raw = raw


class ReadOnlyMailBox(BaseMailBox):
    """An imap-tools mailbox over a guarded client; every folder is opened with EXAMINE."""

    email_message_class = _RawMailMessage

    def __init__(self, settings: ImapSettings, ssl_context: ssl.SSLContext | None = None) -> None:
        self._settings = settings
        self._ssl_context = ssl_context or ssl.create_default_context()
        super().__init__()

    def _get_mailbox_client(self) -> imaplib.IMAP4:
        s = self._settings
        if s.security == "ssl":
            return ReadOnlyIMAP4SSL(
                s.host, s.port, ssl_context=self._ssl_context, timeout=CONNECT_TIMEOUT_SECONDS
            )
        client = ReadOnlyIMAP4(s.host, s.port, timeout=CONNECT_TIMEOUT_SECONDS)
        if s.security == "starttls":
            client.starttls(self._ssl_context)
        return client

    def open(self) -> ReadOnlyMailBox:
        """Log in without opening any folder."""
        self.login(self._settings.username, self._settings.password, initial_folder=None)
        return self

    def examine(self, folder: str) -> tuple[int, int]:
        """Open ``folder`` read-only; returns (UIDVALIDITY, UIDNEXT)."""
        status = self.folder.status(folder, ["UIDVALIDITY", "UIDNEXT"])
        self.folder.set(folder, readonly=True)
        return int(status["UIDVALIDITY"]), int(status.get("UIDNEXT", 0))

    def uids_after(self, last_uid: int, since: str | None = None) -> list[int]:
        """UIDs in the open folder greater than ``last_uid`` (optionally only SINCE a date)."""
        criteria = f"UID {last_uid + 1}:*"
        if since:
            criteria += f" SINCE {since}"
        return sorted(u for u in (int(x) for x in self.uids(criteria)) if u > last_uid)

    def find_message_id(self, message_id: str) -> list[int]:
        """UIDs in the open folder whose Message-ID header contains ``message_id``."""
        value = message_id.replace("\\", "").replace('"', "")
        return [int(x) for x in self.uids(f'HEADER Message-ID "{value}"')]

    def fetch_messages(
        self, uids: Sequence[int], *, headers_only: bool
    ) -> Iterator[FetchedMessage]:
        """Fetch ``uids`` with BODY.PEEK (whole messages or headers only), in batches."""
        parser = BytesParser(policy=policy.compat32 if headers_only else policy.default)
        for start in range(0, len(uids), FETCH_BATCH):
            chunk = [str(u) for u in uids[start : start + FETCH_BATCH]]
            for item in self.fetch(
                uid_list=chunk, mark_seen=False, headers_only=headers_only, bulk=True
            ):
                assert isinstance(item, _RawMailMessage)
                message = parser.parsebytes(item.raw)
                yield FetchedMessage(uid=int(item.uid or 0), flags=item.flags, message=message)


def connect(settings: ImapSettings, ssl_context: ssl.SSLContext | None = None) -> ReadOnlyMailBox:
    """Connect and log in; raises :class:`MailboxError` with what the user should fix."""
    try:
        return _open(settings, ssl_context)
    except MailboxLoginError as error:
        raise MailboxError(
            f"IMAP login failed for {settings.username!r} on {settings.host} — check the "
            "username and password in the account's IMAP settings"
        ) from error
    except ssl.SSLError as error:
        raise MailboxError(
            f"TLS failed with {settings.host}:{settings.port} ({error.reason}) — check the "
            "security setting (SSL on 993, STARTTLS on 143)"
        ) from error
    except (OSError, imaplib.IMAP4.error) as error:
        raise MailboxError(
            f"cannot reach the IMAP server {settings.host}:{settings.port} ({error}) — check the "
            "host, the port and the network"
        ) from error


def _open(settings: ImapSettings, ssl_context: ssl.SSLContext | None) -> ReadOnlyMailBox:
    box: ReadOnlyMailBox | None = None
    try:
        box = ReadOnlyMailBox(settings, ssl_context)
        return box.open()
    except BaseException:
        if box is not None:
            with contextlib.suppress(OSError):
                box.client.shutdown()
        raise


class MailboxError(Exception):
    """An IMAP problem, worded as what the user should fix."""
