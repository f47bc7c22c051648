"""The sequences shipped with LeadDesk, stored as JSON under ``resources/templates/presets``."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from leaddesk.db.models import Sequence, SequenceStatus, SequenceStep, SequenceVersion
from leaddesk.paths import resource_path

PRESET_FILES = {
    "tradeshow": "tradeshow_follow_up.json",
    "monthly": "six_monthly_emails.json",
}

_STEP_FIELDS = (
    "kind",
    "subject",
    "body",
    "wait_days",
    "wait_hours",
    "business_days",
    "task_kind",
    "task_note",
)


def load_preset(key: str) -> dict[str, Any]:
    """The preset's JSON document (name, description, settings, steps)."""
    try:
        filename = PRESET_FILES[key]
    except KeyError:
        raise KeyError(f"unknown preset {key!r}; choose one of {', '.join(PRESET_FILES)}") from None
    with resource_path("templates", "presets", filename).open(encoding="utf-8") as handle:
        return json.load(handle)


def sequence_from_document(
    session: Session, document: dict[str, Any], *, name: str | None = None
) -> Sequence:
    """Create a sequence (version 1 with its steps) from an exported or preset document."""
    settings = document.get("settings", {})
    sequence = Sequence(
        name=name or document["name"],
        description=document.get("description", ""),
        status=SequenceStatus.ACTIVE,
        auto_enroll=document.get("auto_enroll", {}),
    )
    version = SequenceVersion(
        number=1,
        send_days=settings.get("send_days", "mon,tue,wed,thu,fri"),
        window_start=settings.get("window_start", "09:00"),
        window_end=settings.get("window_end", "17:00"),
        fallback_timezone=settings.get("fallback_timezone", ""),
        daily_cap=settings.get("daily_cap"),
        exit_rules=list(settings.get("exit_rules", [])),
    )
    for position, step in enumerate(document.get("steps", [])):
        values = {key: step[key] for key in _STEP_FIELDS if key in step}
        version.steps.append(SequenceStep(position=position, **values))
    sequence.versions.append(version)
    session.add(sequence)
    session.flush()
    return sequence
