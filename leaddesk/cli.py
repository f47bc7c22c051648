"""The ``leaddesk`` command: the GUI by default, subcommands for scripting and cron."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from leaddesk import __version__

# Each module has ``register(subparsers)``; a subcommand's handler is ``args.handler(args)``.
COMMAND_MODULES = (
    "leaddesk.commands.demo",
    "leaddesk.commands.importing",
    "leaddesk.commands.info",
    "leaddesk.commands.leads",
    "leaddesk.commands.mail",
    "leaddesk.commands.mailbox",
    "leaddesk.commands.scoring",
    "leaddesk.commands.sequences",
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every subcommand registered."""
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
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``leaddesk`` script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
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


class CommandError(Exception):
    """A failure the user can fix; printed without a traceback."""

    def __init__(self, message: str, exit_status: int = 1) -> None:
        super().__init__(message)
        self.exit_status = exit_status
