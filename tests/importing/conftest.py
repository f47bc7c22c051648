"""Fixtures for the import tests: write a fixture file, run an import in one call."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.importing import ImportOptions, ImportResult, ReadOptions, open_import, run_import


def write_file(path: Path, text: str, encoding: str = "utf-8", newline: str = "\n") -> Path:
    """Write ``text`` with the given encoding and line ends; returns ``path``."""
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def run_file(
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


@pytest.fixture
def write_text() -> Callable[..., Path]:
    """``write_text(path, text, encoding="utf-8", newline="\\n")`` writes a fixture file."""
    return write_file


@pytest.fixture
def do_import() -> Callable[..., ImportResult]:
    """``do_import(db, path, clock, dry_run=False, read=None, **options)`` imports a file."""
    return run_file
