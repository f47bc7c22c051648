"""The score breakdown widget and the Settings → Scoring editor, driven with qtbot."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from leaddesk.activities import ActivityEvent, record_activity
from leaddesk.db.engine import Database
from leaddesk.db.models import Activity, Lead
from leaddesk.scoring import default_config, display_score, load_config
from leaddesk.ui.context import AppContext
from leaddesk.ui.dialogs.scoring_rule import ScoringRuleDialog
from leaddesk.ui.settings.scoring import ScoringSettings
from leaddesk.ui.widgets.score_breakdown import ScoreBreakdownWidget


def _lead_with_activities(db: Database, context: AppContext) -> int:
    now = context.clock.now()
    with db.write() as session:
        lead = Lead(email="vp@example.com", email_key="vp@example.com", title="VP Sales",
                    first_name="Vera", industry="Software")  # fmt: skip
        session.add(lead)
        session.flush()
        for kind, days in (("webinar_registered", 40), ("webinar_attended", 39), ("replied", 2)):
            event = ActivityEvent(lead.id, kind, occurred_at=now - timedelta(days=days))
            record_activity(session, event, now=now)
        return lead.id


def test_breakdown_widget_shows_the_stored_score(
    qtbot: QtBot, qtmodeltester: object, db: Database, context: AppContext
) -> None:
    """The widget shows score, band, bars, items that add up, "points to sales-ready", chart."""
    lead_id = _lead_with_activities(db, context)
    widget = ScoreBreakdownWidget(context)
    qtbot.addWidget(widget)
    widget.resize(550, 600)  # the lead panel's width at the default window size
    widget.show()
    with qtbot.waitSignal(widget.loaded, timeout=10000):
        widget.show_lead(lead_id)
    view = widget.view
    assert view is not None
    with db.session() as session:
        stored = session.get(Lead, lead_id)
        assert stored is not None and stored.score == view.breakdown.total
    model = widget.model
    assert model.rowCount() == len(view.breakdown.items) >= 4
    total = sum(model.data(model.index(r, 0), Qt.ItemDataRole.UserRole).points_now
                for r in range(model.rowCount()))  # fmt: skip
    assert abs(total - view.breakdown.total) < 1e-9
    assert widget.score_label.text() == display_score(view.breakdown.total)
    assert widget.band_label.text() == "Warm"
    assert widget.to_go_label.text().endswith("points to sales-ready")
    assert widget.fit_bar.format().endswith("/ 40")
    # one rounding rule: the bars' parts add up to the big number, as the inbox shows it
    fit = int(widget.fit_bar.format().split(" /")[0])
    engagement = int(widget.engagement_bar.format().split(" /")[0])
    assert fit + engagement == int(widget.score_label.text())
    assert "#f59e0b" in widget.fit_bar.styleSheet()  # the inbox's warm colour
    assert not widget.table.isColumnHidden(model.COL_WHY)
    assert widget.table.columnWidth(model.COL_WHY) >= widget.table.columnWidth(model.COL_RULE)
    why = [model.data(model.index(r, model.COL_WHY)) for r in range(model.rowCount())]
    assert any(text.startswith("Attended a webinar on ") for text in why)
    assert len(widget.chart.points) > 10
    assert not widget.chart.grab().isNull()
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def _editor(qtbot: QtBot, context: AppContext) -> ScoringSettings:
    editor = ScoringSettings(context)
    qtbot.addWidget(editor)
    editor.show()
    editor.load()
    qtbot.waitUntil(lambda: editor.saved_config is not None and not context.runner.busy)
    return editor


def test_editor_previews_without_saving_then_saves(
    qtbot: QtBot, qtmodeltester: object, db: Database, context: AppContext
) -> None:
    """Lowering sales-ready shows the mover in the what-if; the database changes only on Save."""
    lead_id = _lead_with_activities(db, context)
    editor = _editor(qtbot, context)
    assert editor.saved_config == default_config()
    assert not editor.save_button.isEnabled()
    editor.sales_ready_spin.setValue(50)
    assert editor.dirty and editor.save_button.isEnabled()
    with qtbot.waitSignal(editor.previewed, timeout=10000):
        editor.preview_button.click()
    assert "1 lead would change band" in editor.preview_label.text()
    assert editor.movers_model.rowCount() == 1
    assert "Sales-ready" in editor.movers_model.data(editor.movers_model.index(0, 4))
    qtmodeltester.check(editor.movers_model)  # type: ignore[attr-defined]
    with db.session() as session:
        assert load_config(session).sales_ready_threshold == 70
        lead = session.get(Lead, lead_id)
        assert lead is not None and lead.score_band == "warm"
    with qtbot.waitSignal(editor.saved, timeout=10000):
        editor.save_button.click()
    qtbot.waitUntil(lambda: not context.runner.busy)
    with db.session() as session:
        assert load_config(session).sales_ready_threshold == 50
        lead = session.get(Lead, lead_id)
        assert lead is not None and lead.score_band == "sales_ready"
        crossings = select(func.count()).where(Activity.kind == "became_sales_ready")
        assert session.scalar(crossings) == 1
    assert not editor.dirty and not editor.save_button.isEnabled()


def test_editor_add_edit_reorder_remove_and_restore(
    qtbot: QtBot, qtmodeltester: object, context: AppContext
) -> None:
    """Rules are added through the dialog, reordered, switched off, removed; defaults return."""
    editor = _editor(qtbot, context)
    model = editor.rules_model
    count = model.rowCount()

    def fill_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ScoringRuleDialog)
        dialog.ui.nameEdit.setText("Pricing page twice")
        dialog.ui.kindCombo.setCurrentIndex(dialog.ui.kindCombo.findData("website_visit"))
        dialog.ui.fieldCombo.setCurrentIndex(dialog.ui.fieldCombo.findData("page"))
        dialog.ui.valueEdit.setText("pricing")
        dialog.ui.pointsSpin.setValue(8)
        dialog.ui.maxCountSpin.setValue(2)
        dialog.ui.halfLifeSpin.setValue(0)
        dialog.accept()

    QTimer.singleShot(0, fill_dialog)
    editor.add_engagement_button.click()
    assert model.rowCount() == count + 1
    added = model.rules[-1]
    assert (added.name, added.activity_kind, added.field, added.value) == (
        "Pricing page twice", "website_visit", "page", "pricing",
    )  # fmt: skip
    assert (added.points, added.max_count, added.half_life_days) == (8, 2, None)
    assert model.data(model.index(count, model.COL_CONDITION)) == (
        "Visited the website, where page contains any of the words pricing"
    )
    editor.up_button.click()
    assert model.rules[-2] == added
    model.setData(model.index(0, model.COL_ON), Qt.CheckState.Unchecked.value,
                  Qt.ItemDataRole.CheckStateRole)  # fmt: skip
    assert not model.rules[0].enabled
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    editor.rules_view.selectRow(count - 1)
    editor.remove_button.click()
    assert added not in model.rules and editor.dirty
    editor.restore_defaults()
    assert editor.proposed_config() == default_config()
    assert not editor.dirty


def test_rule_dialog_refuses_invalid_rules(qtbot: QtBot) -> None:
    """A fit rule without a name stays open and says why."""
    from leaddesk.scoring import new_rule

    dialog = ScoringRuleDialog(new_rule("fit", name=""))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.accept()
    assert dialog.isVisible()
    assert "needs a name" in dialog.ui.errorLabel.text()
    assert not dialog.ui.halfLifeSpin.isVisible()


def test_editor_flags_impossible_thresholds(qtbot: QtBot, context: AppContext) -> None:
    """Warm above sales-ready disables Preview and Save and explains the problem."""
    editor = _editor(qtbot, context)
    editor.warm_spin.setValue(90)
    assert "warm < sales-ready" in editor.error_label.text()
    assert not editor.save_button.isEnabled() and not editor.preview_button.isEnabled()
    editor.revert_button.click()
    assert editor.error_label.text() == "" and not editor.dirty


def test_settings_page_has_a_scoring_tab(qtbot: QtBot, window: object, context: AppContext) -> None:
    """Settings → Scoring is a tab of the main window and loads the model when shown."""
    page = window.show_page("settings")  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: page.loaded and not context.runner.busy)
    editor = page.tab_widgets["Scoring"]
    assert isinstance(editor, ScoringSettings)
    qtbot.waitUntil(lambda: editor.saved_config is not None)


def test_editing_a_rule_through_the_dialog(qtbot: QtBot, context: AppContext) -> None:
    """Double-clicking a rule opens it; changing its points updates the row and enables Save."""
    editor = _editor(qtbot, context)
    model = editor.rules_model

    def raise_points() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ScoringRuleDialog)
        assert dialog.ui.nameEdit.text() == model.rules[1].name
        dialog.ui.pointsSpin.setValue(18)
        dialog.ui.buttonBox.button(dialog.ui.buttonBox.StandardButton.Ok).click()

    editor.rules_view.selectRow(1)
    QTimer.singleShot(0, raise_points)
    editor.edit_button.click()
    assert model.rules[1].points == 18
    assert model.data(model.index(1, model.COL_POINTS)) == "+18"
    assert editor.save_button.isEnabled()


def test_chart_without_history_says_so(qtbot: QtBot) -> None:
    """A lead with no history yet gets a readable placeholder instead of an empty box."""
    from leaddesk.ui.widgets.score_chart import ScoreChart

    chart = ScoreChart()
    qtbot.addWidget(chart)
    chart.set_history([], 40, 70)
    chart.resize(300, 100)
    assert not chart.grab().isNull()


def test_unsaved_edits_survive_a_reload(qtbot: QtBot, context: AppContext) -> None:
    """Leaving Settings and coming back keeps the thresholds being edited."""
    editor = _editor(qtbot, context)
    editor.warm_spin.setValue(35)
    editor.load()
    qtbot.waitUntil(lambda: not context.runner.busy)
    assert editor.warm_spin.value() == 35 and editor.dirty
