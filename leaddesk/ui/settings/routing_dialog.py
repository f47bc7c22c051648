"""Add or edit one assignment rule (form: ``ui/assignment_rule_dialog.ui``).

The condition rows are built in code inside the form's ``conditionsContainer``. OK checks the
whole proposed rule set with :func:`validate_routing` in the background, so the dialog shows
the core's own message (a duplicate name, an inactive member, a condition without a value) and
stays open until the rule is usable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QListWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from leaddesk.handoff.routing import (
    ROUTING_FIELDS,
    AssignmentRule,
    Condition,
    RoutingConfig,
    RoutingError,
    validate_routing,
)
from leaddesk.handoff.team import SALES_ROLES, MemberInfo
from leaddesk.scoring.rules import OPERATOR_LABELS, Operator
from leaddesk.ui.context import AppContext
from leaddesk.ui.forms.ui_assignment_rule_dialog import Ui_AssignmentRuleDialog
from leaddesk.ui.settings.team_dialogs import sentence

MEMBER_ROLE = Qt.ItemDataRole.UserRole
#: Example values shown in an empty value box, per field.
PLACEHOLDERS = {
    "country": "e.g. Germany, Austria",
    "city": "e.g. Berlin, Munich",
    "industry": "e.g. Logistics, Manufacturing",
    "company_size": "e.g. 201-500, 501-1000",
    "source": "e.g. Expo Berlin 2026",
    "tags": "e.g. enterprise, partner",
    "score_band": "cold, warm or sales-ready",
    "title": "e.g. CTO, Head of Operations",
    "email_domain": "e.g. acme.com",
}
NO_VALUE = (Operator.IS_EMPTY, Operator.IS_NOT_EMPTY)


class ConditionRow(QWidget):
    """One condition: field, operator, value, and a button that removes the row."""

    remove_requested = Signal(object)  # the row

    def __init__(self, condition: Condition, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.field_combo = QComboBox()
        self.field_combo.setEditable(True)
        self.field_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.field_combo.setToolTip("A lead field, or custom:<name> for a custom field")
        for key, text in ROUTING_FIELDS.items():
            self.field_combo.addItem(text, key)
        self.operator_combo = QComboBox()
        for key, text in OPERATOR_LABELS.items():
            self.operator_combo.addItem(text, str(key))
        self.value_edit = QLineEdit()
        self.remove_button = QToolButton()
        self.remove_button.setText("✕")
        self.remove_button.setToolTip("Remove this condition")
        self.remove_button.setAccessibleName("Remove this condition")
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))
        layout.addWidget(self.field_combo, 2)
        layout.addWidget(self.operator_combo, 2)
        layout.addWidget(self.value_edit, 3)
        layout.addWidget(self.remove_button)
        self.field_combo.currentIndexChanged.connect(self._update)
        self.operator_combo.currentIndexChanged.connect(self._update)
        index = self.field_combo.findData(condition.field)
        if index >= 0:
            self.field_combo.setCurrentIndex(index)
        else:
            self.field_combo.setEditText(condition.field)
        self.operator_combo.setCurrentIndex(
            max(0, self.operator_combo.findData(str(condition.operator)))
        )
        self.value_edit.setText(condition.value)
        self._update()

    def _update(self, *_args: Any) -> None:
        needs_value = self.operator_combo.currentData() not in NO_VALUE
        self.value_edit.setEnabled(needs_value)
        self.value_edit.setPlaceholderText(
            PLACEHOLDERS.get(self.field_key(), "values, separated by commas")
            if needs_value
            else "no value needed"
        )

    def field_key(self) -> str:
        """The field as stored ("country", or a typed "custom:Region")."""
        text = self.field_combo.currentText().strip()
        index = self.field_combo.findText(text)
        return str(self.field_combo.itemData(index)) if index >= 0 else text

    def condition(self) -> Condition:
        """The condition as the row shows it."""
        operator = str(self.operator_combo.currentData())
        value = "" if operator in NO_VALUE else self.value_edit.text().strip()
        return Condition(self.field_key(), operator, value)


class AssignmentRuleDialog(QDialog):
    """Edits an :class:`AssignmentRule`; ``rule()`` reads the form back.

    ``config_for(rule)`` returns the whole rule set with this rule in place: OK validates that
    (off the GUI thread) and closes only when the core accepts it.
    """

    def __init__(
        self,
        context: AppContext,
        rule: AssignmentRule,
        members: list[MemberInfo],
        config_for: Callable[[AssignmentRule], RoutingConfig],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.config_for = config_for
        self.checking = False
        self.ui = Ui_AssignmentRuleDialog()
        self.ui.setupUi(self)
        self.ui.membersHint.setObjectName("pageSubtitle")
        self.ui.noConditionsLabel.setObjectName("pageSubtitle")
        self.rows_layout = QVBoxLayout(self.ui.conditionsContainer)
        self.rows_layout.setContentsMargins(0, 0, 0, 0)
        self.rows: list[ConditionRow] = []
        self.ui.addConditionButton.clicked.connect(
            lambda: self.add_condition().field_combo.setFocus()
        )
        self.ui.buttonBox.accepted.connect(self.accept)
        self.setWindowTitle("Edit assignment rule" if rule.name else "Add assignment rule")
        self._fill_members(members, rule.members)
        self.load(rule)
        self.ui.nameEdit.setFocus()

    def _fill_members(self, members: list[MemberInfo], named: tuple[int, ...]) -> None:
        for member in members:
            usable = member.active and member.role in SALES_ROLES
            if not usable and member.id not in named:
                continue
            text = f"{member.name} — {member.role_label}"
            if not member.active:
                text += " (inactive)"
            item = QListWidgetItem(text)
            item.setData(MEMBER_ROLE, member.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.ui.membersList.addItem(item)

    def _member_items(self) -> list[QListWidgetItem]:
        members = self.ui.membersList
        return [members.item(row) for row in range(members.count())]

    def load(self, rule: AssignmentRule) -> None:
        """Show ``rule`` in the form."""
        self.ui.nameEdit.setText(rule.name)
        self.ui.enabledCheck.setChecked(rule.enabled)
        for row in list(self.rows):
            self.remove_condition(row)
        for condition in rule.conditions:
            self.add_condition(condition)
        for item in self._member_items():
            chosen = item.data(MEMBER_ROLE) in rule.members
            item.setCheckState(Qt.CheckState.Checked if chosen else Qt.CheckState.Unchecked)
        self.ui.errorLabel.clear()
        self._update_empty()

    def add_condition(self, condition: Condition | None = None) -> ConditionRow:
        """Append a condition row (a new one tests the country)."""
        row = ConditionRow(condition or Condition("country", Operator.IN_LIST, ""))
        row.remove_requested.connect(self.remove_condition)
        self.rows_layout.addWidget(row)
        self.rows.append(row)
        self._update_empty()
        return row

    def remove_condition(self, row: ConditionRow) -> None:
        """Take a condition row out of the form."""
        if row in self.rows:
            self.rows.remove(row)
            self.rows_layout.removeWidget(row)
            row.deleteLater()
        self._update_empty()
        if not self.rows:
            self.ui.addConditionButton.setFocus()

    def _update_empty(self) -> None:
        self.ui.noConditionsLabel.setVisible(not self.rows)
        self.ui.conditionsContainer.setVisible(bool(self.rows))

    def rule(self) -> AssignmentRule:
        """The rule as the form shows it now (not validated)."""
        members = tuple(
            int(item.data(MEMBER_ROLE))
            for item in self._member_items()
            if item.checkState() == Qt.CheckState.Checked
        )
        return AssignmentRule(
            name=" ".join(self.ui.nameEdit.text().split()),
            conditions=tuple(row.condition() for row in self.rows),
            members=members,
            enabled=self.ui.enabledCheck.isChecked(),
        )

    def accept(self) -> None:
        """Check the rule with the core in the background; close only when it is usable."""
        if self.checking:
            return
        config, db = self.config_for(self.rule()), self.context.db

        def check(_progress: Any) -> None:
            with db.session() as session:
                validate_routing(session, config)

        self.checking = True
        self.ui.buttonBox.setEnabled(False)
        self.context.runner.run(
            check, on_done=self._usable, on_error=self._refused, write=False, label="Checking"
        )

    def _usable(self, _result: object) -> None:
        self.checking = False
        self.ui.buttonBox.setEnabled(True)
        super().accept()

    def _refused(self, error: BaseException) -> None:
        self.checking = False
        self.ui.buttonBox.setEnabled(True)
        if isinstance(error, RoutingError):
            self.ui.errorLabel.setText(sentence(str(error)))
        else:
            self.ui.errorLabel.setText(f"The rule could not be checked: {error}")
