"""Rendering one step for one lead — the same code for the preview and for the real send."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from leaddesk.db.models import Lead, SenderAccount, SequenceStep, SequenceVersion, TeamMember
from leaddesk.sequences.documents import find_account
from leaddesk.sequences.merge import People, merge_context
from leaddesk.sequences.planner import only_account
from leaddesk.sequences.templates import RenderedEmail, TemplateProblem, render_email, render_text
from leaddesk.settings import postal_address


def people_for(session: Session, lead: Lead, account: SenderAccount | None) -> People:
    """The lead's owner and the sending account."""
    owner = session.get(TeamMember, lead.owner_id) if lead.owner_id else None
    return People(owner=owner, account=account)


def context_for(
    session: Session, lead: Lead, account: SenderAccount | None, postal: str | None = None
) -> dict[str, Any]:
    """Every merge field for ``lead`` sent from ``account`` (``postal`` saves a lookup)."""
    address = postal_address(session) if postal is None else postal
    return merge_context(lead, people_for(session, lead, account), postal_address=address)


def render_step_email(
    session: Session,
    lead: Lead,
    step: SequenceStep | dict[str, Any],
    account: SenderAccount | None,
    postal: str | None = None,
) -> RenderedEmail:
    """The email of ``step`` for ``lead`` exactly as it is sent (raises TemplateProblem)."""
    subject = step["subject"] if isinstance(step, dict) else step.subject
    body = step["body"] if isinstance(step, dict) else step.body
    return render_email(subject or "", body or "", context_for(session, lead, account, postal))


def render_task_note(session: Session, lead: Lead, note: str, account: SenderAccount | None) -> str:
    """A task step's note for ``lead`` (merge fields filled; raises TemplateProblem)."""
    return render_text(note, context_for(session, lead, account), part="task note").strip()


MISSING_ADDRESS = "[your postal address — set it in Settings]"
NO_ADDRESS_PROBLEM = "No postal address is set: nothing is sent until you enter it in Settings."


@dataclass(frozen=True)
class StepPreview:
    """What the preview pane shows for one step and one lead."""

    kind: str
    email: RenderedEmail | None = None
    task_note: str = ""
    problems: list[str] = field(default_factory=list)


def preview_step(
    session: Session,
    lead_id: int,
    step: SequenceStep | dict[str, Any],
    version: SequenceVersion | None = None,
    *,
    sender_account: str = "",
) -> StepPreview:
    """Preview ``step`` (a stored step or an editor draft) for the chosen lead, as sent.

    The account is the version's, else the one named ``sender_account`` (editor drafts), else
    the only account.
    """
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise LookupError(f"lead {lead_id} does not exist")
    account = None
    if version is not None and version.sender_account_id is not None:
        account = session.get(SenderAccount, version.sender_account_id)
    account = account or find_account(session, sender_account) or only_account(session)
    kind = step["kind"] if isinstance(step, dict) else step.kind
    try:
        if kind == "email" and not postal_address(session):
            # Still show the email, with a visible placeholder where the address must go.
            context = {**context_for(session, lead, account), "postal_address": MISSING_ADDRESS}
            subject = step["subject"] if isinstance(step, dict) else step.subject
            body = step["body"] if isinstance(step, dict) else step.body
            email = render_email(subject or "", body or "", context)
            return StepPreview(kind, email=email, problems=[NO_ADDRESS_PROBLEM])
        if kind == "email":
            return StepPreview(kind, email=render_step_email(session, lead, step, account))
        if kind == "task":
            note = step.get("task_note", "") if isinstance(step, dict) else step.task_note
            return StepPreview(kind, task_note=render_task_note(session, lead, note, account))
    except TemplateProblem as problem:
        return StepPreview(kind, problems=[str(problem)])
    return StepPreview(kind)
