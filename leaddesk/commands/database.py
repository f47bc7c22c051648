"""``leaddesk db copy --to URL``: move this database (usually the local file) to a team server."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from leaddesk.cli import CommandError
from leaddesk.commands.common import database_from_args, print_json


def register(subparsers: Any) -> None:
    """Add the ``db`` subcommand."""
    parser = subparsers.add_parser("db", help="copy this database to another (a team server)")
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)
    copy = actions.add_parser(
        "copy",
        help="copy every table, ids and history kept, into an empty database (verified)",
        description="Copy every table of this database (--db, LEADDESK_DB or the local file) "
        "into the database at --to, usually postgresql://user@host/dbname. The target is "
        "migrated to the newest schema and must be empty unless --replace is given; this "
        "database is only read. Row counts and a checksum per table are compared at the end; "
        "Ctrl+C cancels and leaves the target as it was.",
    )
    copy.add_argument("--to", required=True, metavar="URL", help="the target database")
    copy.add_argument(
        "--replace", action="store_true", help="overwrite a target that already holds data"
    )
    copy.add_argument("--json", action="store_true", help="print the per-table figures as JSON")
    copy.set_defaults(handler=run_copy)
    test = actions.add_parser(
        "test",
        help="check a team database address step by step (name, port, TLS, login, rights)",
    )
    test.add_argument("url", metavar="URL", help="postgresql://user:password@host:5432/dbname")
    test.set_defaults(handler=run_test)


def run_test(args: argparse.Namespace) -> int:
    """Print where a connection to the team database stops (exit 1) or that it works."""
    from leaddesk.db.team_check import check_team_database

    result = check_team_database(args.url)
    print(result.message if result.ok else f"{result.step}: {result.message}")
    return 0 if result.ok else 1


def run_copy(args: argparse.Namespace) -> int:
    """Copy, report per table, exit 1 when refused or not verified."""
    from leaddesk.db.copy import CopyError, copy_database
    from leaddesk.db.migrate import open_database

    source = database_from_args(args)
    try:
        target = open_database(args.to)
    except Exception as error:  # a wrong URL, refused, auth: say it without a traceback
        raise CommandError(f"cannot open the target database: {error}") from error
    if target.url == source.url:
        raise CommandError("the target is this database itself; give another --to")
    started = time.perf_counter()
    last = [0.0]

    def progress(table: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if not args.json and (done == total or now - last[0] > 1.0):
            last[0] = now
            print(f"  {table}: {done:,} of {total:,} rows", file=sys.stderr, flush=True)

    try:
        report = copy_database(source, target, replace=args.replace, progress=progress)
    except CopyError as error:
        raise CommandError(str(error)) from error
    except KeyboardInterrupt:
        print("cancelled: nothing was written to the target", file=sys.stderr)
        return 130
    finally:
        target.dispose()
    seconds = time.perf_counter() - started
    if args.json:
        print_json(
            {
                "target": target.describe(),
                "seconds": round(seconds, 2),
                "verified": report.verified,
                "tables": [t.__dict__ for t in report.tables],
            }
        )
    else:
        print(
            f"Copied {report.rows:,} rows in {len(report.tables)} tables to {target.describe()} "
            f"in {seconds:.1f} s; every table's row count and checksum match. This database "
            "was not changed: point LeadDesk at the team server with --db or LEADDESK_DB."
        )
    return 0
