"""Sending in the app: the Outbox page, Settings → Accounts, the background sender's status."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from leaddesk.db.models import OutboundMessage, OutboxState, SenderAccount
from leaddesk.mail.status import SenderStatus
from leaddesk.settings import SENDING_PAUSED, get_setting
from leaddesk.ui.context import AppContext
from tests.mail.mailtest_data import make_account, plan_messages, states
from tests.mail.mailtest_keyring import PASSWORD


@pytest.fixture
def context(qapp: object, db) -> Iterator[AppContext]:  # type: ignore[no-untyped-def]
    """Services for screens on the test database."""
    from leaddesk.app import application

    application()
    ctx = AppContext.create(db)
    yield ctx
    ctx.runner.shutdown()


@pytest.fixture
def window(qtbot: QtBot, context: AppContext) -> Iterator[object]:
    """The main window with the background sender installed but not started."""
    from leaddesk.ui.main_window import MainWindow
    from leaddesk.ui.outbox.status import install_sender

    main_window = MainWindow(context)
    qtbot.addWidget(main_window)
    install_sender(main_window, start=False)
    main_window.show()
    qtbot.waitUntil(lambda: main_window.current_page.loaded and not context.runner.busy)
    yield main_window
    main_window.background_sender.stop()
    main_window.close()


def _idle(qtbot: QtBot, context: AppContext, window) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not context.runner.busy and not window.background_sender.running)


def test_status_line_reads_like_a_sentence():
    """The status bar says when the next email goes, how many went today and what is paused."""
    now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    status = SenderStatus(now + timedelta(minutes=30), 37, False, ("quota",), 0)
    assert status.text(now) == "Next send 10:30 · 37 sent today · paused: quota"
    paused = SenderStatus(None, 0, True, (), 2)
    assert paused.text(now) == "Sending paused · 0 sent today · 2 to check"


def test_outbox_page_tabs_and_actions(qtbot, qtmodeltester, window, context, db, smtp_server):  # type: ignore[no-untyped-def]
    """The Outbox lists emails by state; retry, cancel and 'mark as sent' change them."""
    account_id = make_account(db, smtp_server.port, PASSWORD)
    ids = plan_messages(db, account_id, 4, datetime.now(UTC) + timedelta(days=1))
    with db.write() as session:
        session.get(OutboundMessage, ids[0]).state = OutboxState.UNKNOWN
        session.get(OutboundMessage, ids[1]).state = OutboxState.FAILED
    page = window.show_page("outbox")
    page.refresh()
    _idle(qtbot, context, window)
    assert not page.showing_empty_state
    texts = [page.tab_bar.tabText(i) for i in range(page.tab_bar.count())]
    assert texts == ["Scheduled (2)", "Sent (0)", "Failed (1)", "Unknown (1)"]
    qtmodeltester.check(page.model)
    page.tab_bar.setCurrentIndex(3)
    page.table.selectRow(0)
    assert page.buttons["mark_sent"].isEnabled() and not page.buttons["retry"].isEnabled()
    page.buttons["mark_sent"].click()
    _idle(qtbot, context, window)
    page.tab_bar.setCurrentIndex(2)
    page.table.selectRow(0)
    page.buttons["retry"].click()
    _idle(qtbot, context, window)
    page.tab_bar.setCurrentIndex(0)
    page.table.selectRow(0)
    page.buttons["cancel"].click()
    _idle(qtbot, context, window)
    assert states(db) == {"sent": 1, "scheduled": 2, "cancelled": 1}


def test_outbox_tab_says_when_it_lists_only_part_of_its_emails(  # type: ignore[no-untyped-def]
    qtbot, window, context, db, smtp_server, monkeypatch
):
    """A tab with more emails than it lists says which ones it shows and how many there are."""
    from leaddesk.ui.pages import outbox

    monkeypatch.setattr(outbox, "ROWS_PER_TAB", 2)
    account_id = make_account(db, smtp_server.port, PASSWORD)
    plan_messages(db, account_id, 3, datetime.now(UTC) + timedelta(days=1))
    page = window.show_page("outbox")
    page.refresh()
    _idle(qtbot, context, window)
    assert page.model.rowCount() == 2
    assert page.count_label.text() == "Showing the soonest 2 of 3"
    page.tab_bar.setCurrentIndex(1)
    assert page.count_label.text() == ""


def test_background_sender_sends_and_updates_the_status_bar(  # type: ignore[no-untyped-def]
    qtbot, window, context, db, smtp_server, monkeypatch
):
    """While the app is open due emails go out off the GUI thread and the status bar counts them."""
    monkeypatch.setenv("SSL_CERT_FILE", str(smtp_server.cert_path))
    account_id = make_account(db, smtp_server.port, PASSWORD)
    plan_messages(db, account_id, 5, datetime.now(UTC) - timedelta(minutes=1))
    assert window.background_sender.send_now()
    _idle(qtbot, context, window)
    qtbot.waitUntil(lambda: "5 sent today" in window.sender_status.text())
    assert len(smtp_server.received) == 5 and states(db) == {"sent": 5}


def test_pause_all_switch_stops_sending(qtbot, window, context, db, smtp_server, monkeypatch):  # type: ignore[no-untyped-def]
    """Ticking "Pause all sending" keeps due emails in the outbox and says so in the status bar."""
    monkeypatch.setenv("SSL_CERT_FILE", str(smtp_server.cert_path))
    account_id = make_account(db, smtp_server.port, PASSWORD)
    plan_messages(db, account_id, 2, datetime.now(UTC) - timedelta(minutes=1))
    page = window.show_page("outbox")
    page.refresh()
    _idle(qtbot, context, window)
    page.pause_box.click()
    _idle(qtbot, context, window)
    with db.session() as session:
        assert get_setting(session, SENDING_PAUSED) is True
    window.background_sender.send_now()
    _idle(qtbot, context, window)
    qtbot.waitUntil(lambda: window.sender_status.text().startswith("Sending paused"))
    assert smtp_server.received == [] and states(db) == {"scheduled": 2}


def test_accounts_tab_adds_an_account_with_its_password_in_the_keyring(  # type: ignore[no-untyped-def]
    qtbot, window, context, db, memory_keyring
):
    """Settings → Accounts → Add saves the settings and puts the password in the keyring."""
    page = window.show_page("settings")
    _idle(qtbot, context, window)
    tab = page.tab_widgets["Accounts"]
    qtbot.waitUntil(lambda: tab.list.count() == 1)
    assert tab.list.item(0).text().startswith("No sender account yet.")  # says what goes here
    tab.add()
    dialog = tab.dialog
    dialog.provider_combo.setCurrentIndex(list(dialog.provider_combo.itemData(i) for i in range(
        dialog.provider_combo.count())).index("microsoft365"))  # fmt: skip
    assert dialog.host_edit.text() == "smtp.office365.com"
    assert dialog.cap_spins["per_minute"].value() == 30
    dialog.name_edit.setText("Sales")
    dialog.from_edit.setText("sales@northwind.example")
    dialog.password_edit.setText("app-password-1")
    dialog.accept()
    _idle(qtbot, context, window)
    qtbot.waitUntil(lambda: tab.list.count() == 1 and tab.list.item(0).text().startswith("Sales"))
    with db.session() as session:
        account = session.scalar(select(SenderAccount))
        assert (account.per_minute, account.per_day, account.provider) == (
            30,
            10000,
            "microsoft365",
        )
    entry = f"smtp:{account.id}:sales@northwind.example"
    assert memory_keyring.store == {("LeadDesk", entry): "app-password-1"}


def test_account_dialog_refuses_plain_smtp_to_a_remote_server(qtbot, window, context):  # type: ignore[no-untyped-def]
    """The account form explains why unencrypted SMTP to another computer is not allowed."""
    from leaddesk.ui.outbox.account_dialog import AccountDialog

    dialog = AccountDialog(context)
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("X")
    dialog.from_edit.setText("x@example.com")
    dialog.host_edit.setText("smtp.example.com")
    dialog.security_combo.setCurrentIndex(2)
    dialog.password_edit.setText("pw")
    dialog.accept()
    assert "only allowed to this computer" in dialog.error_label.text()
    assert dialog.result() == 0


def test_missing_password_is_asked_once_and_kept_for_the_session(  # type: ignore[no-untyped-def]
    qtbot, window, context, db, smtp_server, monkeypatch, memory_keyring
):
    """Without a stored password the app asks for it, keeps it in memory and then sends."""
    from PySide6.QtWidgets import QInputDialog

    monkeypatch.setenv("SSL_CERT_FILE", str(smtp_server.cert_path))
    account_id = make_account(db, smtp_server.port, PASSWORD)
    memory_keyring.store.clear()
    plan_messages(db, account_id, 2, datetime.now(UTC) - timedelta(minutes=1))
    with qtbot.waitSignal(window.background_sender.password_needed, timeout=10_000):
        window.background_sender.send_now()
    _idle(qtbot, context, window)
    assert "password needed" in window.sender_status.text()
    dialog = window.findChild(QInputDialog)
    dialog.setTextValue(PASSWORD)
    dialog.accept()
    qtbot.waitUntil(lambda: states(db) == {"sent": 2}, timeout=10_000)
    _idle(qtbot, context, window)
    assert memory_keyring.store == {}
