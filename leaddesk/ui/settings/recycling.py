"""Settings → Recycling: the currency, the reasons people pick when a lead is lost or handed
back, one recycle policy per reason, and the re-engagement rule with its dry run.

Everything is edited as plain data (:class:`OutcomeSettings`, :class:`ReengagementSettings`);
nothing is stored until Save, which runs :func:`save_outcome_settings` and
:func:`save_reengagement` in one write: a refusal (a policy naming a deleted sequence, the rule
switched on without a sequence) is shown next to the button and nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from leaddesk.outcomes.config import (
    CURRENCY_KEY,
    POLICIES_KEY,
    REASONS_KEY,
    REENGAGEMENT_KEY,
    SCORE_KEEP,
    SCORE_RESET,
    OutcomeSettings,
    OutcomeSettingsError,
    RecyclePolicy,
    ReengagementSettings,
    load_outcome_settings,
    load_reengagement,
    save_outcome_settings,
    save_reengagement,
)
from leaddesk.ui.context import AppContext
from leaddesk.ui.forms.ui_recycle_policy_dialog import Ui_RecyclePolicyDialog
from leaddesk.ui.settings.recycling_models import (
    NO_SEQUENCE_TEXT,
    OTHER_REASON,
    PoliciesModel,
    SequenceChoice,
    normal_reason,
    sequence_names,
)
from leaddesk.ui.settings.reengagement_box import ReengagementBox, sequence_choices
from leaddesk.ui.settings.save_guard import SaveGuard
from leaddesk.ui.settings.team_dialogs import sentence
from leaddesk.ui.widgets.settings_form import add_save_row, hint_label

#: Offered in the currency box; any other three-letter code can be typed.
CURRENCIES = ("EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "CAD", "AUD", "NZD", "JPY")
CURRENCY_HINT = (
    "One currency for the whole database: deal amounts are entered and summed in it. Pick one "
    "or type any three-letter ISO code."
)
POLICY_HINT = (
    "A lead lost or handed back for a reason returns to marketing: after the delay it is "
    "“recycled” and joins the sequence. Double-click a reason to change it."
)


@dataclass(frozen=True)
class RecyclingView:
    """What the tab shows, read in one background job."""

    outcomes: OutcomeSettings
    reengagement: ReengagementSettings
    sequences: list[SequenceChoice]


def _comparable(settings: OutcomeSettings) -> OutcomeSettings:
    """Only what Save stores: the reasons' own policies, in order (others are dropped)."""
    policies = {reason: settings.policy(reason) for reason in settings.reasons}
    return OutcomeSettings(settings.currency.strip().upper(), tuple(settings.reasons), policies)


class FittedTable(QTableView):
    """A table that asks for the height of all its rows: the window shows every reason when
    there is room, and a short window scrolls the table instead."""

    def sizeHint(self) -> QSize:
        """The usual width; the height of the header and every row (at least four)."""
        hint = super().sizeHint()
        model = self.model()
        rows = max(model.rowCount() if model is not None else 0, 4)
        row_height = self.verticalHeader().defaultSectionSize()
        if model is not None and model.rowCount():
            row_height = max(row_height, self.sizeHintForRow(0))
        height = self.horizontalHeader().sizeHint().height() + rows * row_height
        return QSize(hint.width(), height + 2 * self.frameWidth() + 2)


