"""What ``--version`` and the About dialog say: LeadDesk's version, the database schema
revision it ships, and the Qt it runs on — read without importing SQLAlchemy, Alembic or Qt, so
``leaddesk --version`` stays instant."""

from __future__ import annotations

import platform
import re
from importlib import metadata, resources

from leaddesk import __version__

_REVISION_FILE = re.compile(r"^(\d{4}_\w+)\.py$")


def schema_revision() -> str:
    """The newest migration this LeadDesk brings (the schema a database is upgraded to)."""
    versions = resources.files("leaddesk") / "db" / "migrations" / "versions"
    found = sorted(
        match.group(1)
        for entry in versions.iterdir()
        if (match := _REVISION_FILE.match(entry.name)) is not None
    )
    return found[-1] if found else "unknown"


def qt_version() -> str:
    """The Qt version of the installed PySide6 (its wheels bundle the Qt of the same version)."""
    for distribution in ("PySide6-Essentials", "PySide6"):
        try:
            return metadata.version(distribution)
        except metadata.PackageNotFoundError:
            continue
    return "unknown"  # (the desktop build copies this metadata in: packaging/leaddesk.spec)


def version_lines() -> list[str]:
    """The lines of ``leaddesk --version`` (the About dialog shows the same)."""
    return [
        f"LeadDesk {__version__}",
        f"Database schema {schema_revision()}",
        f"Qt {qt_version()} (PySide6) · Python {platform.python_version()}",
    ]
