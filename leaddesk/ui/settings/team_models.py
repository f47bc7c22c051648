"""Item model of Settings → Team: the members table."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from leaddesk.handoff.team import MemberInfo
from leaddesk.ui.models.rows_model import AnyIndex, RowsTableModel


class MembersTableModel(RowsTableModel):
    """The team as a table of :class:`MemberInfo` rows; inactive members are greyed."""

    COL_NAME, COL_EMAIL, COL_ROLE, COL_HOURS, COL_CAPACITY, COL_OPEN, COL_ACTIVE = range(7)
    HEADERS = ("Name", "Email", "Role", "Hours", "Capacity", "Open hand-offs", "Active")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.me: str | None = None

    def set_members(self, members: list[MemberInfo], me: str | None) -> None:
        """Replace the rows; ``me`` (an email) is marked "(you)"."""
        self.me = me
        self.set_rows(members)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        member: MemberInfo | None = self.row_at(index)
        if member is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(member, column)
        if role == Qt.ItemDataRole.ForegroundRole and not member.active:
            return QColor("#8a8f98")
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            self.COL_CAPACITY,
            self.COL_OPEN,
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return member
        return None

    def _text(self, member: MemberInfo, column: int) -> str:
        if column == self.COL_NAME:
            return f"{member.name} (you)" if member.email == self.me else member.name
        if column == self.COL_CAPACITY:
            return "No limit" if member.capacity is None else str(member.capacity)
        if column == self.COL_OPEN:
            return str(member.open_handoffs)
        if column == self.COL_ACTIVE:
            return "Active" if member.active else "Inactive"
        return (member.name, member.email, member.role_label, member.hours_label)[column]
