"""``leaddesk setup`` (also ``doctor``): what is set up, what is missing, and what to run.

``leaddesk settings list|get KEY|set KEY VALUE``: the team-wide settings the app's Settings page
has, from the shell (a cron-only setup needs the postal address too).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from leaddesk.cli import CommandError
from leaddesk.clock import SystemClock
from leaddesk.commands.common import database_from_args, print_json
from leaddesk.commands.settings_keys import SETTINGS

#: Exit status of ``setup``/``doctor`` (and ``send-due``/``tick``) when required setup is missing.
SETUP_MISSING = 3


def _marks() -> tuple[str, str]:
    encoding = (getattr(sys.stdout, "encoding", "") or "").lower()
    return ("✓", "✗") if "utf" in encoding else ("[ok]", "[--]")


def register(subparsers: Any) -> None:
    """Add ``setup``/``doctor`` and ``settings``."""
    for name in ("setup", "doctor"):
        check = subparsers.add_parser(
            name,
            help="what is set up for sending and what is missing (exit 3 when something is)",
        )
        check.add_argument("--json", action="store_true", help="print JSON")
        check.set_defaults(handler=run_setup)
    settings = subparsers.add_parser(
        "settings", help="every team-wide setting: postal address, time zone, SLA, thresholds…"
    )
    verbs = settings.add_subparsers(dest="verb", required=True)
    listing = verbs.add_parser("list", help="every setting with its value")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=run_settings_list)
    get = verbs.add_parser("get", help="one setting's value")
    get.add_argument("key", choices=list(SETTINGS))
    get.set_defaults(handler=run_settings_get)
    put = verbs.add_parser("set", help="change one setting (an empty value clears it)")
    put.add_argument("key", choices=list(SETTINGS))
    put.add_argument("value", help='the new value, e.g. "Street 1, 12345 City, Country"')
    put.set_defaults(handler=run_settings_set)


def print_checklist(items: list[Any]) -> None:
    """The checklist as lines: mark, title, what is there or wrong, and the command to run."""
    done, missing = _marks()
    for item in items:
        mark = done if item.done else missing
        optional = " (optional)" if item.optional and not item.done else ""
        print(f"{mark} {item.title}{optional}: {item.detail}")
        if not item.done:
            print(f"    run: {item.cli_hint}")
            print(f"    or in the app: {item.gui_hint}")


def run_setup(args: argparse.Namespace) -> int:
    """Print the checklist; exit 3 while a required item is missing."""
    from leaddesk.setup.checklist import setup_checklist

    db = database_from_args(args)
    with db.session() as session:
        items = setup_checklist(session, db)
    required_missing = [i for i in items if not i.done and not i.optional]
    if args.json:
        print_json({"ready": not required_missing, "items": [i.as_dict() for i in items]})
    else:
        print_checklist(items)
        if not required_missing:
            print("Ready: LeadDesk can send.")
    return SETUP_MISSING if required_missing else 0


def run_settings_list(args: argparse.Namespace) -> int:
    """Print every setting, its value and what it is for."""
    db = database_from_args(args)
    with db.session() as session:
        values = {key: setting.read(session) for key, setting in SETTINGS.items()}
    if args.json:
        print_json(values)
        return 0
    for key, value in values.items():
        shown = value.replace("\n", ", ") or "(not set)"
        print(f"{key}: {shown}\n    {SETTINGS[key].description}")
    return 0


def run_settings_get(args: argparse.Namespace) -> int:
    """Print one setting's value (nothing when it is not set)."""
    db = database_from_args(args)
    with db.session() as session:
        print(SETTINGS[args.key].read(session))
    return 0


def run_settings_set(args: argparse.Namespace) -> int:
    """Store one setting after checking it; a bad value changes nothing (exit 2)."""
    setting = SETTINGS[args.key]
    db = database_from_args(args)
    try:
        with db.write() as session:
            message = setting.write(session, args.value, SystemClock().now())
    except ValueError as error:
        raise CommandError(f"{setting.key}: {error}", exit_status=2) from None
    print(f"{setting.key} {message}")
    return 0
