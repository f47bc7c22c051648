"""The mailbox on screen: IMAP settings section, status bar, polling and reply notifications."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

import tests.mailbox.mailbox_messages as msgs
from leaddesk.db.models import SenderAccount
from leaddesk.mailbox.credentials import KIND, get_password
from leaddesk.tasks import TaskRunner
from leaddesk.ui.context import AppContext, user_preferences
from tests.support.dovecot import PASSWORD


@pytest.fixture
def gui_context(qapp: object, world: Any) -> Iterator[AppContext]:
    """Services for screens on the world's database and fixed clock."""
    from leaddesk.app import application

    application()
    context = AppContext(world.db, TaskRunner(), user_preferences(), world.clock)
    yield context
    context.runner.shutdown()


def _idle(context: AppContext) -> bool:
    return not context.runner.busy


def test_imap_section_tests_and_saves_the_settings(
    qtbot: QtBot, gui_context: AppContext, world: Any, memory_keyring: Any
) -> None:
    """Test connection reports folders or names a missing one; Save stores settings and password."""
    from leaddesk.ui.mailbox.settings_section import ImapSettingsSection

    memory_keyring.passwords.clear()
    section = ImapSettingsSection(gui_context)
    qtbot.addWidget(section)
    section.set_account(world.account_id)
    qtbot.waitUntil(lambda: section.ui.hostEdit.text() == world.server.host)
    assert section.ui.passwordEdit.placeholderText() == "not stored yet"
    assert section.ui.securityCombo.currentData() == "none"

    section.ui.passwordEdit.setText(PASSWORD)
    section.ui.foldersEdit.setText("INBOX, Leads")
    qtbot.mouseClick(section.ui.testButton, qtbot_button())
    qtbot.waitUntil(lambda: section.ui.testButton.isEnabled() and _idle(gui_context))
    assert "do not exist: Leads" in section.ui.resultLabel.text()

    section.ui.foldersEdit.setText("INBOX")
    qtbot.mouseClick(section.ui.testButton, qtbot_button())
    qtbot.waitUntil(lambda: section.ui.testButton.isEnabled() and _idle(gui_context))
    assert section.ui.resultLabel.text().startswith("connected: 2 folders")

    section.ui.pollSpin.setValue(10)
    with qtbot.waitSignal(section.saved):
        qtbot.mouseClick(section.ui.saveButton, qtbot_button())
    assert section.ui.resultLabel.text() == "IMAP settings saved."
    with world.db.session() as session:
        account = session.get(SenderAccount, world.account_id)
        assert account is not None and account.poll_minutes == 10
    assert get_password(KIND, world.account_id, world.user) == PASSWORD


def qtbot_button() -> Any:
    """The left mouse button (kept out of the test bodies for readability)."""
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_status_bar_shows_the_last_check_and_notifies_of_replies(
    qtbot: QtBot, gui_context: AppContext, world: Any, memory_keyring: Any
) -> None:
    """A poll shows "Mailbox checked", a reply notification; a bad password shows what to fix."""
    from leaddesk.ui.mailbox.status import install_mailbox
    from leaddesk.ui.main_window import MainWindow

    _, parent = world.add_lead("anna@acme.test", "Anna")
    client = world.server.connect(world.user)
    raw = msgs.human_reply("anna@acme.test", world.user, parent.message_id, "Hi", world.clock.now())
    client.append("INBOX", None, None, raw)
    client.logout()
    window = MainWindow(gui_context)
    qtbot.addWidget(window)
    window.show()
    poller = install_mailbox(window, start=False)

    with qtbot.waitSignal(window.data_changed):  # the pages reload: a lead replied
        assert poller.poll_now()
        assert not poller.poll_now()  # never two passes at once
    qtbot.waitUntil(lambda: not poller.running and _idle(gui_context))
    label = window.mailbox_status  # type: ignore[attr-defined]
    assert label.isVisible() and label.text().startswith("Mailbox checked")
    assert window.mailbox_notifier.shown == ["Anna replied"]  # type: ignore[attr-defined]
    assert poller.timer.isActive() and poller.interval_minutes == 5

    for key in list(memory_keyring.passwords):
        memory_keyring.passwords[key] = "wrong"
    poller.poll_now()
    qtbot.waitUntil(lambda: not poller.running and _idle(gui_context))
    assert label.text().startswith("Mailbox Sales: IMAP login failed")
    assert "check the username and password" in label.toolTip()
    window.close()


def test_mailbox_settings_tab_asks_for_an_account_first(
    qtbot: QtBot, gui_context: AppContext
) -> None:
    """Without sender accounts the Mailbox tab says to add one; with one it shows its settings."""
    from leaddesk.ui.mailbox.settings_section import MailboxSettingsTab

    tab = MailboxSettingsTab(gui_context)
    qtbot.addWidget(tab)
    tab.show()
    tab.load()
    qtbot.waitUntil(lambda: tab.account_combo.count() == 1 and _idle(gui_context))
    assert not tab.no_accounts_label.isVisible()
    qtbot.waitUntil(lambda: tab.section.ui.hostEdit.text() != "")

    with gui_context.db.write() as session:
        for account in session.scalars(select(SenderAccount)):
            session.delete(account)
    tab.load()
    qtbot.waitUntil(lambda: tab.account_combo.count() == 0 and _idle(gui_context))
    assert tab.no_accounts_label.isVisible() and not tab.section.isEnabled()
