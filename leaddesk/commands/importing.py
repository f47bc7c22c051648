"""``leaddesk import``: import a lead or activity list, preview it (dry run), or undo a batch."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

from sqlalchemy import select

from leaddesk.clock import SystemClock
from leaddesk.commands.common import database_from_args, print_json
from leaddesk.db.models import SequenceStatus, TeamMember
from leaddesk.importing import (
    ActivityMode,
    HostileFileError,
    ImportOptions,
    ReadOptions,
    UndoError,
    UnreadableFileError,
    import_history,
    open_import,
    run_import,
    save_rejected,
    undo_batch,
)
from leaddesk.importing.mapping import TARGETS, normalise_header
from leaddesk.sequences.catalog import find_sequence

NOTHING_READ = 2
_DELIMITER_NAMES = {"comma": ",", "semicolon": ";", "tab": "\t", "pipe": "|", "\\t": "\t"}


def register(subparsers: Any) -> None:
    """Add the ``import`` subcommand."""
    parser = subparsers.add_parser(
        "import",
        help="import a CSV/TSV/TXT/XLSX lead list (or undo an import)",
        description="Import a lead list. Rows are folded by email; invalid rows are rejected "
        "and listed; suppressed addresses are never re-activated. Exit status is non-zero "
        "only when nothing could be read.",
    )
    parser.add_argument("file", nargs="?", help="the file to import")
    parser.add_argument("--sheet", help="XLSX sheet name (default: the first)")
    parser.add_argument("--source", default="", help="source or event name for the batch")
    parser.add_argument("--event-date", type=date.fromisoformat, help="event date, YYYY-MM-DD")
    parser.add_argument("--tag", action="append", default=[], help="tag every lead (repeatable)")
    parser.add_argument("--owner", metavar="EMAIL", help="team member who owns the new leads")
    parser.add_argument(
        "--on-existing",
        choices=("fill", "overwrite", "skip"),
        default="fill",
        help="existing leads: fill empty fields (default), overwrite, or skip",
    )
    parser.add_argument(
        "--activities",
        choices=[m.value for m in ActivityMode],
        help="import the file as activities: webinar attendance or content downloads",
    )
    parser.add_argument("--encoding", help="override the detected text encoding")
    parser.add_argument("--delimiter", help="override the detected delimiter (, ; tab |)")
    parser.add_argument("--header-row", type=int, help="row/line number of the header")
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="HEADER=TARGET",
        help=f"map a column (targets: {', '.join(TARGETS)})",
    )
    parser.add_argument(
        "--enroll",
        metavar="SEQUENCE",
        help="enroll the batch's new and existing leads in this sequence (name or id)",
    )
    parser.add_argument("--save-rejects", metavar="CSV", help="write rejected rows to a CSV")
    parser.add_argument("--dry-run", action="store_true", help="show what would happen only")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--undo", type=int, metavar="BATCH_ID", help="undo an import batch")
    parser.add_argument("--history", action="store_true", help="list import batches")
    parser.set_defaults(handler=run)


def _apply_map(headers: list[str], mapping: list[str], pairs: list[str]) -> list[str]:
    from leaddesk.cli import CommandError

    result = list(mapping)
    wanted = {normalise_header(h): i for i, h in enumerate(headers)}
    for pair in pairs:
        header, _, target = pair.rpartition("=")
        if not header or target not in TARGETS:
            raise CommandError(f"--map needs HEADER=TARGET with a target among {TARGETS}")
        index = wanted.get(normalise_header(header))
        if index is None:
            raise CommandError(f"--map: the file has no column {header!r}")
        result[index] = target
    return result


def _owner_id(args: argparse.Namespace, db: Any) -> int | None:
    from leaddesk.cli import CommandError

    if not args.owner:
        return None
    with db.session() as session:
        owner = session.scalar(
            select(TeamMember.id).where(TeamMember.email == args.owner.strip().lower())
        )
    if owner is None:
        raise CommandError(f"no team member has the email {args.owner}")
    return owner


def _sequence_id(args: argparse.Namespace, db: Any) -> int | None:
    from leaddesk.cli import CommandError

    if not args.enroll:
        return None
    with db.session() as session:
        try:
            sequence = find_sequence(session, args.enroll)
        except LookupError as error:
            raise CommandError(str(error)) from None
        if sequence.status == SequenceStatus.ARCHIVED:
            raise CommandError(f"sequence {sequence.name!r} is archived; choose another")
        return sequence.id


def _nothing_read(args: argparse.Namespace, message: str) -> int:
    if args.json:
        empty = dict.fromkeys(("rows", "imported", "merged", "rejected", "suppressed"), 0)
        print_json({**empty, "batch_id": None, "errors": [{"row": None, "reason": message}]})
    print(f"leaddesk: {message}", file=sys.stderr)
    return NOTHING_READ


def run(args: argparse.Namespace) -> int:
    """Import, preview, undo or list imports, as the arguments say."""
    from leaddesk.cli import CommandError

    db = database_from_args(args)
    clock = SystemClock()
    if args.history:
        with db.session() as session:
            history = import_history(session)
        print_json(history) if args.json else _print_history(history)
        return 0
    if args.undo is not None:
        try:
            with db.write() as session:
                undone = undo_batch(session, args.undo, clock.now())
        except UndoError as error:
            raise CommandError(str(error)) from error
        if args.json:
            print_json(undone.as_json())
        else:
            print(
                f"Undid batch {undone.batch_id}: removed {undone.removed} leads, restored "
                f"{undone.restored} fields, kept {undone.kept_edits} later edits, exited "
                f"{undone.exited_enrollments} sequence enrollments of existing leads."
            )
        return 0
    if not args.file:
        raise CommandError("give a FILE to import, or --undo BATCH_ID, or --history")
    delimiter = _DELIMITER_NAMES.get(args.delimiter or "", args.delimiter)
    read_options = ReadOptions(args.encoding, delimiter, args.sheet, args.header_row)
    try:
        table, mapping = open_import(db, args.file, read_options, args.source)
    except (UnreadableFileError, HostileFileError, LookupError, ValueError) as error:
        return _nothing_read(args, str(error))
    mapping = _apply_map(list(table.headers), mapping, args.map)
    options = ImportOptions(
        source=args.source,
        event_date=args.event_date,
        tags=tuple(args.tag),
        owner_id=_owner_id(args, db),
        on_existing=args.on_existing,
        activity_mode=ActivityMode(args.activities) if args.activities else None,
        enroll_sequence_id=_sequence_id(args, db),
    )
    try:
        result = run_import(db, table, mapping, options, now=clock.now(), dry_run=args.dry_run)
    except ValueError as error:
        return _nothing_read(args, str(error))
    if args.save_rejects:
        save_rejected(result, args.save_rejects)
    if args.json:
        print_json(result.as_json())
    else:
        _print_result(result.as_json())
    return 0


def _print_result(data: dict[str, Any]) -> None:
    head = "Dry run — nothing written." if data["dry_run"] else f"Batch {data['batch_id']}."
    print(head)
    print(
        f"  file: {data['file']} ({data['format']}, encoding {data['encoding']}, "
        f"delimiter {data['delimiter']!r}, sheet {data['sheet']}, header row {data['header_row']})"
    )
    for key in (
        "rows",
        "imported",
        "updated",
        "unchanged",
        "merged",
        "duplicates",
        "rejected",
        "suppressed",
        "ignored",
    ):
        print(f"  {key:>10}: {data[key]}")
    if "enrolled" in data:
        print(f"  {'enrolled':>10}: {data['enrolled']} in {data['enroll_sequence']!r}")
        reasons = ", ".join(f"{n} {why}" for why, n in data["enroll_refusals"].items())
        print(
            f"  {'not enrolled':>10}: {data['enroll_refused']}"
            + (f" ({reasons})" if reasons else "")
        )
    for error in data["errors"][:50]:
        print(f"  row {error['row']}: {error['reason']}")
    if len(data["errors"]) > 50:
        print(f"  ... and {len(data['errors']) - 50} more rejected rows (use --save-rejects)")


def _print_history(history: list[dict[str, Any]]) -> None:
    for item in history:
        print(
            f"{item['batch_id']:>5}  {item['created_at']:%Y-%m-%d %H:%M}  {item['state']:<9}  "
            f"{item['imported']:>7} new  {item['merged']:>7} merged  {item['file']}"
        )
