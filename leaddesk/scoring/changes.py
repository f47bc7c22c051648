"""Changing the model in force: save and re-score every lead, restore defaults, JSON files."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from leaddesk.scoring.defaults import default_config
from leaddesk.scoring.rescore import RescoreSummary, rescore_all
from leaddesk.scoring.rules import ScoringConfig, ScoringModelError
from leaddesk.scoring.store import load_config, save_config


def apply_config(session: Session, config: ScoringConfig, now: datetime) -> RescoreSummary:
    """Make ``config`` the model in force and re-score every lead with it."""
    save_config(session, config)
    return rescore_all(session, now)


def restore_defaults(session: Session, now: datetime) -> RescoreSummary:
    """Put the shipped default model back and re-score every lead."""
    return apply_config(session, default_config(), now)


def export_model(session: Session, path: Path) -> ScoringConfig:
    """Write the model in force to ``path`` as JSON; returns it."""
    config = load_config(session)
    text = json.dumps(config.to_document(), indent=2, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")
    return config


def read_model_file(path: Path) -> ScoringConfig:
    """Read and validate a model written by :func:`export_model`."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ScoringModelError(f"cannot read {path}: {error.strerror or error}") from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ScoringModelError(f"{path} is not a JSON file: {error}") from error
    return ScoringConfig.from_document(document)


def import_model(session: Session, path: Path, now: datetime) -> RescoreSummary:
    """Replace the model in force with the one in ``path`` and re-score every lead."""
    return apply_config(session, read_model_file(path), now)
