"""``leaddesk info``: where the data lives and what is in it."""

from __future__ import annotations

import argparse
from typing import Any

from leaddesk import __version__
from leaddesk.commands.common import database_from_args, print_json
from leaddesk.db.migrate import current_revision
from leaddesk.logs import LOG_FILENAME
from leaddesk.paths import config_dir, log_dir


def register(subparsers: Any) -> None:
    """Add the ``info`` subcommand."""
    parser = subparsers.add_parser("info", help="show the database, folders and counts")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print where LeadDesk keeps its data and how many leads it holds."""
    from sqlalchemy import text

    db = database_from_args(args)
    # Plain SQL on purpose: no ORM models to import and map, so cron's check stays quick.
    with db.engine.connect() as connection:
        counts = {
            name: connection.scalar(text(f"SELECT count(*) FROM {table}"))
            for name, table in (
                ("leads", "leads"),
                ("activities", "activities"),
                ("sequences", "sequences"),
            )
        }
    info = {
        "version": __version__,
        "database": db.describe(),
        "schema": current_revision(db),
        "settings": str(config_dir()),
        "log": str(log_dir() / LOG_FILENAME),
        **counts,
    }
    if args.json:
        print_json(info)
    else:
        for key, value in info.items():
            print(f"{key:>10}: {value}")
    return 0
