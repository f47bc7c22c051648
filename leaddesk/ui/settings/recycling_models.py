"""Plain data and the table model of Settings → Recycling: the sequences a policy can name and
the reasons table (one row per reason: what happens to a lead lost or handed back for it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from leaddesk.db.models import SequenceStatus
from leaddesk.outcomes.config import RecyclePolicy
from leaddesk.ui.models.rows_model import AnyIndex, RowsTableModel

NO_SEQUENCE_TEXT = "No sequence — back to nurture only"
DELETED_TEXT = "a deleted sequence (choose another)"
NURTURE_ONLY_TEXT = "nurture, no sequence"
#: The reason that needs a note; it is always offered, so it cannot be removed.
OTHER_REASON = "other"


@dataclass(frozen=True)
class SequenceChoice:
    """A sequence a policy or the re-engagement rule can enrol leads in."""

    id: int
    name: str
    status: str

    @property
    def label(self) -> str:
        """The name, with the status when it is not running: "Old drip (archived)"."""
        if self.status == SequenceStatus.ACTIVE:
            return self.name
        return f"{self.name} ({self.status})"


def sequence_names(choices: list[SequenceChoice], named: list[int | None]) -> dict[int, str]:
    """Labels by id for :meth:`RecyclePolicy.describe`; ids in ``named`` that no longer exist
    read "a deleted sequence" instead of looking like "no sequence"."""
    names = {choice.id: choice.label for choice in choices}
    names[0] = NURTURE_ONLY_TEXT  # describe() looks up "no sequence" as 0
    for sequence_id in named:
        if sequence_id is not None and sequence_id not in names:
            names[sequence_id] = DELETED_TEXT
    return names


def normal_reason(text: str) -> str:
    """A reason as the core stores it: single spaces, lower case."""
    return " ".join(text.split()).lower()


class PoliciesModel(RowsTableModel):
    """One row per reason (:class:`RecyclePolicy` rows, in the order people pick from)."""

    COL_REASON, COL_WHAT = range(2)
    HEADERS = ("Reason", "What happens")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.names: dict[int, str] = {}

    def set_policies(self, policies: list[RecyclePolicy], names: dict[int, str]) -> None:
        """Replace the rows; ``names`` label the sequences they name."""
        self.names = names
        self.set_rows(policies)

    def set_names(self, names: dict[int, str]) -> None:
        """New sequence labels (a sequence was created or deleted meanwhile)."""
        self.names = names
        if self.rows:
            last = self.index(len(self.rows) - 1, self.COL_WHAT)
            self.dataChanged.emit(self.index(0, self.COL_WHAT), last)

    def replace_policy(self, row: int, policy: RecyclePolicy) -> None:
        """Put ``policy`` in row ``row``."""
        self.rows[row] = policy
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))

    def add_policy(self, policy: RecyclePolicy) -> int:
        """Insert a new reason before "other" (which stays last); return its row."""
        row = next((i for i, p in enumerate(self.rows) if p.reason == OTHER_REASON), None)
        row = len(self.rows) if row is None else row
        self.beginInsertRows(self.index(0, 0).parent(), row, row)
        self.rows.insert(row, policy)
        self.endInsertRows()
        return row

    def remove_policy(self, row: int) -> None:
        """Take row ``row`` out."""
        self.beginRemoveRows(self.index(0, 0).parent(), row, row)
        del self.rows[row]
        self.endRemoveRows()

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        policy: RecyclePolicy | None = self.row_at(index)
        if policy is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if index.column() == self.COL_REASON:
                return policy.reason
            return policy.describe(self.names)
        if role == Qt.ItemDataRole.ForegroundRole and self._names_deleted(policy):
            return QColor("#b91c1c")
        if role == Qt.ItemDataRole.UserRole:
            return policy
        return None

    def _names_deleted(self, policy: RecyclePolicy) -> bool:
        return not policy.disqualify and self.names.get(policy.sequence_id or 0) == DELETED_TEXT
