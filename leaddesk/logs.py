"""Logging to a rotating file in the user log folder (and to stderr when asked)."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from leaddesk.paths import log_dir

LOG_FILENAME = "leaddesk.log"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(*, verbose: bool = False, to_stderr: bool = False) -> Path:
    """Send LeadDesk's log records to ``leaddesk.log`` (1 MB × 5 files); returns its path."""
    path = log_dir() / LOG_FILENAME
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for handler in list(root.handlers):
        if getattr(handler, "_leaddesk", False):
            root.removeHandler(handler)
            handler.close()
    file_handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=1_000_000, backupCount=5, encoding="utf-8"
    )
    file_handler.setFormatter(logging.Formatter(_FORMAT))
    file_handler._leaddesk = True  # type: ignore[attr-defined]
    root.addHandler(file_handler)
    if to_stderr:
        stream = logging.StreamHandler()
        stream.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        stream.setLevel(logging.DEBUG if verbose else logging.WARNING)
        stream._leaddesk = True  # type: ignore[attr-defined]
        root.addHandler(stream)
    return path
