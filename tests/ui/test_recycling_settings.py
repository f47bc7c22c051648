"""Settings → Recycling: currency, reasons and their recycle policies, the re-engagement rule."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from leaddesk.clock import FixedClock
from leaddesk.db.engine import Database
from leaddesk.db.models import Sequence
from leaddesk.outcomes.config import (
    DEFAULT_REASONS,
    OutcomeSettings,
    load_outcome_settings,
    load_reengagement,
)
from leaddesk.sequences.presets import load_preset
from leaddesk.ui.context import AppContext
from leaddesk.ui.settings.recycling import RecyclePolicyDialog, RecyclingSettings
from leaddesk.ui.settings.recycling_models import PoliciesModel
from tests.handoff.conftest import new_lead
from tests.sequences.sequence_helpers import email, make_sequence

PRESET_NAME = load_preset("reengagement")["name"]


def _tab(qtbot: QtBot, context: AppContext) -> RecyclingSettings:
    tab = RecyclingSettings(context)
    qtbot.addWidget(tab)
    tab.resize(1100, 760)
    tab.show()
    tab.load()
    qtbot.waitUntil(lambda: tab.loaded and not context.runner.busy)
    return tab


def _idle(qtbot: QtBot, context: AppContext) -> None:
    qtbot.waitUntil(lambda: not context.runner.busy)


def _sequence(db: Database, name: str) -> int:
    with db.write() as session:
        return make_sequence(session, [email()], name=name).id


def _row_of(tab: RecyclingSettings, reason: str) -> int:
    return next(r for r, p in enumerate(tab.model.rows) if p.reason == reason)


def _what(tab: RecyclingSettings, reason: str) -> str:
    index = tab.model.index(_row_of(tab, reason), PoliciesModel.COL_WHAT)
    return str(tab.model.data(index))


def _edit(qtbot: QtBot, tab: RecyclingSettings, reason: str) -> RecyclePolicyDialog:
    tab.view.selectRow(_row_of(tab, reason))
    tab.edit_button.click()
    dialog = tab.dialog
    assert isinstance(dialog, RecyclePolicyDialog)
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def _ok(dialog: RecyclePolicyDialog) -> None:
    dialog.ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok).click()


def _stored(db: Database) -> OutcomeSettings:
    with db.session() as session:
        return load_outcome_settings(session)


def test_changing_the_currency_and_a_policy_is_stored_on_save(
    qtbot: QtBot, qtmodeltester: object, db: Database, context: AppContext
) -> None:
    """USD and "bad timing → Check back in 3 months after 60 days" are saved and shown."""
    check_back = _sequence(db, "Check back in 3 months")
    tab = _tab(qtbot, context)
    assert [p.reason for p in tab.model.rows] == list(DEFAULT_REASONS)
    assert not tab.save_button.isEnabled()  # nothing changed yet
    tab.currency_combo.setCurrentText("usd")
    dialog = _edit(qtbot, tab, "bad timing")
    assert dialog.ui.reasonEdit.isReadOnly()
    combo = dialog.ui.sequenceCombo
    assert combo.itemText(0) == "No sequence — back to nurture only"
    combo.setCurrentIndex(combo.findData(check_back))
    dialog.ui.delaySpin.setValue(60)
    dialog.ui.keepRadio.setChecked(True)
    _ok(dialog)
    assert not dialog.isVisible()
    assert _what(tab, "bad timing") == (
        "after 60 days → Check back in 3 months; score kept (decays)"
    )
    assert tab.save_button.isEnabled()
    tab.save_button.click()
    _idle(qtbot, context)
    assert tab.error_label.text() == ""
    stored = _stored(db)
    assert stored.currency == "USD"
    policy = stored.policy("bad timing")
    assert (policy.sequence_id, policy.delay_days, policy.score) == (check_back, 60, "keep")
    assert stored.reasons == DEFAULT_REASONS
    assert tab.currency_combo.currentText() == "USD"
    assert not tab.save_button.isEnabled()  # saved: nothing left to save
    qtmodeltester.check(tab.model)  # type: ignore[attr-defined]


def test_a_policy_naming_a_deleted_sequence_is_refused_and_nothing_is_stored(
    qtbot: QtBot, db: Database, context: AppContext
) -> None:
    """The sequence is deleted after it was chosen: Save says so and stores nothing."""
    doomed = _sequence(db, "Six monthly emails")
    tab = _tab(qtbot, context)
    tab.currency_combo.setCurrentText("GBP")
    dialog = _edit(qtbot, tab, "no budget")
    dialog.ui.sequenceCombo.setCurrentIndex(dialog.ui.sequenceCombo.findData(doomed))
    _ok(dialog)
    with db.write() as session:
        session.delete(session.get(Sequence, doomed))
    tab.save_button.click()
    _idle(qtbot, context)
    assert tab.error_label.text() == (
        "Not saved: The policy for 'no budget' names a sequence that was deleted: "
        "choose another one."
    )
    stored = _stored(db)
    assert stored.currency == "EUR"
    assert stored.policy("no budget").sequence_id is None
    assert tab.save_button.isEnabled()  # the edits are still there to fix
    tab.load()  # coming back to the tab: the row now says what is wrong
    _idle(qtbot, context)
    assert "a deleted sequence" in _what(tab, "no budget")


def test_a_currency_that_is_not_a_code_is_refused(
    qtbot: QtBot, db: Database, context: AppContext
) -> None:
    """Typing "Euro" is refused with the core's message; the stored currency stays EUR."""
    tab = _tab(qtbot, context)
    tab.currency_combo.setCurrentText("Euro")
    tab.save_button.click()
    _idle(qtbot, context)
    assert tab.error_label.text() == (
        "Not saved: 'EURO' is not a currency code: use three letters like EUR."
    )
    assert _stored(db).currency == "EUR"
    tab.currency_combo.setCurrentText("CHF")  # an edit clears the stale message
    assert tab.error_label.text() == ""


