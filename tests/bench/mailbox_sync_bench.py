"""Benchmark: one mailbox sync over a large inbox on a real Dovecot (not part of the test run).

Run from the repository root:  python3 tests/bench/mailbox_sync_bench.py [--messages 5000]
(``python -m tests.bench.mailbox_sync_bench`` works too).

Targets: a poll runs every 5 minutes, so a first sync of 5,000 inbox messages must finish well
inside that (target < 30 s) and an incremental poll with nothing new in under a second.

Same-run reference: a plain ``imaplib`` session on the same Dovecot fetches the same messages
the same way the sync does (EXAMINE, UID SEARCH, then BODY.PEEK[HEADER] in batches of 50 and
BODY.PEEK[] of the replies), with no parsing and no database: what the server and the
connection cost at least. It runs once before the sync (the server's first look at the
folder: it builds its indexes) and once after it; the incremental poll's reference is one
EXAMINE + UID SEARCH.
"""

from __future__ import annotations

import argparse
import imaplib
import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script, from anywhere

import keyring
from keyring.backend import KeyringBackend

FETCH_BATCH = 50  # as leaddesk.mailbox.client fetches


def plain_fetch(client: imaplib.IMAP4, replies: int) -> tuple[int, int]:
    """Fetch every INBOX header, then the last ``replies`` whole messages, as the sync does.

    Returns (messages whose headers were read, bytes received).
    """
    client.select("INBOX", readonly=True)  # EXAMINE
    _, found = client.uid("SEARCH", "ALL")
    uids = found[0].split()
    received = 0
    for start in range(0, len(uids), FETCH_BATCH):
        chunk = b",".join(uids[start : start + FETCH_BATCH]).decode()
        _, data = client.uid("FETCH", chunk, "(UID FLAGS BODY.PEEK[HEADER])")
        received += sum(len(part[1]) for part in data if isinstance(part, tuple))
    wanted = uids[-replies:] if replies else []
    for start in range(0, len(wanted), FETCH_BATCH):
        chunk = b",".join(wanted[start : start + FETCH_BATCH]).decode()
        _, data = client.uid("FETCH", chunk, "(UID FLAGS BODY.PEEK[])")
        received += sum(len(part[1]) for part in data if isinstance(part, tuple))
    return len(uids), received


def plain_poll(client: imaplib.IMAP4) -> None:
    """The least an incremental poll costs: open the folder, ask for newer UIDs."""
    client.select("INBOX", readonly=True)
    client.uid("SEARCH", "UID", "999999:*")


class _MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.values.pop((service, username), None)


def main() -> int:
    """Seed the mailbox, sync twice, print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000, help="unrelated inbox messages")
    parser.add_argument("--leads", type=int, default=300, help="enrolled leads (each replies)")
    args = parser.parse_args()
    os.environ["LEADDESK_HOME"] = tempfile.mkdtemp(prefix="leaddesk-bench-")
    keyring.set_keyring(_MemoryKeyring())

    import tests.mailbox.mailbox_messages as msgs
    from leaddesk.clock import FixedClock
    from leaddesk.db.migrate import open_database
    from leaddesk.mailbox import sync_mailbox
    from tests.mailbox.conftest import make_world
    from tests.support.dovecot import start_dovecot

    server = start_dovecot()
    try:
        db = open_database(os.path.join(os.environ["LEADDESK_HOME"], "bench.sqlite3"))
        clock = FixedClock(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
        world = make_world(db, clock, server, "sales@ourco.test")
        started = time.perf_counter()
        parents = [world.add_lead(f"lead{i}@acme{i % 40}.test")[1] for i in range(args.leads)]
        client = server.connect(world.user)
        now = clock.now()
        for i in range(args.messages):
            raw = msgs.newsletter(world.user, now - timedelta(minutes=i))
            client.append("INBOX", None, None, raw.replace(b"news-2026-03", f"n{i}".encode()))
        for parent in parents:
            raw = msgs.human_reply(parent.to_address, world.user, parent.message_id, "x", now)
            client.append("INBOX", None, None, raw)
        client.logout()
        seeded = time.perf_counter() - started

        reference = server.connect(world.user)
        started = time.perf_counter()
        plain_fetch(reference, args.leads)  # the server's first look: it builds its indexes
        cold_s = time.perf_counter() - started
        started = time.perf_counter()
        first = sync_mailbox(db, clock)
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        second = sync_mailbox(db, clock)
        second_s = time.perf_counter() - started
        assert first.ok and second.ok
        started = time.perf_counter()
        read, received = plain_fetch(reference, args.leads)
        plain_s = time.perf_counter() - started
        started = time.perf_counter()
        plain_poll(reference)
        poll_s = time.perf_counter() - started
        reference.logout()
        total = args.messages + args.leads
        assert read == total, f"the reference read {read} messages, expected {total}"
        print(f"seeded {total} messages and {args.leads} leads in {seeded:.1f} s")
        print(
            f"reference (plain imaplib, same fetches, no parsing): {plain_s:.3f} s for {read} "
            f"messages ({read / plain_s:.0f} msg/s, {received >> 10} KiB); the same on the "
            f"server's first look {cold_s:.3f} s"
        )
        print(
            f"first sync: {first_s:.2f} s for {total} messages "
            f"({total / first_s:.0f} msg/s, {first_s / plain_s:.1f}x the reference; "
            f"target < 30 s), counts {first.accounts[0].counts}"
        )
        print(
            f"incremental sync (nothing new): {second_s * 1000:.0f} ms "
            f"(reference EXAMINE + UID SEARCH {poll_s * 1000:.1f} ms; target < 1 s)"
        )
        ok = first_s < 30 and second_s < 1
        print("PASS" if ok else "MISSED A TARGET")
        return 0 if ok else 1
    finally:
        server.stop()
        shutil.rmtree(os.environ["LEADDESK_HOME"], ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
