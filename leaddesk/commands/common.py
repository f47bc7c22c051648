"""Helpers shared by subcommands: opening the database, printing JSON."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from leaddesk.db.engine import Database
from leaddesk.db.migrate import open_database


def database_from_args(args: argparse.Namespace) -> Database:
    """Open (and migrate) the database chosen by ``--db`` or ``LEADDESK_DB``."""
    return open_database(getattr(args, "db", None))


def print_json(data: Any) -> None:
    """Print one JSON document on stdout (dates as ISO strings)."""
    json.dump(data, sys.stdout, indent=2, default=str, ensure_ascii=False)
    sys.stdout.write("\n")
