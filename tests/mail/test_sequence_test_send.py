""" "Send test to me" in the sequence editor, against the real STARTTLS+AUTH test SMTP server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QInputDialog
from pytestqt.qtbot import QtBot

from leaddesk.db.engine import Database
from leaddesk.db.models import Lead
from leaddesk.leads.emails import email_key
from leaddesk.mail.trial_send import TEST_PREFIX
from leaddesk.sequences.presets import load_preset, sequence_from_document
from leaddesk.settings import POSTAL_ADDRESS, set_setting
from leaddesk.ui.context import AppContext
from leaddesk.ui.main_window import MainWindow
from leaddesk.ui.pages.sequences import SequencesPage
from leaddesk.ui.sequences.editor import SequenceEditor
from tests.mail.mailtest_data import make_account, states
from tests.mail.mailtest_keyring import PASSWORD

FROM = "sales@leaddesk-test.example"
ME = "me@leaddesk-test.example"


@pytest.fixture
def context(qapp: object, db: Database) -> Iterator[AppContext]:
    """Services for screens on the test database."""
    from leaddesk.app import application

    application()
    ctx = AppContext.create(db)
    yield ctx
    ctx.runner.shutdown()


@pytest.fixture
def trusting(monkeypatch: pytest.MonkeyPatch, smtp_server) -> None:  # type: ignore[no-untyped-def]
    """The app's TLS context trusts the test server's certificate."""
    monkeypatch.setenv("SSL_CERT_FILE", str(smtp_server.cert_path))


def seed(db: Database, *, postal: str = "Acme Ltd, 1 Harbour Street, Bristol") -> int:
    """The tradeshow sequence, a postal address and the lead Ada; returns Ada's id."""
    with db.write() as session:
        set_setting(session, POSTAL_ADDRESS, postal)
        sequence_from_document(session, load_preset("tradeshow"))
        ada = Lead(email="ada@customer.example", email_key=email_key("ada@customer.example"))
        ada.first_name, ada.company = "Ada", "Lovelace Engines"
        session.add(ada)
        session.flush()
        return ada.id


def open_editor(qtbot: QtBot, context: AppContext, lead_id: int) -> SequenceEditor:
    """The Sequences page with the first sequence open, step 1 previewed for ``lead_id``."""
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    page = window.show_page("sequences")
    assert isinstance(page, SequencesPage)
    qtbot.waitUntil(
        lambda: page.loaded and page.editor.data is not None and not context.runner.busy
    )
    editor = page.editor
    editor.timeline.setCurrentRow(0)
    editor.choose_lead(lead_id)
    editor.update_preview()
    qtbot.waitUntil(lambda: not editor._timer.isActive() and not context.runner.busy)
    return editor


def finish(qtbot: QtBot, editor: SequenceEditor, context: AppContext) -> str:
    """Wait until the test send is over; the result line."""
    qtbot.waitUntil(lambda: not editor.test_send.busy and not context.runner.busy, timeout=15000)
    return editor.test_send.result_label.text()


def test_send_test_to_me_delivers_the_previewed_email_once(
    qtbot, db, context, smtp_server, trusting
):  # type: ignore[no-untyped-def]
    """The button asks for the address (the account's From by default), sends the previewed
    email once through the account, says so, and leaves the outbox empty."""
    lead_id = seed(db)
    make_account(db, smtp_server.port, PASSWORD)
    editor = open_editor(qtbot, context, lead_id)
    shown_subject = editor.preview_data.subject
    assert "Ada" in shown_subject
    defaults: list[str] = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QInputDialog) and dialog is editor.test_send.address_dialog
        defaults.append(dialog.textValue())
        dialog.setTextValue(ME)
        dialog.accept()

    editor.test_send.button.click()
    qtbot.waitUntil(lambda: editor.test_send.address_dialog is not None)
    QTimer.singleShot(0, answer)
    text = finish(qtbot, editor, context)
    assert defaults == [FROM]
    assert text == f"Test sent to {ME} — check your inbox."
    (received,) = smtp_server.received
    assert received.recipients == [ME]
    assert received.message["Subject"] == TEST_PREFIX + shown_subject
    body = received.message.get_body(("plain",)).get_content()
    assert "Hi Ada," in body and "Acme Ltd, 1 Harbour Street" in body
    assert states(db) == {}


def test_send_test_to_me_refuses_without_postal_address_account_or_with_lint_errors(
    qtbot, db, context, smtp_server, trusting
):  # type: ignore[no-untyped-def]
    """No account, no postal address, or a lint error in the step: a clear refusal, no email."""
    lead_id = seed(db, postal="")
    editor = open_editor(qtbot, context, lead_id)
    editor.test_send.start(ME)
    text = finish(qtbot, editor, context)
    assert text.startswith("Test not sent:")
    assert "No sender account" in text and "No postal address" in text
    make_account(db, smtp_server.port, PASSWORD)
    with db.write() as session:
        set_setting(session, POSTAL_ADDRESS, "Acme Ltd, 1 Harbour Street, Bristol")
    editor.step_editor.body_edit.setPlainText("Hi {{ frist_name }}")
    editor.test_send.start(ME)
    text = finish(qtbot, editor, context)
    assert text.startswith("Test not sent: Step 1:") and "frist_name" in text
    assert smtp_server.received == [] and states(db) == {}


def test_send_test_to_me_says_exactly_what_failed(qtbot, db, context, smtp_server, trusting):  # type: ignore[no-untyped-def]
    """A refused login is reported with the failing step; a typo'd address is refused."""
    lead_id = seed(db)
    make_account(db, smtp_server.port, "not-the-password")
    editor = open_editor(qtbot, context, lead_id)
    editor.test_send.start("not an address")
    assert "cannot be used" in finish(qtbot, editor, context)
    editor.test_send.start(ME)
    text = finish(qtbot, editor, context)
    assert text.startswith(f"Test to {ME} not sent:") and "auth" in text.lower()
    assert smtp_server.received == [] and states(db) == {}
