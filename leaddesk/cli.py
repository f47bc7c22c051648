"""The ``leaddesk`` command: the GUI by default, subcommands for scripting and cron."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Any

from leaddesk.errors import TEMPORARY_FAILURE, DatabaseBusy, SchemaError, lost_connection

# Which module registers which subcommand, and its one-line help (each module has
# ``register(subparsers)``; a subcommand's handler is ``args.handler(args)``). Running one command
# imports only its module; ``--help``, ``--version`` and the GUI import none (the listing below
# stands in for them), which keeps start-up fast. tests/test_cli.py checks this table against what
# the modules register, help texts included.
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": (
        "leaddesk.commands.demo",
        "load sample data: leads from two tradeshows, activities, a sequence",
    ),
    "import": (
        "leaddesk.commands.importing",
        "import a CSV/TSV/TXT/XLSX lead list (or undo an import)",
    ),
    "import-visits": (
        "leaddesk.commands.visits",
        "read your website's access logs: tracked email clicks and page views of leads",
    ),
    "info": ("leaddesk.commands.info", "show the database, folders and counts"),
    "leads": ("leaddesk.commands.leads", "list leads (search, filter, sort)"),
    "export": ("leaddesk.commands.leads", "export leads to a .csv or .xlsx file"),
    "forget": (
        "leaddesk.commands.leads",
        "erase a person's data everywhere and keep only a hash of the address",
    ),
    "account": ("leaddesk.commands.mail", "sender accounts (SMTP)"),
    "send-due": ("leaddesk.commands.sending", "send what is due now (one pass; for cron)"),
    "outbox": ("leaddesk.commands.mail", "list the outbox or act on one message"),
    "sync-mailbox": (
        "leaddesk.commands.mailbox",
        "read replies, bounces and unsubscribes from IMAP once (never changes the mailbox)",
    ),
    "mailbox": ("leaddesk.commands.mailbox", "IMAP settings of a sender account"),
    "score": ("leaddesk.commands.scoring", "show a lead's score (and why, with --explain)"),
    "rescore": ("leaddesk.commands.scoring", "re-score every lead now (decay included)"),
    "activity": ("leaddesk.commands.scoring", "record activities"),
    "scoring": ("leaddesk.commands.scoring", "export or import the scoring model"),
    "sequence": ("leaddesk.commands.sequences", "list, create, share and enrol drip sequences"),
    "schedule": ("leaddesk.commands.sequences", "list every planned send and task (sends nothing)"),
    "team": ("leaddesk.commands.team", "the team: reps, managers, marketing"),
    "rules": ("leaddesk.commands.team", "assignment rules: who gets which lead"),
    "sales-settings": (
        "leaddesk.commands.team",
        "show or change the follow-up deadline, escalation and triggers",
    ),
    "handoff": ("leaddesk.commands.handoff", "hand leads to sales (by the rules or to M)"),
    "queue": ("leaddesk.commands.handoff", "the sales queue: open hand-offs by time left"),
    "attempt": ("leaddesk.commands.handoff", "log a follow-up attempt (stops the SLA)"),
    "accept": ("leaddesk.commands.handoff", "accept a handed-off lead"),
    "hand-back": ("leaddesk.commands.handoff", "hand a lead back to marketing, with a reason"),
    "reassign": ("leaddesk.commands.handoff", "give an open hand-off to another rep"),
    "brief": ("leaddesk.commands.handoff", "the lead brief a rep reads before the call"),
    "tick": (
        "leaddesk.commands.tick",
        "run every due timer (follow-up deadlines, escalation, sequence steps, score decay) "
        "and send what is due; for cron, safe to run from several places at once",
    ),
    "outcome": (
        "leaddesk.commands.outcomes",
        "record an outcome: opportunity (amount), won, lost (reason)",
    ),
    "recycle-policies": (
        "leaddesk.commands.outcomes",
        "what happens to leads lost or handed back, per reason",
    ),
    "reengage": (
        "leaddesk.commands.outcomes",
        "re-engagement: leads untouched for 90 days get one more sequence",
    ),
    "report": (
        "leaddesk.commands.reports",
        "a report: funnel, acceleration, sequences, sla, outcomes, calibration, list-health",
    ),
    "setup": (
        "leaddesk.commands.setup",
        "what is set up for sending and what is missing (exit 3 when something is)",
    ),
    "doctor": (
        "leaddesk.commands.setup",
        "what is set up for sending and what is missing (exit 3 when something is)",
    ),
    "settings": (
        "leaddesk.commands.setup",
        "every team-wide setting: postal address, time zone, SLA, thresholds…",
    ),
    "db": ("leaddesk.commands.database", "copy this database to another (a team server)"),
}
COMMAND_OWNERS = {name: module for name, (module, _help) in COMMANDS.items()}
COMMAND_MODULES = tuple(dict.fromkeys(COMMAND_OWNERS.values()))
_GLOBAL_FLAGS = ("-v", "--verbose", "--check-window")


def build_parser(modules: Sequence[str] = COMMAND_MODULES) -> argparse.ArgumentParser:
    """The argument parser with the subcommands of ``modules`` (default: all) registered; with
    none, every subcommand is listed (for ``--help``) without importing its module."""
    parser = argparse.ArgumentParser(
        prog="leaddesk",
        description="LeadDesk — lead inbox, explainable scoring and drip nurturing. "
        "Without a subcommand the desktop app opens.",
    )
    parser.add_argument(
        "--version",
        action=_VersionAction,
        help="show the version, the database schema it uses and the Qt version, and exit",
    )
    parser.add_argument(
        "--db",
        metavar="PATH|URL",
        help="database file or URL (default: LEADDESK_DB, else the user data folder)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    parser.add_argument(
        "--check-window",
        action="store_true",
        help="open the window, wait until its first page shows, print how long that took and "
        "quit (checks an installation)",
    )
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name in modules:
        importlib.import_module(name).register(subparsers)
    if not modules:
        for command, (_module, text) in COMMANDS.items():
            placeholder = subparsers.add_parser(command, help=text, add_help=False)
            placeholder.set_defaults(placeholder=command)
    return parser


class _VersionAction(argparse.Action):
    """``--version``: LeadDesk's version, the schema revision it ships and the Qt it runs on."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_args: Any, **_kwargs: Any) -> None:
        from leaddesk.about import version_lines

        print("\n".join(version_lines()))
        parser.exit()


