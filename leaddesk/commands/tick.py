"""``leaddesk tick``: run every timer that is due, then send — one command for cron."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from leaddesk.clock import SystemClock
from leaddesk.commands.common import database_from_args, print_json


def register(subparsers: Any) -> None:
    """Add the ``tick`` subcommand."""
    tick = subparsers.add_parser(
        "tick",
        help="run every due timer (follow-up deadlines, escalation, sequence steps, score "
        "decay) and send what is due; for cron, safe to run from several places at once",
    )
    tick.add_argument("--no-send", action="store_true", help="run the timers, send nothing")
    tick.add_argument(
        "--password-stdin",
        action="store_true",
        help="password for accounts whose password is not in a keyring (one line on stdin)",
    )
    tick.add_argument("--json", action="store_true", help="print JSON")
    tick.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """One tick; exit 0 when it ran (even with nothing due), 3 when emails were due and none
    could be sent because setup is missing (not with ``--no-send``)."""
    from leaddesk.commands.sending import report_blockers, report_blockers_quietly
    from leaddesk.mail.accounts import account_password
    from leaddesk.tick import run_tick

    typed = sys.stdin.readline().rstrip("\r\n") if args.password_stdin else None

    def password_for(account: Any) -> str | None:
        stored = account_password(account)
        return stored if stored is not None else typed

    db = database_from_args(args)
    report = run_tick(db, SystemClock(), send=not args.no_send, password_for=password_for)
    # --no-send asked for no sending: what blocks it is printed, but is no failure then
    blocked = sum(report.sequences.blocked.values()) if not args.no_send else 0
    if args.json:
        print_json(report.as_dict())
        sent = report.sending.sent if report.sending is not None else 0
        return report_blockers_quietly(db) if blocked and not sent else 0
    timers, steps = report.handoff, report.sequences
    print(
        f"hand-offs: {timers.handed_off} new, {timers.assigned} assigned, {timers.breached} "
        f"deadline(s) missed, {timers.escalated} escalated, {timers.alerts} alert(s) queued"
    )
    if report.timers.recycled:
        print(f"recycling: {report.timers.recycled} lead(s) back to nurture")
    reengaged = report.timers.reengagement
    if reengaged is not None:
        print(
            f"re-engagement: {reengaged.enrolled} of {reengaged.eligible} lead(s) enrolled, "
            f"{reengaged.unresponsive} marked unresponsive"
        )
    print(f"sequences: {steps.messages} email(s) and {steps.tasks} task(s) planned")
    if steps.blocked:
        print("  blocked: " + ", ".join(f"{why} ({n})" for why, n in steps.blocked.items()))
    if report.decay is not None:
        print(f"scores: {report.decay.changed} of {report.decay.leads} changed by decay")
    sending = report.sending
    if sending is not None:
        if sending.busy:
            print("sending: another LeadDesk is sending right now; it will send what is due")
        else:
            print(
                f"sending: sent {sending.sent}, deferred {sending.deferred}, failed "
                f"{sending.failed}, bounced {sending.bounced}"
            )
            for account_id, why in sending.paused_accounts.items():
                print(f"  account {account_id} paused: {why}")
    sent = sending.sent if sending is not None else 0
    return report_blockers(db, blocked, sent)
