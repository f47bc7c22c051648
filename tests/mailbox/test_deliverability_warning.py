"""A DMARC failure report in the real mailbox shows as a deliverability warning, never on a lead."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from leaddesk.db.models import Activity, Suppression
from leaddesk.mailbox import sync_mailbox
from leaddesk.mailbox.settings import mailbox_status
from tests.mailbox.test_complaints import feedback


def test_a_dmarc_failure_report_warns_about_the_domain_and_leaves_leads_alone(
    world: Any, qtbot: Any
) -> None:
    """After a sync that reads an auth-failure report, the sync result, `mailbox status` and
    the status bar carry the warning; no lead is suppressed or touched."""
    from leaddesk.ui.mailbox.status import MailboxStatusLabel

    world.add_lead("kim@acme.test")
    report = feedback("auth-failure", "Auth-Failure: dmarc\nReported-Domain: ourco.test\n")
    client = world.server.connect(world.user)
    assert client.append("INBOX", None, None, report.replace("\n", "\r\n").encode())[0] == "OK"
    client.logout()

    synced = sync_mailbox(world.db, world.clock)

    [result] = synced.accounts
    assert result.ok and "1 DMARC failure report" in result.warning
    [status] = mailbox_status(world.db, world.clock.now())
    assert "SPF, DKIM and DMARC" in status.warning
    label = MailboxStatusLabel()
    qtbot.addWidget(label)
    label.show_report(synced, world.clock.now())
    assert "deliverability warning" in label.text()
    assert "DMARC failure report" in label.toolTip()
    with world.db.session() as session:
        assert session.scalar(select(func.count(Suppression.id))) == 0
        kinds = set(session.scalars(select(Activity.kind)))
    assert "complained" not in kinds and "bounced" not in kinds
