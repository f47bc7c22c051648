"""Settings → Accounts: a mailbox belongs to the team or to one member, chosen in its form."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from leaddesk.db.models import SenderAccount
from leaddesk.handoff.identity import set_me
from leaddesk.handoff.team import add_member
from leaddesk.ui.outbox.account_dialog import TEAM_OWNER
from leaddesk.ui.outbox.accounts_tab import AccountsSettings
from tests.mail.mailtest_keyring import memory_keyring_installed


@pytest.fixture(autouse=True)
def memory_keyring():  # type: ignore[no-untyped-def]
    """Passwords go to a fresh in-memory keyring (no "kept for this session" box)."""
    with memory_keyring_installed():
        yield


def test_a_new_mailbox_is_mine_by_default_and_can_be_given_to_tom(qtbot, context, db) -> None:
    """On a team of two, Add account… offers me as the owner; choosing Tom stores Tom, and the
    list says whose it is."""
    with db.write() as session:
        maya = add_member(session, "Maya Ortiz", "maya@team.example").id
        tom = add_member(session, "Tom Okoro", "tom@team.example").id
    set_me(db, "maya@team.example")
    tab = AccountsSettings(context)
    qtbot.addWidget(tab)
    tab.show()
    tab.load()
    qtbot.waitUntil(lambda: tab.me == maya and not context.runner.busy, timeout=10_000)
    tab.add()
    dialog = tab.dialog
    assert dialog is not None
    combo = dialog.owner_combo
    assert [combo.itemText(i) for i in range(combo.count())] == [
        TEAM_OWNER,
        "Maya Ortiz <maya@team.example>",
        "Tom Okoro <tom@team.example>",
    ]
    assert combo.currentData() == maya
    dialog.name_edit.setText("Tom's mailbox")
    dialog.from_edit.setText("tom@team.example")
    dialog.host_edit.setText("127.0.0.1")
    dialog.security_combo.setCurrentIndex(dialog.security_combo.findData("none"))
    dialog.username_edit.clear()
    dialog.password_edit.setText("secret")
    combo.setCurrentIndex(combo.findData(tom))
    dialog.accept()
    qtbot.waitUntil(lambda: tab.list.count() == 1 and bool(tab.accounts), timeout=10_000)
    with db.session() as session:
        stored = session.scalars(select(SenderAccount)).one()
        assert stored.member_id == tom
    assert tab.list.item(0).text().endswith("· Tom Okoro's")
    tab.list.setCurrentRow(0)
    tab.edit()
    assert tab.dialog is not None and tab.dialog.owner_combo.currentData() == tom
