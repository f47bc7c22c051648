"""The inbox filter bar: debounced search, filters, and saved views."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QSignalBlocker, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from leaddesk.inbox.query import UNASSIGNED, InboxQuery, SequenceFilter
from leaddesk.inbox.views import SavedViewInfo
from leaddesk.ui.models.inbox_table import BAND_LABELS, STATUS_LABELS

SEARCH_DEBOUNCE_MS = 150
MY_LEADS = "me"  # the owner combo's "My leads": the current member's id when the query is built
SEQUENCE_LABELS = {
    SequenceFilter.ACTIVE: "In a sequence",
    SequenceFilter.PAUSED: "Sequence paused",
    SequenceFilter.COMPLETED: "Finished a sequence",
    SequenceFilter.EXITED: "Left a sequence",
    SequenceFilter.NONE: "In no sequence",
}


@dataclass(frozen=True)
class FilterOptions:
    """The choices the filter combos offer (from the database)."""

    owners: list[tuple[int, str]]
    sources: list[str]
    tags: list[str]
    views: list[SavedViewInfo]
    sequences: list[tuple[int, str]] = field(default_factory=list)
    me_id: int | None = None  # who "My leads" means; None hides that choice
    reasons: list[str] = field(default_factory=list)  # why leads were lost or recycled


def _combo(any_label: str, items: list[tuple[Any, str]], name: str) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    combo.addItem(any_label, None)
    for value, text in items:
        combo.addItem(text, value)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    return combo


def _select(combo: QComboBox, value: Any) -> None:
    index = combo.findData(value)
    combo.setCurrentIndex(index if index >= 0 else 0)


class FilterBar(QWidget):
    """Search box and filter combos; emits ``changed`` (search typing is debounced)."""

    changed = Signal()
    view_chosen = Signal(object)
    save_view_requested = Signal()
    delete_view_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("inboxSearch")
        self.search_edit.setPlaceholderText("Search name, email, company, title  (Ctrl+F)")
        self.search_edit.setClearButtonEnabled(True)
        self.status_combo = _combo("Any status", list(STATUS_LABELS.items()), "statusFilter")
        self.band_combo = _combo("Any score", list(BAND_LABELS.items()), "bandFilter")
        self.owner_combo = _combo("Any owner", [(UNASSIGNED, "Nobody")], "ownerFilter")
        self.source_combo = _combo("Any source", [], "sourceFilter")
        self.tag_combo = _combo("Any tag", [], "tagFilter")
        self.reason_combo = _combo("Any reason", [], "reasonFilter")
        self.reason_combo.setToolTip("Why leads were lost, handed back or recycled")
        self.sequence_combo = _combo(
            "Any sequence state",
            [(k.value, v) for k, v in SEQUENCE_LABELS.items()],
            "sequenceFilter",
        )
        self.attention_check = QCheckBox("Needs attention")
        self.attention_check.setToolTip(
            "Replied in the last 14 days with nothing logged since, qualified with no rep yet, "
            "an overdue task, or a hand-off due within 4 hours or overdue"
        )
        self.views_combo = _combo("Saved views…", [], "savedViews")
        self.save_view_button = QPushButton("Save view…")
        self.delete_view_button = QPushButton("Delete view")
        self.delete_view_button.setEnabled(False)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Clear the search and every filter (the sort stays)")

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.search_edit, 3)
        top.addWidget(self.views_combo)
        top.addWidget(self.save_view_button)
        top.addWidget(self.delete_view_button)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        for widget in (
            self.status_combo,
            self.band_combo,
            self.owner_combo,
            self.source_combo,
            self.tag_combo,
            self.reason_combo,
            self.sequence_combo,
            self.attention_check,
        ):
            bottom.addWidget(widget)
        bottom.addStretch(1)
        bottom.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addLayout(bottom)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.changed)
        self.search_edit.textChanged.connect(lambda _text: self._debounce.start())
        self.search_edit.returnPressed.connect(self.flush_search)
        for combo in self.filter_combos:
            combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.attention_check.toggled.connect(lambda _on: self.changed.emit())
        self.clear_button.clicked.connect(self.clear)
        self.views_combo.activated.connect(self._view_activated)
        self.save_view_button.clicked.connect(self.save_view_requested)
        self.delete_view_button.clicked.connect(self._delete_view)
        self._views: dict[int, SavedViewInfo] = {}
        self._me_id: int | None = None

    @property
    def filter_combos(self) -> tuple[QComboBox, ...]:
        """The combos that filter the inbox."""
        return (
            self.status_combo,
            self.band_combo,
            self.owner_combo,
            self.source_combo,
            self.tag_combo,
            self.reason_combo,
            self.sequence_combo,
        )

    def flush_search(self) -> None:
        """Apply the typed search now instead of after the debounce delay."""
        if self._debounce.isActive():
            self._debounce.stop()
            self.changed.emit()

    def query(self, sort: str, descending: bool) -> InboxQuery:
        """The query the widgets describe, with the given sort."""
        return InboxQuery(
            search=self.search_edit.text(),
            status=self.status_combo.currentData(),
            band=self.band_combo.currentData(),
            owner=self._owner(),
            source=self.source_combo.currentData(),
            tag=self.tag_combo.currentData(),
            reason=self.reason_combo.currentData(),
            sequence_state=self.sequence_combo.currentData(),
            needs_attention=self.attention_check.isChecked(),
            sort=sort,
            descending=descending,
        )

    def _owner(self) -> int | str | None:
        owner = self.owner_combo.currentData()
        return self._me_id if owner == MY_LEADS else owner

    def show_my_leads(self) -> None:
        """Choose "My leads" in the owner filter (when someone is chosen as "me")."""
        index = self.owner_combo.findData(MY_LEADS)
        if index >= 0:
            self.owner_combo.setCurrentIndex(index)

    def show_query(self, query: InboxQuery) -> None:
        """Set every widget from ``query`` (a saved view) and emit ``changed`` once."""
        blockers = [QSignalBlocker(w) for w in (*self.filter_combos, self.attention_check)]
        self._debounce.stop()
        with QSignalBlocker(self.search_edit):
            self.search_edit.setText(query.search)
        _select(self.status_combo, query.status)
        _select(self.band_combo, query.band)
        _select(self.owner_combo, query.owner)
        _select(self.source_combo, query.source)
        _select(self.tag_combo, query.tag)
        _select(self.reason_combo, query.reason)
        _select(self.sequence_combo, query.sequence_state)
        self.attention_check.setChecked(query.needs_attention)
        del blockers
        self.changed.emit()

    def clear(self) -> None:
        """Back to every lead (sort unchanged)."""
        self.views_combo.setCurrentIndex(0)
        self.delete_view_button.setEnabled(False)
        self.show_query(InboxQuery())

    def set_options(self, options: FilterOptions) -> None:
        """Refill the owner, source, tag and view combos, keeping the current choices."""
        me_changed = options.me_id != self._me_id and self.owner_combo.currentData() == MY_LEADS
        self._me_id = options.me_id
        mine = [(MY_LEADS, "My leads")] if options.me_id is not None else []
        self._refill(self.owner_combo, [*mine, (UNASSIGNED, "Nobody"), *options.owners])
        if me_changed and self.owner_combo.currentData() == MY_LEADS:
            self.changed.emit()  # "me" is someone else now: same choice, other leads
        self._refill(self.source_combo, [(s, s) for s in options.sources if s])
        self._refill(self.tag_combo, [(t, t) for t in options.tags])
        self._refill(self.reason_combo, [(r, r[:1].upper() + r[1:]) for r in options.reasons])
        self.reason_combo.setVisible(bool(options.reasons) or self.reason_combo.currentIndex() > 0)
        self._views = {v.id: v for v in options.views}
        self._refill(self.views_combo, [(v.id, v.name) for v in options.views])

    @staticmethod
    def _refill(combo: QComboBox, items: list[tuple[Any, str]]) -> None:
        current = combo.currentData()
        with QSignalBlocker(combo):
            while combo.count() > 1:
                combo.removeItem(1)
            for value, text in items:
                combo.addItem(text, value)
            _select(combo, current)
        if combo.currentData() != current:
            combo.currentIndexChanged.emit(combo.currentIndex())

    def _view_activated(self, index: int) -> None:
        view = self._views.get(self.views_combo.itemData(index))
        self.delete_view_button.setEnabled(view is not None)
        if view is not None:
            self.view_chosen.emit(view.query)

    def _delete_view(self) -> None:
        view_id = self.views_combo.currentData()
        if view_id is not None:
            self.delete_view_requested.emit(int(view_id))

    def choose_view(self, name: str) -> None:
        """Select the saved view called ``name`` as if the user picked it."""
        index = self.views_combo.findText(name)
        if index > 0:
            self.views_combo.setCurrentIndex(index)
            self._view_activated(index)
