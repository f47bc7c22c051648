"""The sequences shipped with LeadDesk, stored as JSON under ``resources/templates/presets``."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from leaddesk.db.models import Sequence, SequenceStatus
from leaddesk.paths import resource_path
from leaddesk.sequences.documents import validate_document, version_from_document

PRESET_FILES = {
    "tradeshow": "tradeshow_follow_up.json",
    "monthly": "six_monthly_emails.json",
    "reengagement": "reengagement.json",
}


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
    document = validate_document(document)
    sequence = Sequence(
        name=name or document["name"],
        description=document.get("description", ""),
        status=SequenceStatus.ACTIVE,
        auto_enroll=document.get("auto_enroll") or {},
        on_handoff=document["on_handoff"],
    )
    sequence.versions.append(version_from_document(session, document, number=1))
    session.add(sequence)
    session.flush()
    return sequence
