"""Item models of the assignment-rules editor: the ordered rules and the preview."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QModelIndex, Qt

from leaddesk.handoff.routing import AssignmentRule, PreviewRow
from leaddesk.handoff.team import MemberInfo
from leaddesk.ui.models.rows_model import AnyIndex, RowsTableModel
from leaddesk.ui.widgets.score_chart import BAND_NAMES


def members_text(ids: tuple[int, ...], members: dict[int, MemberInfo]) -> str:
    """Who a rule sends leads to: "Tom Okoro" or "round-robin: Tom Okoro, Sofia Reyes"."""
    names = []
    for member_id in ids:
        member = members.get(member_id)
        if member is None:
            names.append(f"#{member_id} (no longer on the team)")
        else:
            names.append(member.name if member.active else f"{member.name} (inactive)")
    if not names:
        return "nobody yet"
    return names[0] if len(names) == 1 else "round-robin: " + ", ".join(names)


class AssignmentRulesModel(RowsTableModel):
    """The ordered rules being edited; the first column switches a rule on and off."""

    COL_ON, COL_NAME, COL_WHEN, COL_TO = range(4)
    HEADERS = ("On", "Rule", "When", "Goes to")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.members: dict[int, MemberInfo] = {}

    @property
    def rules(self) -> list[AssignmentRule]:
        """The rules in their order."""
        return self.rows

    def set_members(self, members: list[MemberInfo]) -> None:
        """The team, for the "Goes to" column."""
        self.members = {m.id: m for m in members}
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, 3))

    def replace_rule(self, row: int, rule: AssignmentRule) -> None:
        """Put an edited rule back in its row."""
        self.rows[row] = rule
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    def insert_rule(self, row: int, rule: AssignmentRule) -> None:
        """Insert ``rule`` before ``row``."""
        self.beginInsertRows(QModelIndex(), row, row)
        self.rows.insert(row, rule)
        self.endInsertRows()

    def remove_rule(self, row: int) -> None:
        """Delete the rule in ``row``."""
        self.beginRemoveRows(QModelIndex(), row, row)
        del self.rows[row]
        self.endRemoveRows()

    def move_rule(self, row: int, target: int) -> bool:
        """Move the rule in ``row`` to ``target``; False when it cannot move."""
        if not (0 <= row < len(self.rows) and 0 <= target < len(self.rows)) or row == target:
            return False
        destination = target + 1 if target > row else target
        self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), destination)
        self.rows.insert(target, self.rows.pop(row))
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
        rule: AssignmentRule | None = self.row_at(index)
        if rule is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.CheckStateRole and column == self.COL_ON:
            return Qt.CheckState.Checked if rule.enabled else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.COL_NAME:
                return rule.name
            if column == self.COL_WHEN:
                return rule.describe()
            if column == self.COL_TO:
                return members_text(rule.members, self.members)
        if role == Qt.ItemDataRole.UserRole:
            return rule
        return None

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != self.COL_ON:
            return False
        if role != Qt.ItemDataRole.CheckStateRole:
            return False
        checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2, True)
        self.rows[index.row()] = replace(self.rows[index.row()], enabled=checked)
        self.dataChanged.emit(index, index, [role])
        return True


class PreviewModel(RowsTableModel):
    """The preview's leads and who each would go to."""

    COL_LEAD, COL_COMPANY, COL_COUNTRY, COL_BAND, COL_MEMBER, COL_WHY = range(6)
    HEADERS = ("Lead", "Company", "Country", "Band", "Would go to", "Why")

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row: PreviewRow | None = self.row_at(index)
        if row is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if row.note:
                why = row.note
            elif row.rule in ("—", "default pool"):
                why = row.rule
            else:
                why = f"rule “{row.rule}”"
            band = BAND_NAMES.get(row.band, row.band)
            return (row.name, row.company, row.country, band, row.member, why)[index.column()]
        if role == Qt.ItemDataRole.UserRole:
            return row.lead_id
        return None