class RecyclePolicyDialog(QDialog):
    """Add a reason with its policy, or edit a reason's policy (form:
    ``ui/recycle_policy_dialog.ui``). ``policy()`` reads the form back."""

    def __init__(
        self,
        policy: RecyclePolicy | None,
        choices: list[SequenceChoice],
        taken: set[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.taken = taken
        self.ui = Ui_RecyclePolicyDialog()
        self.ui.setupUi(self)
        self.ui.explainLabel.setObjectName("pageSubtitle")
        self.ui.delayHint.setObjectName("pageSubtitle")
        adding = policy is None
        policy = policy or RecyclePolicy("", delay_days=30)
        self.setWindowTitle("Add reason" if adding else f"Recycle policy: {policy.reason}")
        self.ui.reasonEdit.setText(policy.reason)
        self.ui.reasonEdit.setReadOnly(not adding)
        if not adding:  # shown as text: renaming would orphan the leads that carry it
            self.ui.reasonEdit.setFrame(False)
            self.ui.reasonEdit.setStyleSheet("background: transparent; font-weight: 600;")
            self.ui.reasonEdit.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        combo = self.ui.sequenceCombo
        combo.addItem(NO_SEQUENCE_TEXT, None)
        for choice in choices:
            combo.addItem(choice.label, choice.id)
        if policy.sequence_id is not None and combo.findData(policy.sequence_id) < 0:
            combo.addItem("A deleted sequence — choose another", policy.sequence_id)
        combo.setCurrentIndex(max(0, combo.findData(policy.sequence_id)))
        self.ui.delaySpin.setValue(policy.delay_days)
        self.ui.keepRadio.setChecked(policy.score == SCORE_KEEP)
        self.ui.resetRadio.setChecked(policy.score != SCORE_KEEP)
        self.ui.disqualifyCheck.setChecked(policy.disqualify)
        self.ui.disqualifyCheck.toggled.connect(self._update)
        self.ui.buttonBox.accepted.connect(self.accept)
        self.ui.buttonBox.rejected.connect(self.reject)
        self._update()
        (self.ui.reasonEdit if adding else combo).setFocus()

    def _update(self, *_args: Any) -> None:
        nurture = not self.ui.disqualifyCheck.isChecked()
        for widget in (
            self.ui.sequenceCombo,
            self.ui.delaySpin,
            self.ui.resetRadio,
            self.ui.keepRadio,
        ):
            widget.setEnabled(nurture)

    def policy(self) -> RecyclePolicy:
        """The policy as the form shows it."""
        chosen = self.ui.sequenceCombo.currentData()
        return RecyclePolicy(
            reason=normal_reason(self.ui.reasonEdit.text()),
            sequence_id=int(chosen) if chosen is not None else None,
            delay_days=self.ui.delaySpin.value(),
            score=SCORE_KEEP if self.ui.keepRadio.isChecked() else SCORE_RESET,
            disqualify=self.ui.disqualifyCheck.isChecked(),
        )

    def accept(self) -> None:
        """Close only with a reason that is named and not on the list yet."""
        reason = self.policy().reason
        if not reason:
            self.ui.errorLabel.setText("Name the reason, e.g. “budget frozen”.")
        elif not self.ui.reasonEdit.isReadOnly() and reason in self.taken:
            self.ui.errorLabel.setText(f"“{reason}” is already on the list: edit that one.")
        else:
            super().accept()


class RecyclingSettings(QWidget):
    """Currency, the reasons table with their policies, the re-engagement group, and Save."""

    saved = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.stored: RecyclingView | None = None
        self.guard = SaveGuard(
            context.db,
            "recycling settings",
            (CURRENCY_KEY, REASONS_KEY, POLICIES_KEY, REENGAGEMENT_KEY),
        )
        self.choices: list[SequenceChoice] = []
        self.loaded = False
        self.saving = False
        self.dialog: RecyclePolicyDialog | None = None
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_currency())
        layout.addWidget(self._build_policies())
        self.reengagement_box = ReengagementBox(context, self)
        self.reengagement_box.changed.connect(self._edited)
        self.reengagement_box.sequences_changed.connect(self._sequences_changed)
        layout.addWidget(self.reengagement_box)
        self.error_label = QLabel("")
        self.error_label.setStyleSheet("color: #b91c1c;")
        self.error_label.setWordWrap(True)
        self.error_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.save_button = add_save_row(layout, self.save)
        self.save_button.setText("&Save")
        self.revert_button = QPushButton("Re&vert")
        self.revert_button.clicked.connect(self.revert)
        item = layout.itemAt(layout.count() - 2)
        self._fill_save_row(layout, item.layout() if item is not None else None)
        self._update_state()

    def _fill_save_row(self, layout: QVBoxLayout, row: QLayout | None) -> None:
        """The refusal, then Revert, left of Save (on the row :func:`add_save_row` made)."""
        if not isinstance(row, QHBoxLayout):
            layout.addWidget(self.error_label)
            layout.addWidget(self.revert_button)
            return
        row.setStretch(0, 0)
        row.insertWidget(0, self.error_label, 1)
        row.insertWidget(row.indexOf(self.save_button), self.revert_button)

    def _build_currency(self) -> QHBoxLayout:
        self.currency_combo = QComboBox()
        self.currency_combo.setEditable(True)
        self.currency_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.currency_combo.addItems(CURRENCIES)
        self.currency_combo.setMinimumContentsLength(6)
        self.currency_combo.editTextChanged.connect(self._edited)
        caption = QLabel("&Currency:")
        caption.setBuddy(self.currency_combo)
        row = QHBoxLayout()
        row.addWidget(caption)
        row.addWidget(self.currency_combo)
        row.addSpacing(12)
        row.addWidget(hint_label(CURRENCY_HINT), 1)
        return row

    def _build_policies(self) -> QGroupBox:
        box = QGroupBox("Reasons and recycle policies")
        self.model = PoliciesModel(self)
        for signal in (
            self.model.dataChanged,
            self.model.rowsInserted,
            self.model.rowsRemoved,
            self.model.modelReset,
        ):
            signal.connect(self._edited)
        self.view = FittedTable()
        self.view.setModel(self.model)
        self.view.verticalHeader().setVisible(False)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(PoliciesModel.COL_WHAT, QHeaderView.ResizeMode.Stretch)
        for signal in (self.model.rowsInserted, self.model.rowsRemoved, self.model.modelReset):
            signal.connect(lambda *_args: self.view.updateGeometry())
        self.view.activated.connect(lambda _index: self.edit_reason())  # double-click, Enter
        self.view.selectionModel().selectionChanged.connect(self._update_state)
        delete = QAction(self.view)
        delete.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        delete.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        delete.triggered.connect(self.remove_reason)
        self.view.addAction(delete)
        self.add_button = QPushButton("&Add reason…")
        self.edit_button = QPushButton("&Edit…")
        self.remove_button = QPushButton("Re&move")
        self.add_button.clicked.connect(self.add_reason)
        self.edit_button.clicked.connect(self.edit_reason)
        self.remove_button.clicked.connect(self.remove_reason)
        buttons = QVBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.view, 1)
        row.addLayout(buttons)
        column = QVBoxLayout(box)
        column.addWidget(hint_label(POLICY_HINT))
        column.addLayout(row, 1)
        return box

    # -- the settings being edited ----------------------------------------------------------

    def proposed(self) -> OutcomeSettings:
        """Currency, reasons and policies as the tab shows them (not validated)."""
        policies: list[RecyclePolicy] = self.model.rows
        return OutcomeSettings(
            currency=self.currency_combo.currentText().strip().upper(),
            reasons=tuple(policy.reason for policy in policies),
            policies={policy.reason: policy for policy in policies},
        )

    @property
    def dirty(self) -> bool:
        """True when anything differs from what is stored."""
        if self.stored is None:
            return False
        changed = self.proposed() != _comparable(self.stored.outcomes)
        return changed or self.reengagement_box.dirty

    def _show_outcomes(self, settings: OutcomeSettings) -> None:
        settings = _comparable(settings)
        self.currency_combo.setCurrentText(settings.currency)
        policies = [settings.policies[reason] for reason in settings.reasons]
        self.model.set_policies(policies, self._names(policies))

    def _names(self, policies: list[RecyclePolicy]) -> dict[int, str]:
        return sequence_names(self.choices, [policy.sequence_id for policy in policies])

    def _selected_row(self) -> int | None:
        rows = self.view.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def _edited(self, *_args: Any) -> None:
        """An edit makes an earlier refusal stale."""
        if not self.saving:
            self.error_label.clear()
        self._update_state()

    def _update_state(self, *_args: Any) -> None:
        if not hasattr(self, "save_button"):
            return
        ready = self.stored is not None and not self.saving
        self.save_button.setEnabled(ready and self.dirty)
        self.revert_button.setEnabled(ready and self.dirty)
        self.add_button.setEnabled(ready)
        row = self._selected_row()
        self.edit_button.setEnabled(ready and row is not None)
        removable = row is not None and self.model.rows[row].reason != OTHER_REASON
        self.remove_button.setEnabled(ready and removable)
        self.remove_button.setToolTip(
            "“other” always stays on the list" if row is not None and not removable else ""
        )

    def _sequences_changed(self, choices: list[SequenceChoice]) -> None:
        self.choices = choices
        if self.stored is not None:  # Revert keeps offering the new sequence too
            self.stored = replace(self.stored, sequences=choices)
        self.model.set_names(self._names(self.model.rows))

    # -- reason actions ---------------------------------------------------------------------

    def add_reason(self) -> None:
        """Ask for a new reason and its policy; it goes before "other"."""
        taken = {policy.reason for policy in self.model.rows}
        dialog = RecyclePolicyDialog(None, self.choices, taken, self)
        dialog.accepted.connect(lambda: self._added(dialog.policy()))
        self.dialog = dialog
        dialog.open()

    def _added(self, policy: RecyclePolicy) -> None:
        self.model.set_names(self._names([*self.model.rows, policy]))
        row = self.model.add_policy(policy)
        self.view.selectRow(row)

    def edit_reason(self) -> None:
        """Edit the selected reason's policy."""
        row = self._selected_row()
        if row is None:
            return
        dialog = RecyclePolicyDialog(self.model.rows[row], self.choices, set(), self)
        dialog.accepted.connect(lambda: self._replaced(dialog.policy()))
        self.dialog = dialog
        dialog.open()

    def _replaced(self, policy: RecyclePolicy) -> None:
        rows = [p.reason for p in self.model.rows]
        if policy.reason in rows:  # found by name: a reload may have moved the rows
            self.model.replace_policy(rows.index(policy.reason), policy)

    def remove_reason(self) -> None:
        """Take the selected reason off the list (not "other"); nothing changes until Save."""
        row = self._selected_row()
        if row is None or self.model.rows[row].reason == OTHER_REASON:
            return
        self.model.remove_policy(row)
        if self.model.rows:
            self.view.selectRow(min(row, len(self.model.rows) - 1))
        self._update_state()

    def revert(self) -> None:
        """Throw away unsaved edits."""
        if self.stored is not None:
            self.error_label.clear()
            self.reengagement_box.stored = None  # so show_settings does not keep the edits
            self._show(self.stored, keep=False)

    # -- background work ----------------------------------------------------------------------

    def load(self) -> None:
        """Read the stored settings and every sequence (unsaved edits are kept)."""
        db = self.context.db

        def read(_progress: Any) -> RecyclingView:
            with db.session() as session:
                self.guard.remember(session)
                return RecyclingView(
                    load_outcome_settings(session),
                    load_reengagement(session),
                    sequence_choices(session),
                )

        self.context.runner.run(read, on_done=self._loaded, write=False, label="Loading settings")

    def _loaded(self, view: RecyclingView) -> None:
        keep = self.dirty
        self._show(view, keep=keep)
        self.loaded = True

    def _show(self, view: RecyclingView, *, keep: bool) -> None:
        edited = self.proposed() if keep else view.outcomes
        self.stored = view
        self.choices = view.sequences
        self._show_outcomes(edited)
        self.reengagement_box.show_settings(view.reengagement, view.sequences)
        self._update_state()

    def save(self, *, overwrite: bool = False) -> None:
        """Validate and store everything in one write; a refusal is shown, nothing is stored.

        A save that lost the race with someone else's asks to reload or overwrite theirs.
        """
        outcomes, rule, db = self.proposed(), self.reengagement_box.settings(), self.context.db
        loaded = None if overwrite else self.guard.loaded

        def work(_progress: Any) -> RecyclingView:
            with db.write() as session:
                self.guard.check(session, loaded)
                stored = save_outcome_settings(session, outcomes)
                view = RecyclingView(
                    stored, save_reengagement(session, rule), sequence_choices(session)
                )
                self.guard.saved(session)
                return view

        self.saving = True
        self._update_state()
        self.context.runner.run(
            work, on_done=self._saved, on_error=self._save_failed, label="Saving recycling"
        )

    def _saved(self, view: RecyclingView) -> None:
        self.saving = False
        self.error_label.clear()
        self.reengagement_box.stored = None
        self._show(view, keep=False)
        window = self.window()
        if window is not self and callable(getattr(window, "statusBar", None)):
            window.statusBar().showMessage("Recycling settings saved.", 5000)  # type: ignore[attr-defined]
        self.saved.emit()

    def reload(self) -> None:
        """Throw away unsaved edits and show the settings as stored now."""
        self.stored = None  # not dirty: the load replaces the form's content
        self.reengagement_box.stored = None
        self.error_label.clear()
        self.load()

    def _save_failed(self, error: BaseException) -> None:
        self.saving = False
        self._update_state()
        overwrite = lambda: self.save(overwrite=True)  # noqa: E731
        if self.guard.resolve(self, error, reload=self.reload, overwrite=overwrite):
            return
        if isinstance(error, OutcomeSettingsError):
            self.error_label.setText(f"Not saved: {sentence(str(error))}")
        else:
            self.error_label.setText(f"The settings were not saved: {error}")


def recycling_tab(context: AppContext) -> tuple[str, QWidget]:
    """The Recycling tab of Settings."""
    return "Recycling", RecyclingSettings(context)
