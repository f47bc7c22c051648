"""Sequences as JSON documents: presets, export/import between team members, editor drafts.

A document is ``{"format", "name", "description", "settings": {...}, "auto_enroll": {...},
"on_handoff": "exit"|"pause"|"keep", "steps": [...]}``. The sender account travels by name
only (passwords never leave the keyring).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.db.models import SenderAccount, Sequence, SequenceStep, SequenceVersion, StepKind
from leaddesk.sequences.timing import SendWindow

DOCUMENT_FORMAT = "leaddesk-sequence/1"
STEP_FIELDS = (
    "kind",
    "subject",
    "body",
    "wait_days",
    "wait_hours",
    "business_days",
    "task_kind",
    "task_note",
)
EXIT_RULES = ("replied", "unsubscribed", "bounced", "sales_ready", "status_closed")
#: What a hand-off to sales does to an enrollment in the sequence (``Sequence.on_handoff``).
ON_HANDOFF = ("exit", "pause", "keep")
TASK_KINDS = ("call", "linkedin", "other")
DEFAULT_SETTINGS: dict[str, Any] = {
    "send_days": "mon,tue,wed,thu,fri",
    "window_start": "09:00",
    "window_end": "17:00",
    "fallback_timezone": "",
    "daily_cap": None,
    "exit_rules": list(EXIT_RULES),
    "sender_account": "",
}


class DocumentError(ValueError):
    """A sequence document that cannot be used, with the reason."""


def _step_document(step: SequenceStep) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": step.kind}
    if step.kind == StepKind.EMAIL:
        data.update(subject=step.subject, body=step.body)
    if step.kind == StepKind.TASK:
        data.update(task_kind=step.task_kind or "other", task_note=step.task_note)
    if step.wait_days or step.wait_hours or step.kind == StepKind.WAIT:
        data.update(wait_days=step.wait_days, wait_hours=step.wait_hours)
        data["business_days"] = bool(step.business_days)
    return data


def document_from_version(
    session: Session, sequence: Sequence, version: SequenceVersion
) -> dict[str, Any]:
    """The shareable document for one version of ``sequence``."""
    account = (
        session.get(SenderAccount, version.sender_account_id) if version.sender_account_id else None
    )
    return {
        "format": DOCUMENT_FORMAT,
        "name": sequence.name,
        "description": sequence.description,
        "settings": {
            "send_days": version.send_days,
            "window_start": version.window_start,
            "window_end": version.window_end,
            "fallback_timezone": version.fallback_timezone,
            "daily_cap": version.daily_cap,
            "exit_rules": list(version.exit_rules or []),
            "sender_account": account.name if account else "",
        },
        "auto_enroll": dict(sequence.auto_enroll or {}),
        "on_handoff": sequence.on_handoff or "exit",
        "steps": [_step_document(step) for step in version.steps],
    }


def validate_document(document: Any) -> dict[str, Any]:
    """Check a document's shape; returns it with defaults filled, raises DocumentError."""
    if not isinstance(document, dict):
        raise DocumentError("a sequence file must hold one JSON object")
    if not str(document.get("name") or "").strip():
        raise DocumentError("the sequence has no name")
    settings = {**DEFAULT_SETTINGS, **(document.get("settings") or {})}
    try:
        SendWindow.parse(settings["send_days"], settings["window_start"], settings["window_end"])
    except (ValueError, TypeError) as error:
        raise DocumentError(f"send window: {error}") from None
    unknown_rules = set(settings["exit_rules"]) - set(EXIT_RULES)
    if unknown_rules:
        raise DocumentError(f"unknown exit rules: {', '.join(sorted(unknown_rules))}")
    on_handoff = document.get("on_handoff") or "exit"
    if on_handoff not in ON_HANDOFF:
        raise DocumentError(
            f"on_handoff must be one of {', '.join(ON_HANDOFF)} (got {on_handoff!r})"
        )
    steps = document.get("steps")
    if not isinstance(steps, list) or not steps:
        raise DocumentError("the sequence has no steps")
    clean_steps = []
    for number, step in enumerate(steps, start=1):
        if not isinstance(step, dict) or step.get("kind") not in tuple(StepKind):
            raise DocumentError(f"step {number}: kind must be email, wait or task")
        values = {key: step[key] for key in STEP_FIELDS if key in step}
        for key in ("wait_days", "wait_hours"):
            if not isinstance(values.get(key, 0), int) or values.get(key, 0) < 0:
                raise DocumentError(f"step {number}: {key} must be a whole number ≥ 0")
        clean_steps.append(values)
    return {
        **document,
        "name": str(document["name"]).strip(),
        "on_handoff": on_handoff,
        "settings": settings,
        "steps": clean_steps,
    }


