"""Benchmark: one mailbox sync over a large inbox on a real Dovecot (not part of the test run).

Run from the repository root:  python -m tests.bench.mailbox_sync_bench [--messages 5000]

Reference: a poll runs every 5 minutes, so a first sync of 5,000 inbox messages must finish well
inside that (target < 30 s) and an incremental poll with nothing new in under a second.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script, from anywhere

import keyring
from keyring.backend import KeyringBackend


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

        started = time.perf_counter()
        first = sync_mailbox(db, clock)
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        second = sync_mailbox(db, clock)
        second_s = time.perf_counter() - started
        assert first.ok and second.ok
        total = args.messages + args.leads
        print(f"seeded {total} messages and {args.leads} leads in {seeded:.1f} s")
        print(
            f"first sync: {first_s:.2f} s for {total} messages "
            f"({total / first_s:.0f} msg/s), counts {first.accounts[0].counts}"
        )
        print(f"incremental sync (nothing new): {second_s * 1000:.0f} ms")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
