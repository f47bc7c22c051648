"""``leaddesk import-visits``: clicks and page views from the team's own web server logs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from leaddesk.cli import CommandError
from leaddesk.clock import SystemClock
from leaddesk.commands.common import database_from_args, print_json

FORMATS_HELP = (
    "the server's log format when it is not the usual combined one, in nginx "
    '($remote_addr … "$http_user_agent" $host) or Apache (%%h %%l %%u %%t "%%r" …) syntax'
)


def register(subparsers: Any) -> None:
    """Add ``import-visits``."""
    parser = subparsers.add_parser(
        "import-visits",
        help="read your website's access logs: tracked email clicks and page views of leads",
        description="Read nginx or Apache access logs (plain or .gz, several rotated files at "
        "once). Hits on links of LeadDesk emails become 'clicked a link' activity; the same "
        "visitor's next pages become 'viewed a page'. Link scanners and bots are counted and "
        "left out. Importing the same log again adds nothing; `leaddesk import --undo BATCH` "
        "takes an import back.",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="access log files")
    parser.add_argument("--log-format", metavar="FORMAT", help=FORMATS_HELP)
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=run)


def _say(report: Any) -> None:
    machine = sum(report.machine.values())
    print(
        f"Read {report.lines:,} lines from {len(report.files)} file(s): "
        f"{report.clicks} click(s) and {report.pages} page view(s) of {report.leads} lead(s)."
    )
    if report.opens:
        print(
            f"{report.opens} email(s) opened — approximate: image proxies and privacy protection "
            "fetch images for readers; clicks are the engagement figure."
        )
    if machine:
        reasons = ", ".join(f"{n} {why}" for why, n in report.machine.most_common())
        print(f"Left out {machine} hit(s) by link scanners and bots ({reasons}).")
    if report.already_imported:
        print(f"{report.already_imported} hit(s) were imported before (left as they are).")
    if report.unknown_tokens:
        print(
            f"{report.unknown_tokens} tracked hit(s) name an email this database does not have "
            "(another database's link, or a link someone copied by hand)."
        )
    if report.bad_lines:
        print(f"{report.bad_lines} line(s) could not be read and were skipped:")
        for bad in report.bad[:10]:
            print(f"  {bad.source} line {bad.line_no}: {bad.reason}")
        if report.bad_lines > 10:
            print(f"  … and {report.bad_lines - 10} more (see --json)")
        if report.bad_lines == report.lines:
            print(
                "  Not one line could be read: is this a web server access log (try "
                "--log-format) or an analytics CSV export with a page and a time column?"
            )
    if report.batch_id is not None:
        print(f"Import batch {report.batch_id} (undo: leaddesk import --undo {report.batch_id}).")


def run(args: argparse.Namespace) -> int:
    """Import the given logs in one transaction and say what was found."""
    from leaddesk.visits.access_log import compile_format
    from leaddesk.visits.log_import import import_visits

    missing = [str(path) for path in args.files if not path.is_file()]
    if missing:
        raise CommandError(f"no such file: {', '.join(missing)}")
    if args.log_format:
        try:
            compile_format(args.log_format)
        except ValueError as error:
            raise CommandError(f"the log format cannot be used: {error}") from None
    db = database_from_args(args)
    try:
        report = import_visits(
            db, list(args.files), now=SystemClock().now(), log_format=args.log_format
        )
    except OSError as error:
        where = error.filename or "a log file"
        raise CommandError(f"cannot read {where}: {error.strerror}") from None
    if args.json:
        print_json(report.as_json())
    else:
        _say(report)
    sys.stdout.flush()
    return 0
