"""Two people editing one sequence: the later save asks — reload theirs or overwrite."""

from __future__ import annotations

from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from leaddesk.db.engine import Database
from leaddesk.db.models import Sequence, SequenceVersion
from leaddesk.errors import EditConflict
from leaddesk.sequences.catalog import ensure_unchanged, export_sequence
from leaddesk.sequences.versions import InFlight, save_sequence
from leaddesk.ui.context import AppContext
from tests.ui.inbox_page.helpers import answer_next_dialog
from tests.ui.test_sequences_page import open_page, seed


def _maya_saves(db: Database, sequence_id: int, subject: str, now: Any) -> None:
    """Another laptop changes step 1's subject and saves."""
    with db.write() as session:
        sequence = session.get_one(Sequence, sequence_id)
        document = export_sequence(session, sequence)
        document["steps"][0]["subject"] = subject
        save_sequence(session, sequence, document, now=now, by="Maya")


def test_a_sequence_saved_meanwhile_is_named_and_a_pause_is_not(db: Database, clock) -> None:
    """Content saved by Maya since loading is a conflict naming her; pausing is not one."""
    ids = seed(db, clock)
    with db.session() as session:
        loaded = export_sequence(session, session.get_one(Sequence, ids["sequence"]))
    with db.write() as session:
        session.get_one(Sequence, ids["sequence"]).status = "paused"
    with db.write() as session:
        ensure_unchanged(session, session.get_one(Sequence, ids["sequence"]), loaded)
    _maya_saves(db, ids["sequence"], "Maya's subject", clock.now())
    with pytest.raises(EditConflict) as caught, db.write() as session:
        ensure_unchanged(session, session.get_one(Sequence, ids["sequence"]), loaded)
    assert caught.value.by == "Maya" and "changed by Maya at" in str(caught.value)


@pytest.mark.parametrize("choice", ["Overwrite", "Reload"])
def test_the_editor_asks_and_does_what_the_user_chose(
    qtbot: QtBot, db: Database, context: AppContext, clock, choice: str
) -> None:
    """Saving over Maya's save asks; Overwrite keeps this draft, Reload shows her version."""
    ids = seed(db, clock)
    page = open_page(qtbot, context)
    editor = page.editor
    _maya_saves(db, ids["sequence"], "Maya's subject", clock.now())
    asked: list[str] = []
    answer_next_dialog(choice, asked)
    editor.timeline.setCurrentRow(0)
    editor.step_editor.subject_edit.clear()
    qtbot.keyClicks(editor.step_editor.subject_edit, "My subject")
    editor.save(InFlight.stay())
    qtbot.waitUntil(lambda: bool(asked))
    qtbot.waitUntil(lambda: not context.runner.busy and editor.data is not None, timeout=10_000)
    qtbot.wait(200)
    qtbot.waitUntil(lambda: not context.runner.busy)
    assert "changed by Maya" in asked[0]
    with db.session() as session:
        latest = session.scalars(
            select(SequenceVersion).order_by(SequenceVersion.number.desc())
        ).first()
        assert latest is not None
        subject = latest.steps[0].subject
    assert subject == ("My subject" if choice == "Overwrite" else "Maya's subject")
    assert editor.data is not None
    assert editor.data.document["steps"][0]["subject"] == subject
