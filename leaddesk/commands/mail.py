"""``leaddesk account …``, ``leaddesk send-due`` and ``leaddesk outbox``: sending from the shell."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from sqlalchemy import func, select

from leaddesk.cli import CommandError
from leaddesk.clock import SystemClock
from leaddesk.commands.common import database_from_args, print_json
from leaddesk.db.models import OutboxState, SenderAccount, TeamMember
from leaddesk.mail import actions, secrets
from leaddesk.mail.accounts import (
    PRESETS,
    SECURITY_CHOICES,
    AccountError,
    account_password,
    account_values,
    add_account,
    domain_volume_warnings,
    edit_account,
    find_account,
    remove_account,
)
from leaddesk.mail.check import test_connection
from leaddesk.mail.transport import ServerSettings

_OPTION_FIELDS = {
    "from_address": "from_address",
    "display_name": "display_name",
    "reply_to": "reply_to",
    "provider": "provider",
    "host": "smtp_host",
    "port": "smtp_port",
    "security": "smtp_security",
    "username": "smtp_username",
    "per_minute": "per_minute",
    "per_hour": "per_hour",
    "per_day": "per_day",
    "unsubscribe_mailto": "unsubscribe_mailto",
    "unsubscribe_url": "unsubscribe_url",
}


def register(subparsers: Any) -> None:
    """Add ``account`` and ``outbox``."""
    account = subparsers.add_parser("account", help="sender accounts (SMTP)")
    verbs = account.add_subparsers(title="account commands", metavar="ACTION", required=True)
    add = verbs.add_parser("add", help="add a sender account")
    add.add_argument("name", help="a name for the account, e.g. 'Sales mailbox'")
    add.add_argument("--from", dest="from_address", required=True, help="the From address")
    _account_options(add, provider_default="custom")
    add.set_defaults(handler=run_add)
    edit = verbs.add_parser("edit", help="change an account (and un-pause it)")
    edit.add_argument("account", help="account name or id")
    edit.add_argument("--from", dest="from_address", help="the From address")
    edit.add_argument("--name", dest="new_name", help="rename the account")
    _account_options(edit, provider_default=None)
    edit.set_defaults(handler=run_edit)
    listing = verbs.add_parser("list", help="list sender accounts")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=run_list)
    check = verbs.add_parser("test", help="test the connection: reach, TLS, login")
    check.add_argument("account", help="account name or id")
    check.add_argument("--password-stdin", action="store_true", help="read the password")
    check.add_argument("--json", action="store_true", help="print JSON")
    check.set_defaults(handler=run_test)
    remove = verbs.add_parser("remove", help="remove an account and its stored password")
    remove.add_argument("account", help="account name or id")
    remove.set_defaults(handler=run_remove)

    box = subparsers.add_parser("outbox", help="list the outbox or act on one message")
    box.add_argument(
        "--state",
        action="append",
        choices=[s.value for s in OutboxState],
        help="only messages in this state (repeatable)",
    )
    box.add_argument("--limit", type=int, default=200, help="at most N rows (default 200)")
    box.add_argument("--json", action="store_true", help="print JSON")
    box.add_argument("--retry", type=int, metavar="ID", help="send a failed/expired message again")
    box.add_argument("--cancel", type=int, metavar="ID", help="cancel a scheduled message")
    box.add_argument("--mark-sent", type=int, metavar="ID", help="resolve an unknown as sent")
    box.add_argument("--resend", type=int, metavar="ID", help="resolve an unknown by resending")
    box.set_defaults(handler=run_outbox)


def _account_options(parser: argparse.ArgumentParser, *, provider_default: str | None) -> None:
    parser.add_argument(
        "--provider",
        choices=list(PRESETS),
        default=provider_default,
        help="fills in server and published limits (gmail, workspace, microsoft365, custom)",
    )
    parser.add_argument("--host", help="SMTP server name")
    parser.add_argument("--port", type=int, help="SMTP port (465 SSL, 587 STARTTLS)")
    parser.add_argument(
        "--security",
        choices=SECURITY_CHOICES,
        help="ssl, starttls or none (none only for localhost)",
    )
    parser.add_argument("--username", help="login name (default: the From address)")
    parser.add_argument("--display-name", help="the name shown next to the From address")
    parser.add_argument("--reply-to", help="Reply-To address")
    parser.add_argument("--per-minute", type=int, help="at most N messages a minute")
    parser.add_argument("--per-hour", type=int, help="at most N messages an hour")
    parser.add_argument("--per-day", type=int, help="at most N messages a day")
    parser.add_argument("--unsubscribe-mailto", help="address that receives unsubscribe mails")
    parser.add_argument("--unsubscribe-url", help="https URL for one-click unsubscribe")
    parser.add_argument(
        "--owner",
        metavar="EMAIL|team",
        help="the team member whose LeadDesk sends from it and reads its mailbox "
        "(default: team, any copy)",
    )
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of stdin",
    )
    parser.add_argument("--no-password", action="store_true",
                        help="the server needs no login (local relay)")  # fmt: skip


def _read_password(args: argparse.Namespace, prompt: str) -> str | None:
    if getattr(args, "no_password", False):
        return None
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise CommandError("no terminal to ask for the password: use --password-stdin")
    return getpass.getpass(prompt)


def _values(args: argparse.Namespace) -> dict[str, Any]:
    values = {}
    for option, field_name in _OPTION_FIELDS.items():
        value = getattr(args, option, None)
        if value is not None:
            values[field_name] = value
    return values


def _storage_note(storage: secrets.Storage | None) -> None:
    if storage is secrets.Storage.SESSION:
        print(
            "note: this computer has no keyring, so the password was not saved. The app asks "
            "for it once per session; for cron use `leaddesk send-due --password-stdin`.",
            file=sys.stderr,
        )


def run_add(args: argparse.Namespace) -> int:
    """Add an account, store its password in the keyring, print warnings."""
    values = {"name": args.name, **_values(args)}
    if getattr(args, "no_password", False) and "smtp_username" not in values:
        values["smtp_username"] = ""  # no password, so no login at all (a relay)
    password = _read_password(args, f"SMTP password for {args.from_address}: ")
    db = database_from_args(args)
    try:
        with db.write() as session:
            values.update(_owner(session, args))
            account, storage = add_account(session, values, password=password)
            account_id = account.id
            warnings = domain_volume_warnings(session, SystemClock().now())
    except AccountError as error:
        raise CommandError(str(error)) from None
    print(f"added account {account_id}: {args.name}")
    _storage_note(storage)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def _find(session: Any, key: str) -> SenderAccount:
    account = find_account(session, key)
    if account is None:
        raise CommandError(f"no account named {key!r} (see `leaddesk account list`)")
    return account


def _owner(session: Any, args: argparse.Namespace) -> dict[str, int | None]:
    """``{"member_id": …}`` from ``--owner`` (empty when not given)."""
    given = (getattr(args, "owner", None) or "").strip()
    if not given:
        return {}
    if given.lower() == "team":
        return {"member_id": None}
    member = session.scalar(select(TeamMember).where(func.lower(TeamMember.email) == given.lower()))
    if member is None:
        raise CommandError(f"no team member with the email {given!r} (see `leaddesk team list`)")
    return {"member_id": member.id}


def run_edit(args: argparse.Namespace) -> int:
    """Change an account's settings or password; a fixed account resumes sending."""
    changes = _values(args)
    if args.new_name:
        changes["name"] = args.new_name
    wants_password = args.password_stdin
    password = _read_password(args, "New SMTP password: ") if wants_password else None
    db = database_from_args(args)
    try:
        with db.write() as session:
            account = _find(session, args.account)
            changes.update(_owner(session, args))
            if "provider" in changes:
                preset = PRESETS[changes["provider"]]
                for key in ("per_minute", "per_hour", "per_day"):
                    changes.setdefault(key, getattr(preset, key))
            storage = edit_account(session, account, changes, password=password)
    except AccountError as error:
        raise CommandError(str(error)) from None
    print(f"updated account {args.account}")
    _storage_note(storage)
    return 0


