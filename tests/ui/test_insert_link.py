"""The step editor's "Insert link…" (Ctrl+K): the address explained, then written at the cursor."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot

from leaddesk.db.engine import Database
from leaddesk.settings import set_setting
from leaddesk.ui.context import AppContext
from leaddesk.ui.sequences.editor import SequenceEditor
from leaddesk.ui.sequences.insert_link import (
    INVALID_COLOUR,
    NEUTRAL_COLOUR,
    TRACKED_COLOUR,
    InsertLinkDialog,
)
from leaddesk.visits.config import LINK_DOMAINS
from tests.ui.test_sequences_page import open_page, seed, settle


def open_first_email(qtbot: QtBot, db: Database, context: AppContext, clock) -> SequenceEditor:  # type: ignore[no-untyped-def]
    """The tradeshow sequence in the editor, own site acme.example, its first email selected."""
    seed(db, clock)
    with db.write() as session:
        set_setting(session, LINK_DOMAINS, "acme.example")
    editor = open_page(qtbot, context).editor
    editor.timeline.setCurrentRow(0)
    return editor


def put_cursor(editor: SequenceEditor, body: str, position: int) -> None:
    """Set the body and place its cursor at ``position``, with the focus in the body."""
    body_edit = editor.step_editor.body_edit
    body_edit.setPlainText(body)
    cursor = body_edit.textCursor()
    cursor.setPosition(position, QTextCursor.MoveMode.MoveAnchor)
    body_edit.setTextCursor(cursor)
    body_edit.setFocus()


def shown_dialog(qtbot: QtBot, editor: SequenceEditor) -> InsertLinkDialog:
    """The Insert link dialog, once it is on screen."""
    qtbot.waitUntil(
        lambda: (
            editor.step_editor.link_dialog is not None
            and editor.step_editor.link_dialog.isVisible()
        )
    )
    dialog = editor.step_editor.link_dialog
    assert dialog is not None
    return dialog


def test_ctrl_k_inserts_an_own_site_link_at_the_cursor(
    qtbot: QtBot, db: Database, context: AppContext, clock
) -> None:
    """Ctrl+K in the body, an own-site address: "clicks will be tracked", OK writes it there."""
    editor = open_first_email(qtbot, db, context, clock)
    put_cursor(editor, "Our guide:\nSee you soon", len("Our guide:"))
    editor.activateWindow()
    qtbot.keyClick(editor.step_editor.body_edit, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    dialog = shown_dialog(qtbot, editor)
    assert dialog.url_edit.text() == "https://"
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.url_edit, "acme.example/guide")
    assert dialog.sentence_label.text() == "Your own site (acme.example): clicks will be tracked."
    assert TRACKED_COLOUR in dialog.sentence_label.styleSheet()
    assert dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    body = "Our guide: https://acme.example/guide\nSee you soon"
    assert editor.step_editor.body_edit.toPlainText() == body
    assert editor.timeline.steps()[0]["body"] == body  # the draft has it, not just the widget
    assert editor.step_editor.body_edit.textCursor().position() == len(body.split("\n")[0])
    settle(qtbot, editor, context)


def test_the_button_inserts_another_sites_link_between_words(
    qtbot: QtBot, db: Database, context: AppContext, clock
) -> None:
    """Another site is neutral, a doubled https:// is dropped, mid-sentence it gets spaces."""
    editor = open_first_email(qtbot, db, context, clock)
    put_cursor(editor, "Read the reviewtoday.", len("Read the review"))
    qtbot.mouseClick(editor.step_editor.link_button, Qt.MouseButton.LeftButton)
    dialog = shown_dialog(qtbot, editor)
    assert dialog.sentence_label.text() == "Type the address, e.g. https://acme.example/pricing"
    qtbot.keyClicks(dialog.url_edit, "https://reviews.example/acme")  # after the "https://"
    assert dialog.url_edit.text() == "https://reviews.example/acme"
    assert dialog.sentence_label.text().startswith("Another site: the link is left as it is")
    assert NEUTRAL_COLOUR in dialog.sentence_label.styleSheet()
    qtbot.keyClick(dialog.url_edit, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    text = "Read the review https://reviews.example/acme today."
    assert editor.step_editor.body_edit.toPlainText() == text
    settle(qtbot, editor, context)


def test_an_invalid_address_keeps_ok_disabled(
    qtbot: QtBot, db: Database, context: AppContext, clock
) -> None:
    """An address with a space is red and OK (and Enter) stays off; Cancel changes nothing."""
    editor = open_first_email(qtbot, db, context, clock)
    put_cursor(editor, "Book a call:", len("Book a call:"))
    qtbot.mouseClick(editor.step_editor.link_button, Qt.MouseButton.LeftButton)
    dialog = shown_dialog(qtbot, editor)
    qtbot.keyClicks(dialog.url_edit, "acme .example")
    assert dialog.sentence_label.text() == (
        "The address has a space in it: email programs cut the link there."
    )
    assert INVALID_COLOUR in dialog.sentence_label.styleSheet()
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClick(dialog.url_edit, Qt.Key.Key_Return)
    assert dialog.isVisible()
    dialog.url_edit.setText("acme.example/book")  # no https://: says how to write it
    assert (
        dialog.sentence_label.text() == "Not a web address: write it as https://acme.example/book"
    )
    assert not dialog.ok_button.isEnabled()
    dialog.reject()
    assert editor.step_editor.body_edit.toPlainText() == "Book a call:"
    settle(qtbot, editor, context)