def command_module(argv: Sequence[str]) -> str | None:
    """The module that registers the subcommand named in ``argv``; None when unsure.

    Only ``--db VALUE``/``--db=VALUE`` and ``-v`` may come before the subcommand; anything else
    (``--help``, ``--version``, an unknown option, no subcommand) needs the full parser.
    """
    position = 0
    while position < len(argv):
        token = argv[position]
        if token == "--db":
            position += 2
        elif token.startswith("--db=") or token in _GLOBAL_FLAGS:
            position += 1
        elif token.startswith("-"):
            return None
        else:
            return COMMAND_OWNERS.get(token)
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``leaddesk`` script; returns the exit status."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    owner = command_module(arguments)
    parser = build_parser((owner,) if owner in COMMAND_MODULES else ())
    args = parser.parse_args(arguments)
    listed = getattr(args, "placeholder", None)
    if listed is not None:  # a subcommand after options command_module does not know
        args = build_parser((COMMAND_OWNERS[listed],)).parse_args(arguments)
    handler = getattr(args, "handler", None)
    if handler is None:
        from leaddesk.app import run_gui  # Qt is imported only when the GUI is wanted

        return run_gui(db_url=args.db, verbose=args.verbose, check=args.check_window)
    from leaddesk.logs import configure_logging

    configure_logging(verbose=args.verbose, to_stderr=True)
    try:
        return int(handler(args) or 0)
    except KeyboardInterrupt:
        return 130
    except CommandError as error:
        print(f"leaddesk: {error}", file=sys.stderr)
        return error.exit_status
    except DatabaseBusy as error:
        print(f"leaddesk: {error}", file=sys.stderr)
        return TEMPORARY_FAILURE
    except SchemaError as error:
        print(f"leaddesk: {error}", file=sys.stderr)
        return 1
    except Exception as error:
        sentence = lost_connection(error)
        if sentence is None:
            raise
        print(f"leaddesk: {sentence}", file=sys.stderr)
        return TEMPORARY_FAILURE


class CommandError(Exception):
    """A failure the user can fix; printed without a traceback."""

    def __init__(self, message: str, exit_status: int = 1) -> None:
        super().__init__(message)
        self.exit_status = exit_status