def run_list(args: argparse.Namespace) -> int:
    """Print the accounts (never their passwords)."""
    db = database_from_args(args)
    with db.session() as session:
        accounts = [account_values(a) for a in session.scalars(select(SenderAccount))]
        names = {
            row.id: row.name for row in session.execute(select(TeamMember.id, TeamMember.name))
        }
    for a in accounts:
        a["owner"] = names.get(a["member_id"], "") if a["member_id"] is not None else ""
    if args.json:
        print_json(accounts)
        return 0
    if not accounts:
        print("no sender accounts yet: `leaddesk account add NAME --from ADDRESS --provider …`")
    for a in accounts:
        caps = "/".join(str(a[k] or "-") for k in ("per_minute", "per_hour", "per_day"))
        paused = f"  PAUSED: {a['pause_reason']}" if a["paused_until"] else ""
        owner = f"  owner {a['owner']}" if a["owner"] else "  team"
        print(
            f"{a['id']:>3}  {a['name']}  <{a['from_address']}>  {a['smtp_host']}:"
            f"{a['smtp_port']} {a['smtp_security']}  caps min/hour/day {caps}{owner}{paused}"
        )
    return 0


def run_test(args: argparse.Namespace) -> int:
    """Test an account's connection and print the verdict."""
    db = database_from_args(args)
    with db.session() as session:
        account = _find(session, args.account)
        settings = ServerSettings(
            account.smtp_host, account.smtp_port, account.smtp_security, account.smtp_username
        )
        password = account_password(account)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    if password is None and settings.username:
        raise CommandError("no stored password for this account: use --password-stdin")
    verdict = test_connection(settings, password or "")
    if args.json:
        print_json(verdict.as_dict())
    else:
        print("\n".join(verdict.lines()))
    return 0 if verdict.ok else 2


