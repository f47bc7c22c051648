"""Plain data the sequence editor loads and the background jobs it runs (no widgets here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leaddesk.db.models import Enrollment, Lead, SenderAccount, Sequence
from leaddesk.sequences.catalog import export_sequence
from leaddesk.sequences.enrollment import latest_version
from leaddesk.sequences.exits import LIVE_ENROLLMENT
from leaddesk.sequences.lint import lint_document
from leaddesk.sequences.preview import preview_step
from leaddesk.sequences.versions import version_in_use
from leaddesk.visits.config import load_visit_settings
from leaddesk.visits.tracked_links import LinkTracking

LEAD_CHOICES = 200


@dataclass(frozen=True)
class EditorData:
    """Everything the editor shows for one sequence."""

    sequence_id: int
    document: dict[str, Any]
    status: str
    version: int
    in_use: bool
    live: int
    accounts: list[str] = field(default_factory=list)
    leads: list[tuple[int, str]] = field(default_factory=list)
    tracking: LinkTracking = field(default_factory=lambda: LinkTracking((), enabled=False))


def load_editor_data(session: Session, sequence_id: int) -> EditorData:
    """Read a sequence, its newest version and the leads to preview with."""
    sequence = session.get_one(Sequence, sequence_id)
    version = latest_version(session, sequence)
    live = session.scalar(
        select(func.count(Enrollment.id)).where(
            Enrollment.sequence_id == sequence_id, Enrollment.state.in_(LIVE_ENROLLMENT)
        )
    )
    enrolled = select(Enrollment.lead_id).where(Enrollment.sequence_id == sequence_id)
    leads = list(
        session.execute(
            select(Lead.id, Lead.first_name, Lead.last_name, Lead.email, Lead.company)
            .order_by(Lead.id.in_(enrolled).desc(), Lead.id)
            .limit(LEAD_CHOICES)
        )
    )
    return EditorData(
        sequence_id,
        export_sequence(session, sequence),
        sequence.status,
        version.number,
        version_in_use(session, version),
        int(live or 0),
        list(session.scalars(select(SenderAccount.name).order_by(SenderAccount.name))),
        [(row.id, _lead_label(row)) for row in leads],
        load_visit_settings(session).tracking,
    )


def _lead_label(row: Any) -> str:
    """``"Quentin Garcia · Northwind Logistics"``: short enough for the preview's combo box."""
    name = " ".join(p for p in (row.first_name, row.last_name) if p) or row.email
    return name + (f" · {row.company}" if row.company else "")


@dataclass(frozen=True)
class PreviewData:
    """The preview pane's content and the inline lint findings."""

    subject: str = ""
    html: str = ""
    text: str = ""
    problems: list[str] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)


def preview_and_lint(
    session: Session,
    document: dict[str, Any],
    sequence_id: int | None,
    lead_id: int | None,
    step: dict[str, Any] | None,
) -> PreviewData:
    """Render ``step`` for the chosen lead and lint the whole draft."""
    findings = [f.as_dict() for f in lint_document(session, document, sequence_id=sequence_id)]
    if lead_id is None or step is None:
        return PreviewData(findings=findings)
    account = str(document.get("settings", {}).get("sender_account") or "")
    preview = preview_step(session, lead_id, step, sender_account=account)
    if preview.email is not None:
        email = preview.email
        return PreviewData(email.subject, email.html, email.text, preview.problems, findings)
    if preview.kind == "task":
        return PreviewData(
            "Task for the lead's owner", "", preview.task_note, preview.problems, findings
        )
    return PreviewData(problems=preview.problems, findings=findings)
