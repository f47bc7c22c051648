"""``leaddesk send-due``: one sending pass from the shell or cron.

Cron runs it every few minutes, mostly with nothing due: a Core SQL check (no ORM, no models,
no mail code imported) answers that case quickly; anything due takes the full path.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from leaddesk.commands.common import database_from_args, print_json

if TYPE_CHECKING:
    from leaddesk.db.engine import Database
    from leaddesk.db.models import SenderAccount

NOTHING_SENT = "sent 0, deferred 0, failed 0, bounced 0, cancelled 0, expired 0, unknown 0"


def register(subparsers: Any) -> None:
    """Add ``send-due``."""
    due = subparsers.add_parser("send-due", help="send what is due now (one pass; for cron)")
    due.add_argument("--limit", type=int, help="send at most N messages")
    due.add_argument(
        "--password-stdin",
        action="store_true",
        help="password for accounts whose password is not in a keyring (one line on stdin)",
    )
    due.add_argument("--json", action="store_true", help="print JSON")
    due.set_defaults(handler=run_send_due)


def run_send_due(args: argparse.Namespace) -> int:
    """One sending pass; exit 0 (even when nothing was due), 3 when emails were due and none
    could be sent because setup is missing (no sender account, no postal address)."""
    from leaddesk.clock import SystemClock
    from leaddesk.mail.due_check import anything_due

    db = database_from_args(args)
    typed = sys.stdin.readline().rstrip("\r\n") if args.password_stdin else None
    clock = SystemClock()
    if not args.json and not anything_due(db, clock.now()):
        print(NOTHING_SENT)
        return 0
    from leaddesk.errors import TEMPORARY_FAILURE
    from leaddesk.mail import secrets
    from leaddesk.mail.accounts import SMTP_KIND, account_password
    from leaddesk.mail.sender import send_due
    from leaddesk.sequences.scheduler import run_due

    def password_for(account: SenderAccount) -> str | None:
        stored = account_password(account)
        if stored is None and typed is not None:
            secrets.remember_for_session(SMTP_KIND, account.id, account.smtp_username, typed)
            return typed
        return stored

    # Plan first: steps that came due while the app was closed become messages (once each).
    planned = run_due(db, clock.now())
    report = send_due(db, clock, args.limit, password_for=password_for)
    if args.json:
        print_json({**report.as_dict(), "planned": planned.as_dict()})
        return 0 if report.sent or not planned.blocked else report_blockers_quietly(db)
    if planned.messages or planned.tasks:
        print(f"planned {planned.messages} email(s) and {planned.tasks} task(s) that came due")
    if report.busy:
        print("another LeadDesk sender is working right now; nothing done")
        return 0
    print(
        f"sent {report.sent}, deferred {report.deferred}, failed {report.failed}, "
        f"bounced {report.bounced}, cancelled {report.cancelled}, expired {report.expired}, "
        f"unknown {report.unknown}"
    )
    if report.recovered_unknown:
        print(f"{report.recovered_unknown} message(s) were interrupted mid-send and are now "
              "'unknown': check the Sent folder, then `leaddesk outbox --mark-sent ID` or "
              "`--resend ID`")  # fmt: skip
    if report.rescheduled:
        print(f"{report.rescheduled} message(s) left by a sender that stopped before handing "
              "them to the server went back to the queue")  # fmt: skip
    if report.stopped_busy:
        print(f"stopped before the next email: another program kept the database locked for "
              f"{report.waited_for_database:.0f} s. What went out is recorded; the rest goes "
              "at the next run.")  # fmt: skip
    elif report.waited_for_database >= 1:
        print(f"waited {report.waited_for_database:.0f} s for another program to finish "
              "writing to the database")  # fmt: skip
    if report.paused_all:
        print("sending is paused for all accounts (Settings → Pause all sending)")
    for account_id, reason in report.paused_accounts.items():
        print(f"account {account_id} paused: {reason}")
    for account_id in report.needs_password:
        print(f"account {account_id}: no password available (no keyring); use --password-stdin")
    if report.busy_accounts and not report.busy:
        listed = ", ".join(str(a) for a in report.busy_accounts)
        print(f"account(s) {listed}: another LeadDesk copy is sending from them right now")
    if report.others_note:
        print(report.others_note)
    if report.next_send_at is not None:
        print(f"next send: {report.next_send_at:%Y-%m-%d %H:%M} UTC")
    if report.stopped_busy:
        return TEMPORARY_FAILURE
    return report_blockers(db, sum(planned.blocked.values()), report.sent)


def report_blockers_quietly(db: Database) -> int:
    """The exit status of :func:`report_blockers` without printing (for ``--json``)."""
    from leaddesk.commands.setup import SETUP_MISSING
    from leaddesk.setup.checklist import sending_blockers

    with db.session() as session:
        return SETUP_MISSING if sending_blockers(session, db) else 0


def report_blockers(db: Database, blocked: int, sent: int) -> int:
    """Say what keeps due emails from going out and what to run; 3 when nothing could be sent
    because setup is missing (so cron mails the owner), else 0."""
    from leaddesk.commands.setup import SETUP_MISSING
    from leaddesk.setup.checklist import sending_blockers

    if not blocked:
        return 0
    with db.session() as session:
        missing = sending_blockers(session, db)
    if not missing:
        return 0
    lead_in = "Nothing could be sent" if not sent else "Some emails could not be sent"
    print(f"{lead_in}: {blocked} email(s) are due, but setup is missing:")
    for item in missing:
        print(f"  {item.title}: {item.detail}\n    run: {item.cli_hint}")
    print("  (`leaddesk doctor` shows the whole checklist)")
    return SETUP_MISSING if not sent else 0
