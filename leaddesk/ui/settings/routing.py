"""Settings → Assignment rules: who gets a lead that is handed to sales, with a live preview.

The rules are edited as plain :class:`RoutingConfig` data; nothing is stored until Save, which
goes through :func:`save_routing` (its refusal is shown and nothing changes). Every edit
re-runs :func:`preview_assignments` on the unsaved rules off the GUI thread: "these 20 leads
would go to …".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QHideEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from leaddesk.handoff.routing import SETTINGS_KEY as ROUTING_KEY
from leaddesk.handoff.routing import (
    AssignmentRule,
    RoutingConfig,
    RoutingError,
    load_routing,
    preview_assignments,
    save_routing,
)
from leaddesk.handoff.team import SALES_ROLES, MemberInfo, list_members
from leaddesk.ui.context import AppContext
from leaddesk.ui.settings.routing_dialog import AssignmentRuleDialog
from leaddesk.ui.settings.routing_models import AssignmentRulesModel
from leaddesk.ui.settings.routing_preview import Preview, RoutingPreviewBox, rows_table
from leaddesk.ui.settings.save_guard import SaveGuard
from leaddesk.ui.settings.team_dialogs import sentence
from leaddesk.ui.widgets.settings_form import hint_label

PREVIEW_DELAY_MS = 250
DEFAULT_POOL_HINT = "None ticked: every active sales rep (or the managers when there are no reps)."


class RoutingSettings(QWidget):
    """The ordered assignment rules, the default pool, a live preview, and Save."""

    saved = Signal(object)  # RoutingConfig
    previewed = Signal(object)  # Preview

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.saved_config: RoutingConfig | None = None
        self.guard = SaveGuard(context.db, "assignment rules", (ROUTING_KEY,))
        self.members: list[MemberInfo] = []
        self.dialog: AssignmentRuleDialog | None = None
        self.last_preview: Preview | None = None
        self._generation = 0
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self.preview)
        layout = QVBoxLayout(self)
        layout.addWidget(
            hint_label(
                "Rules are tried from the top: the first whose conditions all hold picks the rep "
                "(several members share its leads round-robin, balanced by open hand-offs and "
                "capacity). A lead that already has an active sales owner keeps them. Nothing "
                "changes until you save."
            )
        )
        self.empty_label = hint_label("")
        self.empty_label.setStyleSheet("font-weight: 600;")
        self.empty_label.hide()
        layout.addWidget(self.empty_label)
        layout.addLayout(self._build_rules(), 1)
        layout.addLayout(self._build_default_pool())
        self.preview_box = RoutingPreviewBox(self)
        self.preview_label = self.preview_box.label
        self.preview_model = self.preview_box.model
        layout.addWidget(self.preview_box, 2)
        layout.addLayout(self._build_buttons())
        self._update_state()

    def _build_rules(self) -> QHBoxLayout:
        self.rules_model = AssignmentRulesModel(self)
        for signal in (
            self.rules_model.dataChanged,
            self.rules_model.rowsInserted,
            self.rules_model.rowsRemoved,
            self.rules_model.rowsMoved,
            self.rules_model.modelReset,
        ):
            signal.connect(self._edited)
        self.rules_view = rows_table(self.rules_model, AssignmentRulesModel.COL_WHEN)
        self.rules_view.activated.connect(lambda _index: self.edit_rule())  # double-click, Enter
        self.rules_view.selectionModel().selectionChanged.connect(self._update_state)
        delete = QAction(self.rules_view)
        delete.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        delete.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        delete.triggered.connect(self.remove_rule)
        self.rules_view.addAction(delete)
        self.add_button = QPushButton("&Add…")
        self.edit_button = QPushButton("&Edit…")
        self.remove_button = QPushButton("Re&move")
        self.up_button = QPushButton("Move &up")
        self.down_button = QPushButton("Move &down")
        self.add_button.clicked.connect(self.add_rule)
        self.edit_button.clicked.connect(self.edit_rule)
        self.remove_button.clicked.connect(self.remove_rule)
        self.up_button.clicked.connect(lambda: self.move_rule(-1))
        self.down_button.clicked.connect(lambda: self.move_rule(1))
        buttons = QVBoxLayout()
        for button in (
            self.add_button,
            self.edit_button,
            self.remove_button,
            self.up_button,
            self.down_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.rules_view, 1)
        row.addLayout(buttons)
        return row

    def _build_default_pool(self) -> QVBoxLayout:
        self.pool_list = QListWidget()
        self.pool_list.setFlow(QListWidget.Flow.LeftToRight)
        self.pool_list.setWrapping(True)
        self.pool_list.setSpacing(2)
        self.pool_list.setFixedHeight(self.fontMetrics().lineSpacing() * 2 + 16)
        self.pool_list.itemChanged.connect(lambda _item: self._edited())
        caption = QLabel("&Everything else (the default rule, always last) goes round-robin to:")
        caption.setBuddy(self.pool_list)
        column = QVBoxLayout()
        column.addWidget(caption)
        column.addWidget(self.pool_list)
        column.addWidget(hint_label(DEFAULT_POOL_HINT))
        return column

    def _build_buttons(self) -> QHBoxLayout:
        self.error_label = QLabel("")
        self.error_label.setStyleSheet("color: #b91c1c;")
        self.error_label.setWordWrap(True)
        self.revert_button = QPushButton("Re&vert")
        self.revert_button.clicked.connect(self.revert)
        self.save_button = QPushButton("&Save")
        self.save_button.setProperty("primary", True)
        self.save_button.clicked.connect(self.save)
        row = QHBoxLayout()
        row.addWidget(self.error_label, 1)
        row.addWidget(self.revert_button)
        row.addWidget(self.save_button)
        return row

    # -- the rules being edited -----------------------------------------------------------

    def proposed_config(self) -> RoutingConfig:
        """The rules as the editor shows them now (not validated)."""
        ticked = [
            int(item.data(Qt.ItemDataRole.UserRole))
            for item in self._pool_items()
            if item.checkState() == Qt.CheckState.Checked
        ]
        order = list(self.saved_config.default_members) if self.saved_config else []
        ticked.sort(key=lambda m: (order.index(m) if m in order else len(order), m))
        return RoutingConfig(tuple(self.rules_model.rules), tuple(ticked))

    def _pool_items(self) -> list[QListWidgetItem]:
        return [self.pool_list.item(row) for row in range(self.pool_list.count())]

    @property
    def dirty(self) -> bool:
        """True when the editor differs from the rules in force."""
        return self.saved_config is not None and self.proposed_config() != self.saved_config

    def show_config(self, config: RoutingConfig) -> None:
        """Put ``config`` in the editor (unsaved until Save)."""
        self.rules_model.set_rows(list(config.rules))
        self._fill_pool(config.default_members)
        self._edited()

    def _fill_pool(self, chosen: tuple[int, ...]) -> None:
        self.pool_list.blockSignals(True)
        self.pool_list.clear()
        for member in self.members:
            usable = member.active and member.role in SALES_ROLES
            if not usable and member.id not in chosen:
                continue
            item = QListWidgetItem(member.name if member.active else f"{member.name} (inactive)")
            item.setData(Qt.ItemDataRole.UserRole, member.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = member.id in chosen
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.pool_list.addItem(item)
        self.pool_list.blockSignals(False)

    def _edited(self, *_args: Any) -> None:
        self._update_state()
        if self.saved_config is not None and self.isVisible():
            self._preview_timer.start()

    def showEvent(self, event: QShowEvent) -> None:
        """Coming back to the tab refreshes the preview (leads and loads move meanwhile)."""
        super().showEvent(event)
        if self.saved_config is not None:
            self._preview_timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        """No previews for a tab nobody sees."""
        self._preview_timer.stop()
        super().hideEvent(event)

    def _selected_row(self) -> int | None:
        rows = self.rules_view.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def _update_state(self, *_args: Any) -> None:
        if not hasattr(self, "save_button"):
            return
        ready = self.saved_config is not None
        self.empty_label.setText(self._empty_text() if ready else "")
        self.empty_label.setVisible(bool(self.empty_label.text()))
        self.save_button.setEnabled(ready and self.dirty)
        self.revert_button.setEnabled(self.dirty)
        self.add_button.setEnabled(
            ready and any(m.active and m.role in SALES_ROLES for m in self.members)
        )
        row = self._selected_row()
        self.edit_button.setEnabled(row is not None)
        self.remove_button.setEnabled(row is not None)
        self.up_button.setEnabled(row is not None and row > 0)
        self.down_button.setEnabled(row is not None and row < len(self.rules_model.rules) - 1)

    def _empty_text(self) -> str:
        if not any(m.active and m.role in SALES_ROLES for m in self.members):
            return (
                "Nobody on the team can take leads yet: add a sales rep or manager in the Team "
                "tab first."
            )
        if not self.rules_model.rules:
            return (
                "No rules yet: every lead goes to the default pool below. Add a rule to send, "
                "say, leads from Germany to one rep, or a tradeshow's leads to a pool."
            )
        return ""

    def _select(self, row: int) -> None:
        self.rules_view.selectRow(row)
        self._update_state()

    # -- rule actions -------------------------------------------------------------------------

    def _config_for(self, index: int | None) -> Callable[[AssignmentRule], RoutingConfig]:
        """What the rule dialog validates: the rule, then any other rule of the same name."""

        def build(rule: AssignmentRule) -> RoutingConfig:
            others = [r for i, r in enumerate(self.rules_model.rules) if i != index]
            clash = [r for r in others if r.name.casefold() == rule.name.casefold()]
            return RoutingConfig((rule, *clash[:1]))

        return build

    def add_rule(self) -> None:
        """Ask for a new rule and append it."""
        rule = AssignmentRule(name="")
        dialog = AssignmentRuleDialog(
            self.context, rule, self.members, self._config_for(None), self
        )
        dialog.accepted.connect(lambda: self._added(dialog.rule()))
        self.dialog = dialog
        dialog.open()

    def _added(self, rule: AssignmentRule) -> None:
        row = len(self.rules_model.rules)
        self.rules_model.insert_rule(row, rule)
        self._select(row)

    def edit_rule(self) -> None:
        """Edit the selected rule."""
        row = self._selected_row()
        if row is None:
            return
        rule = self.rules_model.rules[row]
        dialog = AssignmentRuleDialog(self.context, rule, self.members, self._config_for(row), self)
        dialog.accepted.connect(lambda: self.rules_model.replace_rule(row, dialog.rule()))
        self.dialog = dialog
        dialog.open()

    def confirm_remove(self, rule: AssignmentRule) -> bool:
        """Ask before removing ``rule`` (tests replace this)."""
        answer = QMessageBox.question(
            self,
            "Remove rule?",
            f"Remove the rule “{rule.name}”? Its leads go to the next rule that matches, or "
            "the default pool. Nothing changes until you save.",
        )
        return answer == QMessageBox.StandardButton.Yes

    def remove_rule(self) -> None:
        """Remove the selected rule after a confirmation."""
        row = self._selected_row()
        if row is None or not self.confirm_remove(self.rules_model.rules[row]):
            return
        self.rules_model.remove_rule(row)
        if self.rules_model.rules:
            self._select(min(row, len(self.rules_model.rules) - 1))
        self._update_state()

    def move_rule(self, step: int) -> None:
        """Move the selected rule up (-1) or down (+1)."""
        row = self._selected_row()
        if row is not None and self.rules_model.move_rule(row, row + step):
            self._select(row + step)

    def reload(self) -> None:
        """Throw away unsaved edits and show the rules as stored now."""
        self.error_label.clear()
        self.saved_config = None  # not dirty: the load replaces the editor's content
        self.load()

    def _overwrite(self) -> None:
        self.save(overwrite=True)

    def revert(self) -> None:
        """Throw away unsaved edits."""
        if self.saved_config is not None:
            self.error_label.clear()
            self.show_config(self.saved_config)

    # -- background work ------------------------------------------------------------------

    def load(self) -> None:
        """Read the rules in force and the team (unsaved edits are kept)."""
        db = self.context.db

        def read(_progress: Any) -> tuple[RoutingConfig, list[MemberInfo]]:
            with db.session() as session:
                self.guard.remember(session)
                return load_routing(session), list_members(session)

        self.context.runner.run(read, on_done=self._loaded, write=False, label="Loading rules")

    def _loaded(self, result: tuple[RoutingConfig, list[MemberInfo]]) -> None:
        config, self.members = result
        self.rules_model.set_members(self.members)
        keep = self.dirty
        current = self.proposed_config() if keep else config
        self.saved_config = config
        if keep:
            self._fill_pool(current.default_members)
            self._edited()
        else:
            self.show_config(config)

    def preview(self) -> None:
        """Work out who the next 20 leads would go to under the edited rules (writes nothing)."""
        config, db, now = self.proposed_config(), self.context.db, self.context.clock.now()
        self._generation += 1
        generation = self._generation

        def work(_progress: Any) -> Preview:
            with db.session() as session:
                return preview_assignments(session, config, now)

        self.context.runner.run(
            work,
            on_done=lambda result: self._previewed(generation, result),
            on_error=lambda error: self._preview_failed(generation, error),
            write=False,
            label="Previewing assignments",
        )

    def _previewed(self, generation: int, result: Preview) -> None:
        if generation != self._generation:
            return  # an older edit's preview
        self.last_preview = result
        self.preview_box.show_preview(result, unsaved=self.dirty)
        self.previewed.emit(result)

    def _preview_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self.last_preview = None
        problem = sentence(str(error)) if isinstance(error, RoutingError) else str(error)
        self.preview_box.show_problem(problem)
        self.previewed.emit(None)

    def save(self, *, overwrite: bool = False) -> None:
        """Validate and store the edited rules; a refusal is shown and nothing is saved.

        A save that lost the race with someone else's asks to reload or overwrite theirs.
        """
        config, db = self.proposed_config(), self.context.db
        loaded = None if overwrite else self.guard.loaded

        def work(_progress: Any) -> RoutingConfig:
            with db.write() as session:
                self.guard.check(session, loaded)
                saved = save_routing(session, config)
                self.guard.saved(session)
                return saved

        self.save_button.setEnabled(False)
        self.context.runner.run(
            work, on_done=self._saved, on_error=self._save_failed, label="Saving the rules"
        )

    def _saved(self, config: RoutingConfig) -> None:
        self.saved_config = config
        self.error_label.clear()
        self._edited()
        window = self.window()
        if window is not self and callable(getattr(window, "statusBar", None)):
            window.statusBar().showMessage("Assignment rules saved.", 5000)  # type: ignore[attr-defined]
        self.saved.emit(config)

    def _save_failed(self, error: BaseException) -> None:
        self._update_state()
        if self.guard.resolve(self, error, reload=self.reload, overwrite=self._overwrite):
            return
        if isinstance(error, RoutingError):
            self.error_label.setText(f"Not saved: {sentence(str(error))}")
        else:
            self.error_label.setText(f"The rules were not saved: {error}")


def routing_tab(context: AppContext) -> tuple[str, QWidget]:
    """The Assignment rules tab of Settings."""
    return "Assignment rules", RoutingSettings(context)