def test_adding_and_removing_reasons_keeps_other_last_and_stores_the_list(
    qtbot: QtBot, db: Database, context: AppContext
) -> None:
    """Add "Budget  Frozen" (disqualify), remove "no decision"; "other" cannot be removed."""
    tab = _tab(qtbot, context)
    tab.add_button.click()
    dialog = tab.dialog
    assert isinstance(dialog, RecyclePolicyDialog)
    _ok(dialog)
    assert dialog.isVisible() and "Name the reason" in dialog.ui.errorLabel.text()
    dialog.ui.reasonEdit.setText("No Budget")
    _ok(dialog)
    assert "already on the list" in dialog.ui.errorLabel.text()
    dialog.ui.reasonEdit.setText("Budget  Frozen")
    dialog.ui.disqualifyCheck.setChecked(True)
    assert not dialog.ui.sequenceCombo.isEnabled()
    _ok(dialog)
    assert [p.reason for p in tab.model.rows][-2:] == ["budget frozen", "other"]
    assert _what(tab, "budget frozen") == "disqualified: no nurture"
    tab.view.selectRow(_row_of(tab, "other"))
    assert not tab.remove_button.isEnabled()
    tab.view.selectRow(_row_of(tab, "no decision"))
    tab.remove_button.click()
    tab.save_button.click()
    _idle(qtbot, context)
    stored = _stored(db)
    assert "no decision" not in stored.reasons
    assert stored.reasons[-2:] == ("budget frozen", "other")
    assert stored.policy("budget frozen").disqualify


def test_switching_re_engagement_on_without_a_sequence_is_refused(
    qtbot: QtBot, db: Database, context: AppContext
) -> None:
    """The rule is off by default; switching it on with no sequence is refused, not stored."""
    tab = _tab(qtbot, context)
    box = tab.reengagement_box
    assert not box.enable_check.isChecked()
    assert (box.inactive_spin.value(), box.every_spin.value()) == (90, 180)
    box.enable_check.setChecked(True)
    tab.save_button.click()
    _idle(qtbot, context)
    assert tab.error_label.text() == (
        "Not saved: Choose the re-engagement sequence before switching it on."
    )
    with db.session() as session:
        assert not load_reengagement(session).enabled


def test_create_the_preset_sequence_creates_it_selects_it_and_saves_the_rule(
    qtbot: QtBot, db: Database, context: AppContext
) -> None:
    """The button adds the shipped sequence once, chooses it, and Save switches the rule on."""
    tab = _tab(qtbot, context)
    box = tab.reengagement_box
    assert box.create_button.isEnabled()
    box.create_button.click()
    _idle(qtbot, context)
    assert box.sequence_combo.currentText() == PRESET_NAME
    assert "is ready and chosen" in box.result_label.text()
    assert not box.create_button.isEnabled()  # a sequence is chosen now
    with db.session() as session:
        preset = session.scalars(select(Sequence).where(Sequence.name == PRESET_NAME)).one()
        assert preset.status == "active"
    assert box.sequence_combo.currentData() == preset.id
    dialog = _edit(qtbot, tab, "bad timing")  # the policies can name it as well
    assert dialog.ui.sequenceCombo.findData(preset.id) > 0
    dialog.reject()
    box.enable_check.setChecked(True)
    box.inactive_spin.setValue(120)
    tab.save_button.click()
    _idle(qtbot, context)
    assert tab.error_label.text() == ""
    with db.session() as session:
        rule = load_reengagement(session)
        assert (rule.enabled, rule.sequence_id, rule.inactive_days) == (True, preset.id, 120)
    box.sequence_combo.setCurrentIndex(0)  # "Choose a sequence…" again
    box.create_button.click()  # finds the existing preset instead of a second copy
    _idle(qtbot, context)
    assert box.sequence_combo.currentData() == preset.id
    with db.session() as session:
        count = session.scalar(select(func.count()).where(Sequence.name == PRESET_NAME))
        assert count == 1


def test_the_dry_run_counts_the_leads_untouched_for_100_days_and_writes_nothing(
    qtbot: QtBot, db: Database, context: AppContext, clock: FixedClock
) -> None:
    """Three quiet leads: "These 3 leads would be re-engaged today"; recent ones count 0."""
    now = clock.now()
    with db.write() as session:
        for n, status in enumerate(("nurturing", "nurturing", "accepted")):
            new_lead(
                session,
                f"quiet{n}@acme.example",
                status=status,
                last_activity_at=now - timedelta(days=100),
                created_at=now - timedelta(days=200),
            )
        new_lead(session, "busy@acme.example", status="nurturing", last_activity_at=now)
    tab = _tab(qtbot, dataclasses.replace(context, clock=clock))
    box = tab.reengagement_box
    box.dry_run_button.click()
    _idle(qtbot, context)
    assert box.result_label.text() == (
        "These 3 leads would be re-engaged today: 1 with sales, 2 in nurture. "
        "The rule is off: nothing is sent until you switch it on and save."
    )
    assert box.last_report is not None and box.last_report.enrolled == 0
    box.inactive_spin.setValue(120)  # unsaved: the dry run uses the values shown
    box.dry_run_button.click()
    _idle(qtbot, context)
    assert box.result_label.text().startswith("No lead would be re-engaged today")
    assert "not saved yet" in box.result_label.text()
    with db.session() as session:
        assert load_reengagement(session).inactive_days == 90
        assert session.scalar(select(func.count(Sequence.id))) == 0
