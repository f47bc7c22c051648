"""``leaddesk demo``: fill the database with realistic sample data."""

from __future__ import annotations

import argparse
from typing import Any

from leaddesk.commands.common import database_from_args, print_json
from leaddesk.demo import load_demo_data


def register(subparsers: Any) -> None:
    """Add the ``demo`` subcommand."""
    parser = subparsers.add_parser(
        "demo", help="load sample data: leads from two tradeshows, activities, a sequence"
    )
    parser.add_argument("--leads", type=int, default=300, help="how many leads (default 300)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (same seed, same data)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Load the demo data once; a second run says so and changes nothing."""
    db = database_from_args(args)
    summary = load_demo_data(db, leads=args.leads, seed=args.seed)
    if args.json:
        print_json(summary.__dict__)
    elif summary.already_loaded:
        print(f"The demo data is already in {db.describe()}; nothing was added.")
    else:
        print(
            f"Added {summary.leads} leads, {summary.activities} activities, "
            f"{summary.team_members} team members and {summary.sequences} sequence "
            f"to {db.describe()}."
        )
    return 0
