"""``leaddesk sync-mailbox`` and ``leaddesk mailbox set|test|status``: the IMAP side of accounts."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from typing import Any

from leaddesk.cli import CommandError
from leaddesk.clock import SystemClock
from leaddesk.commands.common import database_from_args, print_json
from leaddesk.mailbox.settings import (
    DEFAULT_PORTS,
    SECURITY_CHOICES,
    ImapConfig,
    check_connection,
    find_account,
    mailbox_status,
    save_imap_settings,
)
from leaddesk.mailbox.sync import sync_mailbox


def register(subparsers: Any) -> None:
    """Add ``sync-mailbox`` and ``mailbox``."""
    sync = subparsers.add_parser(
        "sync-mailbox",
        help="read replies, bounces and unsubscribes from IMAP once (never changes the mailbox)",
    )
    sync.add_argument("--account", metavar="NAME", help="only this sender account")
    sync.add_argument("--json", action="store_true", help="print JSON")
    sync.set_defaults(handler=run_sync)

    mailbox = subparsers.add_parser("mailbox", help="IMAP settings of a sender account")
    actions = mailbox.add_subparsers(title="actions", metavar="ACTION", required=True)
    configure = actions.add_parser("set", help="change an account's IMAP settings")
    configure.add_argument("account", metavar="ACCOUNT", help="sender account name or id")
    configure.add_argument("--host", help="IMAP server, e.g. imap.example.com")
    configure.add_argument("--port", type=int, help="993 for SSL, 143 for STARTTLS")
    configure.add_argument("--security", choices=SECURITY_CHOICES)
    configure.add_argument("--username", help="IMAP login (default: the from address)")
    configure.add_argument("--folders", help="comma-separated folders to watch (default INBOX)")
    configure.add_argument("--sent-folder", help="where sent mail is kept (default Sent)")
    configure.add_argument("--poll-minutes", type=int, help="how often the app checks (5)")
    configure.add_argument(
        "--sent-copy",
        choices=("on", "off"),
        help="file a copy of each sent email in the Sent folder (on; skipped for Gmail, "
        "Google Workspace and Microsoft 365, which do it themselves)",
    )
    configure.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    configure.set_defaults(handler=run_set)

    check = actions.add_parser("test", help="log in and check the folders (read-only)")
    check.add_argument("account", metavar="ACCOUNT")
    check.add_argument("--json", action="store_true", help="print JSON")
    check.set_defaults(handler=run_test)

    status = actions.add_parser("status", help="last sync and errors of every account")
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(handler=run_status)


def _account_config(args: argparse.Namespace) -> tuple[int, str, ImapConfig]:
    db = database_from_args(args)
    with db.session() as session:
        try:
            account = find_account(session, args.account)
        except LookupError as error:
            raise CommandError(f"{error} — add it under Settings → Accounts first") from error
        return account.id, account.from_address, ImapConfig.of(account)


def run_set(args: argparse.Namespace) -> int:
    """Change the IMAP settings named on the command line; keep the others."""
    account_id, from_address, config = _account_config(args)
    if args.host is not None:
        config.host = args.host
    if args.security is not None:
        config.security = args.security
        if args.port is None:
            config.port = DEFAULT_PORTS[args.security]
    if args.port is not None:
        config.port = args.port
    if args.username is not None:
        config.username = args.username
    config.username = config.username or from_address
    if args.folders is not None:
        config.folders = [f.strip() for f in args.folders.split(",") if f.strip()]
    if args.sent_folder is not None:
        config.sent_folder = args.sent_folder
    if args.poll_minutes is not None:
        config.poll_minutes = args.poll_minutes
    if args.sent_copy is not None:
        config.append_to_sent = args.sent_copy == "on"
    password = sys.stdin.readline().rstrip("\r\n") if args.password_stdin else None
    try:
        stored = save_imap_settings(database_from_args(args), account_id, config, password)
    except (ValueError, LookupError) as error:
        raise CommandError(str(error)) from error
    print(f"IMAP settings saved for {args.account}: {config.username}@{config.host}:{config.port}")
    if password and not stored:
        print("warning: no system keyring is available; the password was not saved")
    return 0


def run_test(args: argparse.Namespace) -> int:
    """Log in read-only and report the folders."""
    account_id, _, config = _account_config(args)
    check = check_connection(config, None, account_id=account_id)
    if args.json:
        print_json(check.to_dict())
    else:
        print(check.message)
        for folder, count in check.folders.items():
            print(f"  {folder}: {count} messages")
    return 0 if check.ok else 1


def run_status(args: argparse.Namespace) -> int:
    """Show when each account's mailbox was last read and any error."""
    rows = mailbox_status(database_from_args(args))
    if args.json:
        print_json([asdict(r) for r in rows])
        return 0
    for row in rows:
        if not row.configured:
            state = "IMAP not set up"
        elif row.error:
            state = f"error: {row.error}"
        else:
            state = f"last sync {row.last_sync_at or 'never'}"
        print(f"{row.account}: {state}")
        if row.warning:
            print(f"  deliverability warning: {row.warning}")
    return 0


def run_sync(args: argparse.Namespace) -> int:
    """Run one mailbox pass and report what it found; exit 1 when an account failed."""
    db = database_from_args(args)
    account_ids = None
    if args.account:
        with db.session() as session:
            try:
                account_ids = [find_account(session, args.account).id]
            except LookupError as error:
                raise CommandError(str(error)) from error
    report = sync_mailbox(db, SystemClock(), account_ids=account_ids)
    if args.json:
        print_json(report.to_dict())
    else:
        if not report.accounts:
            print("no sender account has IMAP settings (leaddesk mailbox set ACCOUNT --host ...)")
        for result in report.accounts:
            if not result.ok:
                print(f"{result.account}: {result.error}")
                continue
            found = ", ".join(f"{n} {k}" for k, n in sorted(result.counts.items())) or "nothing new"
            print(f"{result.account}: {found}")
            for reply in result.replies:
                print(f"  reply from {reply.lead_name}: {reply.subject} — {reply.snippet}")
            if result.warning:
                print(f"  deliverability warning: {result.warning}")
    return 0 if report.ok else 1
