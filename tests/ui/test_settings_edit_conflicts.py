"""Two people saving the same settings: the later save names who won and asks reload/overwrite."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from leaddesk.db.engine import Database
from leaddesk.db.models import AppSetting
from leaddesk.errors import EditConflict
from leaddesk.handoff.config import SETTINGS_KEY as HANDOFF_KEY
from leaddesk.handoff.config import HandoffSettings, load_settings, save_settings
from leaddesk.handoff.routing import SETTINGS_KEY as ROUTING_KEY
from leaddesk.handoff.routing import RoutingConfig, load_routing, save_routing
from leaddesk.outcomes.config import load_outcome_settings, save_outcome_settings
from leaddesk.scoring import apply_config, load_config
from leaddesk.settings import (
    POSTAL_ADDRESS,
    ensure_settings_unchanged,
    postal_address,
    set_setting,
    settings_snapshot,
)
from leaddesk.ui.context import AppContext
from leaddesk.ui.pages.settings import GeneralSettings
from leaddesk.ui.settings.recycling import RecyclingSettings
from leaddesk.ui.settings.routing import RoutingSettings
from leaddesk.ui.settings.scoring import ScoringSettings
from leaddesk.ui.settings.team import TeamSettings
from tests.ui.inbox_page.helpers import answer_next_dialog
from tests.ui.test_routing_settings import team  # noqa: F401 - fixture


def _signed(db: Database, key: str, by: str) -> None:
    with db.write() as session:
        row = session.get_one(AppSetting, key)
        row.updated_by = by


def _idle(qtbot: QtBot, context: AppContext) -> None:
    qtbot.waitUntil(lambda: not context.runner.busy, timeout=10_000)


def _answered(qtbot: QtBot, context: AppContext, asked: list[str]) -> None:
    qtbot.waitUntil(lambda: bool(asked), timeout=10_000)
    qtbot.wait(100)
    _idle(qtbot, context)


def test_a_setting_saved_meanwhile_is_a_conflict_naming_who(db: Database) -> None:
    """A setting changed since the form read it is a conflict naming Maya; unchanged passes."""
    with db.write() as session:
        loaded = settings_snapshot(session, (POSTAL_ADDRESS, "never_set"))
        ensure_settings_unchanged(session, loaded, "postal address")
        set_setting(session, POSTAL_ADDRESS, "1 Quay St", by="Maya")
    assert loaded == {POSTAL_ADDRESS: None, "never_set": None}
    with pytest.raises(EditConflict) as caught, db.write() as session:
        ensure_settings_unchanged(session, loaded, "postal address")
    assert caught.value.by == "Maya" and "postal address changed by Maya at" in str(caught.value)


@pytest.mark.parametrize("choice", ["Overwrite", "Reload"])
def test_assignment_rules_saved_by_maya_meanwhile_ask_and_do_the_choice(
    qtbot: QtBot,
    db: Database,
    context: AppContext,
    team: dict[str, int],  # noqa: F811 - the fixture imported above
    choice: str,
) -> None:
    """Maya saved the default pool while I edited mine: Save asks; the choice decides the pool."""
    tab = RoutingSettings(context)
    qtbot.addWidget(tab)
    tab.show()
    tab.load()
    qtbot.waitUntil(lambda: tab.saved_config is not None, timeout=10_000)
    _idle(qtbot, context)
    with db.write() as session:
        save_routing(session, RoutingConfig(default_members=(team["sofia"],)))
    _signed(db, ROUTING_KEY, "Maya")
    items = {tab.pool_list.item(r).text(): tab.pool_list.item(r) for r in range(2)}
    next(item for text, item in items.items() if "Tom" in text).setCheckState(Qt.CheckState.Checked)
    asked: list[str] = []
    answer_next_dialog(choice, asked)
    tab.save_button.click()
    _answered(qtbot, context, asked)
    assert asked[0].startswith("Assignment rules changed by Maya at")
    with db.session() as session:
        pool = load_routing(session).default_members
    assert pool == ((team["tom"],) if choice == "Overwrite" else (team["sofia"],))
    assert tab.saved_config is not None and tab.saved_config.default_members == pool
    assert not tab.dirty


def test_the_postal_address_saved_elsewhere_is_reloaded_on_request(
    qtbot: QtBot, db: Database, context: AppContext
) -> None:
    """General: another laptop set the address meanwhile; Reload shows theirs, nothing of mine."""
    tab = GeneralSettings(context)
    qtbot.addWidget(tab)
    tab.show()
    tab.load()
    qtbot.waitUntil(lambda: tab.saved_address is not None, timeout=10_000)
    with db.write() as session:
        set_setting(session, POSTAL_ADDRESS, "Maya Ltd · 1 Quay St", by="Maya")
    tab.postal_address_edit.setPlainText("Mine · 2 Dock Rd")
    asked: list[str] = []
    answer_next_dialog("Reload", asked)
    tab.save_button.click()
    _answered(qtbot, context, asked)
    qtbot.waitUntil(lambda: tab.postal_address_edit.toPlainText() == "Maya Ltd · 1 Quay St")
    assert asked[0].startswith("Postal address changed by Maya at")
    with db.session() as session:
        assert postal_address(session) == "Maya Ltd · 1 Quay St"


def test_the_scoring_model_saved_from_the_cli_meanwhile_is_not_overwritten_on_cancel(
    qtbot: QtBot, db: Database, context: AppContext, clock
) -> None:
    """Scoring: a model saved by another program since loading asks; Cancel saves nothing."""
    editor = ScoringSettings(context)
    qtbot.addWidget(editor)
    editor.show()
    editor.load()
    qtbot.waitUntil(lambda: editor.saved_config is not None, timeout=10_000)
    _idle(qtbot, context)
    with db.write() as session:
        theirs = load_config(session)
        apply_config(session, type(theirs)(**{**vars(theirs), "warm_threshold": 33}), clock.now())
    editor.sales_ready_spin.setValue(55)
    asked: list[str] = []
    answer_next_dialog("Cancel", asked)
    editor.save_button.click()
    _answered(qtbot, context, asked)
    assert asked[0].startswith("Scoring model changed by someone else at")
    with db.session() as session:
        stored = load_config(session)
    assert (stored.warm_threshold, stored.sales_ready_threshold) == (33, 70)
    assert editor.dirty  # my edit is still in the editor


def test_hand_off_and_recycling_settings_saved_meanwhile_ask_before_saving(
    qtbot: QtBot, db: Database, context: AppContext
) -> None:
    """Team → hand-offs and Recycling: Maya's save meanwhile asks; Overwrite stores mine."""
    team_tab = TeamSettings(context)
    qtbot.addWidget(team_tab)
    team_tab.show()
    team_tab.load()
    recycling = RecyclingSettings(context)
    qtbot.addWidget(recycling)
    recycling.show()
    recycling.load()
    qtbot.waitUntil(lambda: team_tab.loaded and recycling.loaded, timeout=10_000)
    _idle(qtbot, context)
    with db.write() as session:
        save_settings(session, HandoffSettings(sla_hours=8))
        outcomes = load_outcome_settings(session)
        save_outcome_settings(session, type(outcomes)(**{**vars(outcomes), "currency": "GBP"}))
    _signed(db, HANDOFF_KEY, "Maya")
    box = team_tab.settings_box
    box.sla_spin.setValue(12)
    asked: list[str] = []
    answer_next_dialog("Overwrite", asked)
    box.save_button.click()
    _answered(qtbot, context, asked)
    assert asked[0].startswith("Hand-off settings changed by Maya at")
    recycling.currency_combo.setCurrentText("USD")
    answer_next_dialog("Overwrite", asked)
    recycling.save_button.click()
    qtbot.waitUntil(lambda: len(asked) == 2, timeout=10_000)
    _idle(qtbot, context)
    assert asked[1].startswith("Recycling settings changed by")
    with db.session() as session:
        assert load_settings(session).sla_hours == 12
        assert load_outcome_settings(session).currency == "USD"
