"""The sender process of the crash test.

``python mailtest_worker.py DB CERT`` (password on stdin) imports LeadDesk once and then, for
every ``run`` line on stdin, forks a fresh sender process that runs one ``send_due`` pass — so the
test can SIGKILL dozens of senders without paying the interpreter start-up each time. Each sender
keeps the password in an in-memory keyring (as a desktop keyring would) and logs to the LeadDesk
log file like the CLI does.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import keyring
from sqlalchemy import select

from leaddesk.clock import SystemClock
from leaddesk.db.engine import Database
from leaddesk.db.models import SenderAccount
from leaddesk.logs import configure_logging
from leaddesk.mail import secrets
from leaddesk.mail.sender import send_due
from tests.mail.mailtest_keyring import MemoryKeyring, client_context


def sender_pass(db_path: str, cert_path: str, password: str) -> None:
    """One sender process: keyring, log, database, one pass."""
    keyring.set_keyring(MemoryKeyring())
    configure_logging(verbose=True)
    db = Database(db_path)  # already migrated by the test; skips importing Alembic
    with db.session() as session:
        for account in session.scalars(select(SenderAccount)):
            secrets.set_password("smtp", account.id, account.smtp_username, password)
    print(f"ready {os.getpid()}", flush=True)
    report = send_due(db, SystemClock(), tls_context=client_context(Path(cert_path)))
    print(f"done sent={report.sent} unknown={report.unknown} busy={report.busy}", flush=True)
    db.dispose()


def main() -> int:
    """Fork one sender per ``run`` command; report each sender's exit on ``reap``."""
    db_path, cert_path = sys.argv[1], sys.argv[2]
    password = sys.stdin.readline().rstrip("\n")
    print("zygote", flush=True)
    child = 0
    for line in sys.stdin:
        command = line.strip()
        if command == "run":
            child = os.fork()
            if child == 0:
                try:
                    sender_pass(db_path, cert_path, password)
                finally:
                    os._exit(0)
        elif command == "reap":
            _, status = os.waitpid(child, 0)
            print(f"status {os.waitstatus_to_exitcode(status)}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
