"""Small helpers for the import tests: write fixture files, run an import in one call."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.importing import ImportOptions, ImportResult, ReadOptions, open_import, run_import


def write_text(path: Path, text: str, encoding: str = "utf-8", newline: str = "\n") -> Path:
    """Write ``text`` with the given encoding and line ends; returns ``path``."""
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def do_import(
    db: Database,
    path: Path,
    clock: FixedClock,
    *,
    dry_run: bool = False,
    read: ReadOptions | None = None,
    **options: Any,
) -> ImportResult:
    """Open ``path``, auto-map it and import it (or plan it, with ``dry_run``)."""
    table, mapping = open_import(db, path, read, options.get("source", ""))
    return run_import(
        db, table, mapping, ImportOptions(**options), now=clock.now(), dry_run=dry_run
    )
