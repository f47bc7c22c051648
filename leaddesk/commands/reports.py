"""``leaddesk report NAME``: the Reports page's figures from the shell (and as CSV/XLSX)."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from leaddesk.cli import CommandError
from leaddesk.clock import SystemClock
from leaddesk.commands.common import database_from_args, print_json

NAMES = ("funnel", "acceleration", "sequences", "sla", "outcomes", "calibration", "list-health")
PRESETS = ("7d", "30d", "90d", "quarter")


def register(subparsers: Any) -> None:
    """Add ``report``."""
    report = subparsers.add_parser(
        "report",
        help="a report: funnel, acceleration, sequences, sla, outcomes, calibration, list-health",
    )
    report.add_argument("name", choices=NAMES, help="which report")
    report.add_argument("--period", choices=PRESETS, default="30d", help="default: last 30 days")
    report.add_argument("--from", dest="first", type=date.fromisoformat, help="first day")
    report.add_argument("--to", dest="last", type=date.fromisoformat, help="last day (included)")
    report.add_argument("--source", help="only this source/event")
    report.add_argument("--sequence", help="only this sequence (name or id)")
    report.add_argument("--owner", help="only this rep (name, email or id)")
    report.add_argument(
        "--set-cost",
        metavar="SOURCE=AMOUNT",
        action="append",
        default=[],
        help="enter a source's cost (repeatable; empty amount clears it)",
    )
    report.add_argument("--out", type=Path, help="write CSV or XLSX (by the suffix)")
    report.add_argument("--json", action="store_true", help="print JSON")
    report.set_defaults(handler=run)


def _filter(session: Any, args: argparse.Namespace, now: Any) -> Any:
    from leaddesk.commands.outcomes import _sequence_id
    from leaddesk.handoff.team import TeamError, find_member
    from leaddesk.reports.model import ReportFilter, days_period, preset_period

    if args.first or args.last:
        if not (args.first and args.last):
            raise CommandError("give both --from and --to (or a --period)")
        period = days_period(args.first, args.last)
    else:
        period = preset_period(args.period, now)
    owner = None
    if args.owner:
        try:
            owner = find_member(session, args.owner).id
        except TeamError as error:
            raise CommandError(str(error)) from None
    return ReportFilter(period, args.source, _sequence_id(session, args.sequence), owner)


def _shown(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "rate":
        return f"{value:.1%}"
    if kind in ("days", "minutes"):
        return f"{value:,.1f}"
    if kind == "money":
        return f"{value:,.2f}"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"


def run(args: argparse.Namespace) -> int:
    """Print (or export) one report."""
    from leaddesk.reports.catalog import make_report
    from leaddesk.reports.export import export_report
    from leaddesk.reports.model import ReportError
    from leaddesk.reports.roi import set_source_cost

    db = database_from_args(args)
    now = SystemClock().now()
    try:
        with db.write() as session:
            for entry in args.set_cost:
                source, _sep, amount = entry.partition("=")
                set_source_cost(session, source, amount)
            report = make_report(session, args.name, _filter(session, args, now), now)
    except ReportError as error:
        raise CommandError(str(error)) from None
    if args.out:
        export_report(report, args.out)
        print(f"wrote {report.title} ({report.period.label()}) to {args.out}")
        return 0
    if args.json:
        print_json(report.to_dict())
        return 0
    print(f"{report.title} — {report.period.label()} (previous period in brackets)")
    for figure in report.figures:
        print(
            f"  {figure.label}: {_shown(figure.value, figure.kind)} "
            f"({_shown(figure.previous, figure.kind)})  — {figure.definition}"
        )
    for table in report.tables:
        print(f"\n{table.title}")
        print("  " + " | ".join(table.columns))
        for row in table.rows:
            print(
                "  "
                + " | ".join(
                    "—" if v is None else (f"{v:.2f}" if isinstance(v, float) else str(v))
                    for v in row
                )
            )
    for note in report.notes:
        print(f"\n{note}")
    return 0
