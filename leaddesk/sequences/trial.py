"""The sequence editor's "Send test to me": check, render as previewed, send outside the outbox.

Two steps, both off the GUI thread: :func:`prepare_test_send` reads the draft, the chosen lead and
the account and either refuses (with the reason and the fix) or returns the rendered parts;
:func:`send_prepared_test` hands them to ``leaddesk.mail.trial_send`` (nothing enters the outbox).
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.clock import Clock
from leaddesk.db.engine import Database
from leaddesk.db.models import SenderAccount
from leaddesk.leads.emails import check_email
from leaddesk.mail.trial_send import TestSendResult, send_test_email
from leaddesk.sequences.documents import find_account
from leaddesk.sequences.lint import ERROR, lint_document
from leaddesk.sequences.preview import preview_step
from leaddesk.settings import postal_address

NO_ACCOUNT = "No sender account yet: add one in Settings → Accounts, then send the test."
NO_POSTAL = "No postal address is set: enter it in Settings (every email must carry it)."
NOT_EMAIL = "Select an email step to send a test of it."
NO_LEAD = "Choose a lead to preview with first: the test is rendered for that lead."


@dataclass(frozen=True)
class PreparedTest:
    """A test ready to send (``refused`` empty) or the reasons it cannot be sent."""

    account_id: int | None = None
    from_address: str = ""
    rendered: dict[str, str] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)


def sending_account(session: Session, document: dict[str, Any]) -> SenderAccount | None:
    """The draft's sender account, else the first account (by id), else None."""
    named = str(document.get("settings", {}).get("sender_account") or "")
    return find_account(session, named) or session.scalar(
        select(SenderAccount).order_by(SenderAccount.id).limit(1)
    )


def prepare_test_send(
    session: Session,
    document: dict[str, Any],
    sequence_id: int | None,
    lead_id: int | None,
    step_number: int,
) -> PreparedTest:
    """Render step ``step_number`` (1-based) of the draft for ``lead_id`` exactly as previewed.

    Refuses when there is no account, no postal address, no lead, the step is not an email, the
    step has lint errors, or it cannot be rendered.
    """
    steps = document.get("steps") or []
    if not 1 <= step_number <= len(steps) or steps[step_number - 1].get("kind") != "email":
        return PreparedTest(refused=[NOT_EMAIL])
    account = sending_account(session, document)
    refused = [] if account is not None else [NO_ACCOUNT]
    if not postal_address(session):
        refused.append(NO_POSTAL)
    if lead_id is None:
        refused.append(NO_LEAD)
    for finding in lint_document(session, document, sequence_id=sequence_id):
        if finding.severity == ERROR and finding.step == step_number:
            refused.append(f"Step {step_number}: {finding.message} — fix: {finding.fix}")
    if refused or account is None or lead_id is None:
        return PreparedTest(refused=refused)
    preview = preview_step(session, lead_id, steps[step_number - 1], sender_account=account.name)
    if preview.problems or preview.email is None:
        return PreparedTest(refused=preview.problems or ["This step cannot be rendered."])
    return PreparedTest(account.id, account.from_address, preview.email.as_dict())


def send_prepared_test(
    db: Database,
    clock: Clock,
    prepared: PreparedTest,
    to_address: str,
    *,
    tls_context: ssl.SSLContext | None = None,
) -> TestSendResult:
    """Send a prepared test to ``to_address`` (checked first); the outbox stays untouched."""
    if prepared.refused or prepared.account_id is None:
        return TestSendResult(False, " ".join(prepared.refused) or "nothing to send")
    problem = check_email(to_address)
    if problem is not None:
        shown = to_address.strip() or "the address"
        return TestSendResult(False, f"{shown} cannot be used: {problem}")
    return send_test_email(
        db,
        clock,
        prepared.account_id,
        to_address=to_address.strip(),
        rendered=prepared.rendered,
        tls_context=tls_context,
    )
