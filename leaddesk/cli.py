"""The ``leaddesk`` command: the GUI by default, subcommands for scripting and cron."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from leaddesk import __version__
from leaddesk.errors import TEMPORARY_FAILURE, DatabaseBusy, SchemaError, lost_connection

# Which module registers which subcommand (each module has ``register(subparsers)``; a
# subcommand's handler is ``args.handler(args)``). Running one command imports only its module,
# which keeps start-up fast; --help and anything unusual build the full parser.
# tests/test_cli.py checks this table against what the modules register.
COMMAND_OWNERS = {
    "demo": "leaddesk.commands.demo",
    "import": "leaddesk.commands.importing",
    "info": "leaddesk.commands.info",
    "leads": "leaddesk.commands.leads",
    "export": "leaddesk.commands.leads",
    "forget": "leaddesk.commands.leads",
    "account": "leaddesk.commands.mail",
    "send-due": "leaddesk.commands.mail",
    "outbox": "leaddesk.commands.mail",
    "sync-mailbox": "leaddesk.commands.mailbox",
    "mailbox": "leaddesk.commands.mailbox",
    "score": "leaddesk.commands.scoring",
    "rescore": "leaddesk.commands.scoring",
    "activity": "leaddesk.commands.scoring",
    "scoring": "leaddesk.commands.scoring",
    "sequence": "leaddesk.commands.sequences",
    "schedule": "leaddesk.commands.sequences",
    "team": "leaddesk.commands.team",
    "rules": "leaddesk.commands.team",
    "sales-settings": "leaddesk.commands.team",
    "handoff": "leaddesk.commands.handoff",
    "queue": "leaddesk.commands.handoff",
    "attempt": "leaddesk.commands.handoff",
    "accept": "leaddesk.commands.handoff",
    "hand-back": "leaddesk.commands.handoff",
    "reassign": "leaddesk.commands.handoff",
    "brief": "leaddesk.commands.handoff",
    "tick": "leaddesk.commands.tick",
    "outcome": "leaddesk.commands.outcomes",
    "recycle-policies": "leaddesk.commands.outcomes",
    "reengage": "leaddesk.commands.outcomes",
    "report": "leaddesk.commands.reports",
    "setup": "leaddesk.commands.setup",
    "doctor": "leaddesk.commands.setup",
    "settings": "leaddesk.commands.setup",
    "db": "leaddesk.commands.database",
}
COMMAND_MODULES = tuple(dict.fromkeys(COMMAND_OWNERS.values()))
_GLOBAL_FLAGS = ("-v", "--verbose")


def build_parser(modules: Sequence[str] = COMMAND_MODULES) -> argparse.ArgumentParser:
    """The argument parser with the subcommands of ``modules`` (default: all) registered."""
    parser = argparse.ArgumentParser(
        prog="leaddesk",
        description="LeadDesk — lead inbox, explainable scoring and drip nurturing. "
        "Without a subcommand the desktop app opens.",
    )
    parser.add_argument("--version", action="version", version=f"LeadDesk {__version__}")
    parser.add_argument(
        "--db",
        metavar="PATH|URL",
        help="database file or URL (default: LEADDESK_DB, else the user data folder)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name in modules:
        importlib.import_module(name).register(subparsers)
    return parser


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
    parser = build_parser((owner,) if owner in COMMAND_MODULES else COMMAND_MODULES)
    args = parser.parse_args(arguments)
    handler = getattr(args, "handler", None)
    if handler is None:
        from leaddesk.app import run_gui  # Qt is imported only when the GUI is wanted

        return run_gui(db_url=args.db, verbose=args.verbose)
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
