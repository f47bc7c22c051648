"""Item models of the scoring editor: the rules table and the what-if movers."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QModelIndex, Qt

from leaddesk.activities.kinds import label
from leaddesk.scoring import BandChange, Rule, display_score
from leaddesk.scoring.rules import FIT_FIELDS, OPERATOR_LABELS, Operator
from leaddesk.ui.models.rows_model import (
    AnyIndex,
    RowsTableModel,
)
from leaddesk.ui.widgets.score_chart import BAND_NAMES


def describe_rule(rule: Rule) -> str:
    """The rule's condition in the editor's words."""
    if rule.is_fit:
        what = FIT_FIELDS.get(rule.field, rule.field)
    else:
        what = label(rule.activity_kind)
        if not rule.field:
            return what
        what += f", where {rule.field}"
    operator = OPERATOR_LABELS.get(rule.operator, rule.operator)
    if rule.operator in (Operator.IS_EMPTY, Operator.IS_NOT_EMPTY):
        return f"{what} {operator}"
    return f"{what} {operator} {rule.value or '(nothing yet)'}"


class RulesTableModel(RowsTableModel):
    """The ordered rules being edited; the first column switches a rule on and off."""

    COL_ON, COL_PART, COL_NAME, COL_CONDITION, COL_POINTS, COL_MAX, COL_DECAY = range(7)
    HEADERS = ("On", "Part", "Rule", "Condition", "Points", "Counts", "Half-life")

    @property
    def rules(self) -> list[Rule]:
        """The rules in their order (the model's rows)."""
        return self.rows

    def set_rules(self, rules: list[Rule]) -> None:
        """Replace every rule."""
        self.set_rows(rules)

    def replace_rule(self, row: int, rule: Rule) -> None:
        """Put an edited rule back in its row."""
        self.rules[row] = rule
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    def insert_rule(self, row: int, rule: Rule) -> None:
        """Insert ``rule`` before ``row``."""
        self.beginInsertRows(QModelIndex(), row, row)
        self.rules.insert(row, rule)
        self.endInsertRows()

    def remove_rule(self, row: int) -> None:
        """Delete the rule in ``row``."""
        self.beginRemoveRows(QModelIndex(), row, row)
        del self.rules[row]
        self.endRemoveRows()

    def move_rule(self, row: int, target: int) -> bool:
        """Move the rule in ``row`` to ``target``; False when it cannot move."""
        if not (0 <= row < len(self.rules) and 0 <= target < len(self.rules)) or row == target:
            return False
        destination = target + 1 if target > row else target
        self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), destination)
        self.rules.insert(target, self.rules.pop(row))
        self.endMoveRows()
        return True

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == self.COL_ON:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rules):
            return None
        rule = self.rules[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.CheckStateRole and column == self.COL_ON:
            return Qt.CheckState.Checked if rule.enabled else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(rule, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= self.COL_POINTS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return rule
        return None

    def _text(self, rule: Rule, column: int) -> str | None:
        if column == self.COL_PART:
            return "Fit" if rule.is_fit else "Engagement"
        if column == self.COL_NAME:
            return rule.name
        if column == self.COL_CONDITION:
            return describe_rule(rule)
        if column == self.COL_POINTS:
            return f"{rule.points:+g}"
        if column == self.COL_MAX:
            if rule.is_fit:
                return "once"
            return "no limit" if rule.max_count is None else f"{rule.max_count}×"
        if column == self.COL_DECAY:
            if rule.is_fit:
                return "—"
            return "no decay" if rule.half_life_days is None else f"{rule.half_life_days:g} d"
        return None

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != self.COL_ON:
            return False
        if role != Qt.ItemDataRole.CheckStateRole:
            return False
        checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2, True)
        rule = self.rules[index.row()]
        self.rules[index.row()] = replace(rule, enabled=checked)
        self.dataChanged.emit(index, index, [role])
        return True


class MoversTableModel(RowsTableModel):
    """Leads the what-if says would change band: who, score now → proposed, band now → new."""

    COL_LEAD, COL_SCORE_NOW, COL_SCORE_NEW, COL_BAND_NOW, COL_BAND_NEW = range(5)
    HEADERS = ("Lead", "Score now", "With changes", "Band now", "New band")

    def set_changes(self, changes: list[BandChange]) -> None:
        """Replace the rows."""
        self.set_rows(changes)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        change = self.row_at(index)
        if change is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                f"{change.name} <{change.email}>" if change.name != change.email else change.email,
                display_score(change.score_now),
                display_score(change.score_proposed),
                BAND_NAMES.get(change.band_now, change.band_now),
                BAND_NAMES.get(change.band_proposed, change.band_proposed),
            )[index.column()]
        if role == Qt.ItemDataRole.UserRole:
            return change.lead_id
        return None
