"""``leaddesk setup`` (also ``doctor``): what is set up, what is missing, and what to run.

``leaddesk settings list|get KEY|set KEY VALUE``: the team-wide settings the app's Settings page
has, from the shell (a cron-only setup needs the postal address too).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from leaddesk.cli import CommandError
from leaddesk.commands.common import database_from_args, print_json
from leaddesk.sequences.planner import DEFAULT_TIMEZONE_SETTING
from leaddesk.sequences.timing import is_valid_zone
from leaddesk.settings import POSTAL_ADDRESS, get_setting, set_setting

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
    settings = subparsers.add_parser("settings", help="the team-wide settings (postal address…)")
    verbs = settings.add_subparsers(dest="verb", required=True)
    listing = verbs.add_parser("list", help="every setting with its value")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=run_settings_list)
    get = verbs.add_parser("get", help="one setting's value")
    get.add_argument("key", choices=sorted(SETTINGS))
    get.set_defaults(handler=run_settings_get)
    put = verbs.add_parser("set", help="change one setting (an empty value clears it)")
    put.add_argument("key", choices=sorted(SETTINGS))
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


@dataclass(frozen=True)
class Setting:
    """One setting the shell can read and change."""

    key: str
    description: str
    check: Callable[[str], str]  # the value as stored, or ValueError with what to type


def _postal(value: str) -> str:
    text = "\n".join(line.strip() for line in value.replace("\\n", "\n").splitlines())
    return text.strip()


def _zone(value: str) -> str:
    zone = value.strip()
    if zone and not is_valid_zone(zone):
        raise ValueError(f"{zone!r} is not a time zone: use a name such as Europe/Berlin")
    return zone


SETTINGS = {
    POSTAL_ADDRESS: Setting(POSTAL_ADDRESS, "the sender's postal address, in every email footer",
                            _postal),
    DEFAULT_TIMEZONE_SETTING: Setting(DEFAULT_TIMEZONE_SETTING,
                                      "the time zone of leads with none of their own", _zone),
}  # fmt: skip


def _value(session: Session, key: str) -> str:
    return str(get_setting(session, key, "") or "")


def run_settings_list(args: argparse.Namespace) -> int:
    """Print every setting, its value and what it is for."""
    db = database_from_args(args)
    with db.session() as session:
        values = {key: _value(session, key) for key in sorted(SETTINGS)}
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
        print(_value(session, args.key))
    return 0


def run_settings_set(args: argparse.Namespace) -> int:
    """Store one setting after checking it; a bad value changes nothing (exit 2)."""
    setting = SETTINGS[args.key]
    try:
        value = setting.check(args.value)
    except ValueError as error:
        raise CommandError(str(error), exit_status=2) from None
    db = database_from_args(args)
    with db.write() as session:
        set_setting(session, setting.key, value)
    print(f"{setting.key} {'cleared' if not value else 'saved'}")
    return 0