def run_remove(args: argparse.Namespace) -> int:
    """Remove an account and forget its password."""
    db = database_from_args(args)
    with db.write() as session:
        remove_account(session, _find(session, args.account))
    print(f"removed account {args.account}")
    return 0


def run_outbox(args: argparse.Namespace) -> int:
    """List outbox rows, or retry/cancel/resolve one."""
    db = database_from_args(args)
    now = SystemClock().now()
    action = next(
        (
            (name, value)
            for name, value in (
                ("retry", args.retry),
                ("cancel", args.cancel),
                ("mark_sent", args.mark_sent),
                ("resend", args.resend),
            )
            if value is not None
        ),
        None,
    )
    if action is not None:
        name, row_id = action
        try:
            with db.write() as session:
                getattr(actions, name)(session, row_id, now)
        except actions.OutboxActionError as error:
            raise CommandError(str(error)) from None
        print(f"{name.replace('_', ' ')}: message {row_id}")
        return 0
    with db.session() as session:
        rows = actions.list_outbox(session, states=tuple(args.state or ()), limit=args.limit)
    if args.json:
        print_json([row.__dict__ for row in rows])
        return 0
    if not rows:
        states = ", ".join(args.state or ())
        print(f"No {states} emails in the outbox." if states else "The outbox is empty: emails "
              "appear when a sequence step comes due (see `leaddesk schedule`).")  # fmt: skip
        return 0
    print(f"{'ID':>6}  {'State':<9}  {'When (UTC)':<16}  {'To':<32}  Subject")
    for row in rows:
        when = row.sent_at or row.next_attempt_at or row.due_at
        print(
            f"{row.id:>6}  {row.state:<9}  {when:%Y-%m-%d %H:%M}  {row.to_address:<32}  "
            f"{row.subject[:40]}" + (f"  — {row.reason[:80]}" if row.reason else "")
        )
    return 0
