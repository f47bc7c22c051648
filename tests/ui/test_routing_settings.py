"""Settings → Assignment rules: the rule dialog, the live preview and Save, driven with qtbot."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from leaddesk.db.engine import Database
from leaddesk.db.models import Lead, TeamMember
from leaddesk.handoff.routing import (
    AssignmentRule,
    Condition,
    RoutingConfig,
    load_routing,
    save_routing,
)
from leaddesk.handoff.team import add_member, deactivate_member
from leaddesk.ui.context import AppContext
from leaddesk.ui.settings.routing import RoutingSettings
from leaddesk.ui.settings.routing_dialog import AssignmentRuleDialog
from leaddesk.ui.settings.routing_models import AssignmentRulesModel, PreviewModel


@pytest.fixture
def team(db: Database) -> dict[str, int]:
    """Tom and Sofia (reps), Jonas (marketing); a German and an American lead, both new."""
    with db.write() as session:
        ids = {
            "tom": add_member(session, "Tom Okoro", "tom@team.example", timezone="UTC").id,
            "sofia": add_member(session, "Sofia Reyes", "sofia@team.example", timezone="UTC").id,
            "jonas": add_member(
                session, "Jonas Weber", "jonas@team.example", role="marketing", timezone="UTC"
            ).id,
        }
        for email, name, country, score in (
            ("anna@acme.example", "Anna", "Germany", 80.0),
            ("bob@corp.example", "Bob", "United States", 60.0),
        ):
            lead = Lead(email=email, email_key=email, first_name=name, country=country)
            lead.score = score
            session.add(lead)
    return ids


def _tab(qtbot: QtBot, context: AppContext) -> RoutingSettings:
    tab = RoutingSettings(context)
    qtbot.addWidget(tab)
    tab.resize(1000, 700)
    tab.show()
    tab.load()
    qtbot.waitUntil(lambda: tab.saved_config is not None and tab.last_preview is not None)
    qtbot.waitUntil(lambda: not context.runner.busy)
    return tab


def _preview_member(tab: RoutingSettings, first_name: str) -> tuple[str, str]:
    model = tab.preview_model
    for row in range(model.rowCount()):
        if model.data(model.index(row, PreviewModel.COL_LEAD)) == first_name:
            return (
                model.data(model.index(row, PreviewModel.COL_MEMBER)),
                model.data(model.index(row, PreviewModel.COL_WHY)),
            )
    raise AssertionError(f"{first_name} is not in the preview")


def test_a_rule_added_in_the_dialog_previews_the_german_lead_for_tom_then_saves(
    qtbot: QtBot, qtmodeltester: object, db: Database, context: AppContext, team: dict[str, int]
) -> None:
    """Add… a DACH rule for Tom: the unsaved preview sends Anna to Tom; Save stores it."""
    tab = _tab(qtbot, context)
    assert tab.rules_model.rowCount() == 0
    assert "These 2 leads would go to:" in tab.preview_label.text()
    tab.add_button.click()
    dialog = tab.dialog
    assert isinstance(dialog, AssignmentRuleDialog) and dialog.isVisible()
    members = [dialog.ui.membersList.item(r).text() for r in range(dialog.ui.membersList.count())]
    assert members == ["Sofia Reyes — Sales rep", "Tom Okoro — Sales rep"]  # no marketing
    qtbot.keyClicks(dialog.ui.nameEdit, "DACH")
    dialog.ui.addConditionButton.click()
    (row,) = dialog.rows
    assert row.field_combo.currentData() == "country"
    qtbot.keyClicks(row.value_edit, "Germany, Austria")
    dialog.ui.membersList.item(1).setCheckState(Qt.CheckState.Checked)
    qtbot.keyClick(dialog.ui.nameEdit, Qt.Key.Key_Return)  # Enter = OK
    qtbot.waitUntil(lambda: not dialog.isVisible())
    model = tab.rules_model
    assert model.rowCount() == 1
    assert model.data(model.index(0, model.COL_WHEN)) == "Country is one of Germany, Austria"
    assert model.data(model.index(0, model.COL_TO)) == "Tom Okoro"
    qtbot.waitUntil(lambda: _preview_member(tab, "Anna") == ("Tom Okoro", "rule “DACH”"))
    assert "(with your unsaved changes)" in tab.preview_label.text()
    with db.session() as session:
        assert load_routing(session).rules == ()
    tab.save_button.click()
    qtbot.waitUntil(lambda: not tab.dirty and not context.runner.busy)
    with db.session() as session:
        (stored,) = load_routing(session).rules
    assert stored == AssignmentRule(
        "DACH", (Condition("country", "in_list", "Germany, Austria"),), (team["tom"],)
    )
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    qtmodeltester.check(tab.preview_model)  # type: ignore[attr-defined]


def test_the_preview_counts_leads_per_member_and_follows_the_default_pool(
    qtbot: QtBot, context: AppContext, team: dict[str, int]
) -> None:
    """With only Sofia in the default pool both leads would go to her: "Sofia Reyes 2"."""
    tab = _tab(qtbot, context)
    items = {tab.pool_list.item(r).text(): tab.pool_list.item(r) for r in range(2)}
    items["Sofia Reyes"].setCheckState(Qt.CheckState.Checked)
    qtbot.waitUntil(lambda: "would go to: Sofia Reyes 2" in tab.preview_label.text())
    assert _preview_member(tab, "Bob") == ("Sofia Reyes", "default pool")


def test_a_rule_naming_an_inactive_member_is_refused_with_the_message(
    qtbot: QtBot, db: Database, context: AppContext, team: dict[str, int]
) -> None:
    """Tom was deactivated: the preview and Save say so, the dialog refuses, nothing changes."""
    with db.write() as session:
        dach = (Condition("country", "in_list", "Germany"),)
        save_routing(session, RoutingConfig((AssignmentRule("DACH", dach, (team["tom"],)),)))
        tom = session.get_one(TeamMember, team["tom"])
        deactivate_member(session, tom, now=context.clock.now())
    tab = RoutingSettings(context)
    qtbot.addWidget(tab)
    tab.show()
    tab.load()
    qtbot.waitUntil(lambda: "No preview until this is fixed" in tab.preview_label.text())
    assert "names Tom Okoro, who is inactive" in tab.preview_label.text()
    model = tab.rules_model
    assert model.data(model.index(0, AssignmentRulesModel.COL_TO)) == "Tom Okoro (inactive)"
    model.setData(model.index(0, 0), Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
    assert tab.save_button.isEnabled()
    tab.save_button.click()
    qtbot.waitUntil(lambda: bool(tab.error_label.text()))
    assert "Not saved: Rule 'DACH' names Tom Okoro, who is inactive" in tab.error_label.text()
    with db.session() as session:
        assert load_routing(session).rules[0].enabled is True
    tab.rules_view.selectRow(0)
    tab.edit_button.click()
    dialog = tab.dialog
    assert isinstance(dialog, AssignmentRuleDialog)
    texts = [dialog.ui.membersList.item(r).text() for r in range(dialog.ui.membersList.count())]
    assert "Tom Okoro — Sales rep (inactive)" in texts
    dialog.ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: bool(dialog.ui.errorLabel.text()))
    assert "who is inactive: pick an active member" in dialog.ui.errorLabel.text()
    assert dialog.isVisible()
    dialog.reject()


def test_rules_reorder_and_the_delete_key_removes_after_confirmation(
    qtbot: QtBot, context: AppContext, team: dict[str, int], db: Database
) -> None:
    """Moving Sofia's rule above Tom's changes Anna's rep; Delete asks before removing."""
    anyone = (Condition("country", "is_not_empty"),)
    with db.write() as session:
        rules = (
            AssignmentRule("Germany", (Condition("country", "equals", "Germany"),), (team["tom"],)),
            AssignmentRule("Everyone", anyone, (team["sofia"],)),
        )
        save_routing(session, RoutingConfig(rules))
    tab = _tab(qtbot, context)
    assert _preview_member(tab, "Anna") == ("Tom Okoro", "rule “Germany”")
    tab.rules_view.selectRow(1)
    tab.up_button.click()
    assert tab.rules_model.rules[0].name == "Everyone"
    qtbot.waitUntil(lambda: _preview_member(tab, "Anna") == ("Sofia Reyes", "rule “Everyone”"))
    asked: list[str] = []
    answer = {"value": False}

    def confirm(rule: AssignmentRule) -> bool:
        asked.append(rule.name)
        return answer["value"]

    tab.confirm_remove = confirm  # type: ignore[method-assign]
    tab.rules_view.selectRow(0)
    tab.rules_view.setFocus()
    qtbot.keyClick(tab.rules_view, Qt.Key.Key_Delete)
    assert asked == ["Everyone"] and tab.rules_model.rowCount() == 2
    answer["value"] = True
    qtbot.keyClick(tab.rules_view, Qt.Key.Key_Delete)
    assert tab.rules_model.rowCount() == 1
    assert tab.rules_model.rules[0].name == "Germany"
    tab.revert_button.click()
    assert [r.name for r in tab.rules_model.rules] == ["Germany", "Everyone"]