def find_account(session: Session, name: str) -> SenderAccount | None:
    """The sender account called ``name`` (or with that from address)."""
    if not name:
        return None
    return session.scalar(
        select(SenderAccount).where(
            (SenderAccount.name == name) | (SenderAccount.from_address == name)
        )
    )


def apply_settings(session: Session, version: SequenceVersion, settings: dict[str, Any]) -> None:
    """Copy a validated document's settings onto ``version``."""
    account = find_account(session, str(settings.get("sender_account") or ""))
    version.send_days = settings["send_days"]
    version.window_start = settings["window_start"]
    version.window_end = settings["window_end"]
    version.fallback_timezone = settings.get("fallback_timezone") or ""
    version.daily_cap = settings.get("daily_cap")
    version.exit_rules = list(settings["exit_rules"])
    version.sender_account_id = account.id if account else None


def steps_from_document(document: dict[str, Any]) -> list[SequenceStep]:
    """New step rows for a validated document, in order."""
    return [
        SequenceStep(position=position, **values)
        for position, values in enumerate(document["steps"])
    ]


def version_from_document(
    session: Session, document: dict[str, Any], *, number: int
) -> SequenceVersion:
    """A new (unsaved) version with the document's settings and steps."""
    document = validate_document(document)
    version = SequenceVersion(number=number)
    apply_settings(session, version, document["settings"])
    version.steps.extend(steps_from_document(document))
    return version


def unique_name(session: Session, name: str) -> str:
    """``name``, or ``name (2)``, ``name (3)``… when a sequence already has it."""
    taken = set(session.scalars(select(Sequence.name).where(Sequence.name.like(f"{name}%"))))
    if name not in taken:
        return name
    number = 2
    while f"{name} ({number})" in taken:
        number += 1
    return f"{name} ({number})"


@dataclass(frozen=True)
class TimelineEntry:
    """One actionable step as the editor's timeline shows it: "Day 7 · Email: …"."""

    position: int
    day: float
    kind: str
    title: str

    @property
    def label(self) -> str:
        """The line shown in the timeline."""
        return f"Day {day_number(self.day)} · {self.title}"


def day_number(days_after_enrolment: float) -> int:
    """The day a step falls on as people count it: day 1 is the day of enrolment, so an
    email 6 days later is on day 7 (as in "day 1, 7, 14, 30"). Stored waits are unchanged."""
    return int(days_after_enrolment) + 1


def timeline(steps: list[dict[str, Any]]) -> list[TimelineEntry]:
    """The email and task steps of a document with their nominal day from enrolment."""
    entries = []
    elapsed = 0.0
    for position, step in enumerate(steps):
        elapsed += int(step.get("wait_days") or 0) + int(step.get("wait_hours") or 0) / 24
        kind = step.get("kind")
        if kind == StepKind.EMAIL:
            title = f"Email: {step.get('subject') or '(no subject)'}"
        elif kind == StepKind.TASK:
            title = f"{str(step.get('task_kind') or 'other').capitalize()} task"
        else:
            continue
        entries.append(TimelineEntry(position, elapsed, str(kind), title))
    return entries
