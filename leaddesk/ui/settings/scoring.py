"""Settings → Scoring: the rules table, thresholds and caps, restore defaults, what-if preview.

Nothing is stored until "Save and re-score": "Preview changes" runs the what-if on the real
database (read-only) and shows the band counts now and with the edits, and the leads that move.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDoubleSpinBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from leaddesk.db.models import ScorePart
from leaddesk.scoring import (
    RescoreSummary,
    ScoringConfig,
    ScoringModelError,
    WhatIfResult,
    apply_config,
    default_config,
    load_config,
    new_rule,
    what_if,
)
from leaddesk.scoring.rules import validate_config
from leaddesk.scoring.store import MODEL_SAVED_KEY
from leaddesk.ui.context import AppContext
from leaddesk.ui.dialogs.scoring_rule import ScoringRuleDialog
from leaddesk.ui.settings.save_guard import SaveGuard
from leaddesk.ui.settings.scoring_models import MoversTableModel, RulesTableModel
from leaddesk.ui.widgets.score_chart import BAND_NAMES

BANDS = ("cold", "warm", "sales_ready")


def _spin(maximum: float = 100.0) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(0, maximum)
    spin.setDecimals(0)
    return spin


class ScoringSettings(QWidget):
    """The scoring model editor; ``load()`` reads the model in force in the background."""

    saved = Signal(object)  # RescoreSummary
    previewed = Signal(object)  # WhatIfResult

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.saved_config: ScoringConfig | None = None
        self.guard = SaveGuard(context.db, "scoring model", (MODEL_SAVED_KEY,))
        self.last_preview: WhatIfResult | None = None
        layout = QVBoxLayout(self)
        intro = QLabel(
            "The score adds fit (the profile) and engagement (what the lead did, fading with "
            "age), each capped, within 0–100. Preview a change on your leads before saving it."
        )
        intro.setWordWrap(True)
        intro.setObjectName("pageSubtitle")
        layout.addWidget(intro)
        layout.addLayout(self._build_rules(), 3)
        layout.addWidget(self._build_limits())
        layout.addWidget(self._build_preview(), 2)
        layout.addLayout(self._build_buttons())
        self._update_state()

    def _build_rules(self) -> QHBoxLayout:
        self.rules_model = RulesTableModel(self)
        self.rules_model.dataChanged.connect(self._update_state)
        self.rules_model.rowsInserted.connect(self._update_state)
        self.rules_model.rowsRemoved.connect(self._update_state)
        self.rules_model.rowsMoved.connect(self._update_state)
        self.rules_model.modelReset.connect(self._update_state)
        self.rules_view = QTableView()
        self.rules_view.setModel(self.rules_model)
        self.rules_view.verticalHeader().setVisible(False)
        self.rules_view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.rules_view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        header = self.rules_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(RulesTableModel.COL_CONDITION, QHeaderView.ResizeMode.Stretch)
        self.rules_view.setWordWrap(False)
        self.rules_view.doubleClicked.connect(lambda _index: self.edit_rule())
        self.rules_view.selectionModel().selectionChanged.connect(self._update_state)
        buttons = QVBoxLayout()
        self.add_fit_button = QPushButton("Add fit rule…")
        self.add_engagement_button = QPushButton("Add engagement rule…")
        self.edit_button = QPushButton("Edit…")
        self.remove_button = QPushButton("Remove")
        self.up_button = QPushButton("Move up")
        self.down_button = QPushButton("Move down")
        self.add_fit_button.clicked.connect(lambda: self.add_rule(ScorePart.FIT))
        self.add_engagement_button.clicked.connect(lambda: self.add_rule(ScorePart.ENGAGEMENT))
        self.edit_button.clicked.connect(self.edit_rule)
        self.remove_button.clicked.connect(self.remove_rule)
        self.up_button.clicked.connect(lambda: self.move_rule(-1))
        self.down_button.clicked.connect(lambda: self.move_rule(1))
        for button in (
            self.add_fit_button,
            self.add_engagement_button,
            self.edit_button,
            self.remove_button,
            self.up_button,
            self.down_button,
        ):
            buttons.addWidget(button)  # fmt: skip
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.rules_view, 1)
        row.addLayout(buttons)
        return row

    def _build_limits(self) -> QGroupBox:
        box = QGroupBox("Thresholds and caps")
        row = QHBoxLayout(box)
        self.warm_spin = _spin()
        self.sales_ready_spin = _spin()
        self.fit_cap_spin = _spin()
        self.engagement_cap_spin = _spin()
        for text, spin in (
            ("Warm from", self.warm_spin),
            ("Sales-ready from", self.sales_ready_spin),
            ("Fit counts at most", self.fit_cap_spin),
            ("Engagement counts at most", self.engagement_cap_spin),
        ):
            caption = QLabel(text + ":")
            caption.setBuddy(spin)
            row.addWidget(caption)
            row.addWidget(spin)
            row.addSpacing(12)
            spin.valueChanged.connect(self._update_state)
        row.addStretch(1)
        return box

    def _build_preview(self) -> QGroupBox:
        box = QGroupBox("What-if")
        layout = QVBoxLayout(box)
        self.preview_label = QLabel("Edit rules or thresholds, then preview their effect here.")
        self.preview_label.setWordWrap(True)
        self.preview_label.setMinimumHeight(self.preview_label.fontMetrics().lineSpacing() * 3)
        layout.addWidget(self.preview_label)
        self.movers_model = MoversTableModel(self)
        self.movers_view = QTableView()
        self.movers_view.setModel(self.movers_model)
        self.movers_view.verticalHeader().setVisible(False)
        self.movers_view.setWordWrap(False)
        movers_header = self.movers_view.horizontalHeader()
        movers_header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        movers_header.setSectionResizeMode(
            MoversTableModel.COL_LEAD, QHeaderView.ResizeMode.Stretch
        )
        layout.addWidget(self.movers_view)
        return box

    def _build_buttons(self) -> QHBoxLayout:
        self.error_label = QLabel("")
        self.error_label.setStyleSheet("color: #b91c1c;")
        self.error_label.setWordWrap(True)
        self.defaults_button = QPushButton("Restore defaults")
        self.revert_button = QPushButton("Revert")
        self.preview_button = QPushButton("Preview changes")
        self.save_button = QPushButton("Save and re-score")
        self.save_button.setProperty("primary", True)
        self.defaults_button.clicked.connect(self.restore_defaults)
        self.revert_button.clicked.connect(self.revert)
        self.preview_button.clicked.connect(self.preview)
        self.save_button.clicked.connect(self.save)
        row = QHBoxLayout()
        row.addWidget(self.error_label, 1)
        for button in (
            self.defaults_button,
            self.revert_button,
            self.preview_button,
            self.save_button,
        ):
            row.addWidget(button)  # fmt: skip
        return row

    # -- the model being edited -----------------------------------------------------------

    def proposed_config(self) -> ScoringConfig:
        """The model as the editor shows it now (not validated)."""
        return ScoringConfig(
            rules=tuple(self.rules_model.rules),
            fit_cap=self.fit_cap_spin.value(),
            engagement_cap=self.engagement_cap_spin.value(),
            warm_threshold=self.warm_spin.value(),
            sales_ready_threshold=self.sales_ready_spin.value(),
        )

    def show_config(self, config: ScoringConfig) -> None:
        """Put ``config`` in the editor (unsaved until Save)."""
        self.rules_model.set_rules(list(config.rules))
        self.warm_spin.setValue(config.warm_threshold)
        self.sales_ready_spin.setValue(config.sales_ready_threshold)
        self.fit_cap_spin.setValue(config.fit_cap)
        self.engagement_cap_spin.setValue(config.engagement_cap)
        self._update_state()

    @property
    def dirty(self) -> bool:
        """True when the editor differs from the saved model."""
        return self.saved_config is not None and self.proposed_config() != self.saved_config

    def _problem(self) -> str:
        try:
            validate_config(self.proposed_config())
        except ScoringModelError as error:
            return str(error)
        return ""

    def _update_state(self, *_args: Any) -> None:
        if not hasattr(self, "save_button"):
            return
        problem = self._problem()
        self.error_label.setText(problem)
        ready = self.saved_config is not None
        self.save_button.setEnabled(ready and self.dirty and not problem)
        self.preview_button.setEnabled(ready and self.dirty and not problem)
        self.preview_button.setToolTip(
            "Show which leads would change band"
            if self.dirty
            else "Change a rule or a threshold first; then preview what it does to your leads"
        )
        self.revert_button.setEnabled(self.dirty)
        row = self._selected_row()
        self.edit_button.setEnabled(row is not None)
        self.remove_button.setEnabled(row is not None)
        self.up_button.setEnabled(row is not None and row > 0)
        self.down_button.setEnabled(row is not None and row < len(self.rules_model.rules) - 1)

    def _selected_row(self) -> int | None:
        rows = self.rules_view.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def _select(self, row: int) -> None:
        self.rules_view.selectRow(row)
        self._update_state()

    # -- rule actions -----------------------------------------------------------------------

    def rule_dialog(self, rule: Any) -> ScoringRuleDialog:
        """The dialog used to add or edit ``rule`` (a seam for tests: they drive it directly)."""
        return ScoringRuleDialog(rule, self)

    def add_rule(self, part: str) -> None:
        """Ask for a new rule of ``part`` and append it."""
        dialog = self.rule_dialog(new_rule(part))
        if dialog.exec() == QDialog.DialogCode.Accepted:
            row = len(self.rules_model.rules)
            self.rules_model.insert_rule(row, dialog.rule())
            self._select(row)

    def edit_rule(self) -> None:
        """Edit the selected rule."""
        row = self._selected_row()
        if row is None:
            return
        dialog = self.rule_dialog(self.rules_model.rules[row])
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.rules_model.replace_rule(row, dialog.rule())

    def remove_rule(self) -> None:
        """Remove the selected rule."""
        row = self._selected_row()
        if row is not None:
            self.rules_model.remove_rule(row)
            if self.rules_model.rules:
                self._select(min(row, len(self.rules_model.rules) - 1))
            self._update_state()

    def move_rule(self, step: int) -> None:
        """Move the selected rule up (-1) or down (+1)."""
        row = self._selected_row()
        if row is not None and self.rules_model.move_rule(row, row + step):
            self._select(row + step)

    def restore_defaults(self) -> None:
        """Put the shipped model in the editor; it is saved only with "Save and re-score"."""
        self.show_config(default_config())
        self.preview_label.setText("The shipped default model is loaded. Preview it, then save.")

    def revert(self) -> None:
        """Throw away unsaved edits."""
        if self.saved_config is not None:
            self.show_config(self.saved_config)

    # -- background work ------------------------------------------------------------------

    def load(self) -> None:
        """Read the model in force (the default is stored on first use).

        Unsaved edits are kept: coming back to the tab does not throw them away.
        """
        if self.dirty:
            return
        db = self.context.db

        def read(_progress: Any) -> ScoringConfig:
            with db.write() as session:
                config = load_config(session)
                self.guard.remember(session)
                return config

        self.context.runner.run(read, on_done=self._loaded, label="Loading the scoring model")

    def _loaded(self, config: ScoringConfig) -> None:
        self.saved_config = config
        self.show_config(config)

    def preview(self) -> None:
        """Run the what-if for the edited model on the real database (nothing is written)."""
        proposal = self.proposed_config()
        db, now = self.context.db, self.context.clock.now()

        def work(_progress: Any) -> WhatIfResult:
            with db.session() as session:
                return what_if(session, proposal, now)

        self.preview_button.setEnabled(False)
        self.preview_label.setText("Computing the preview on your leads…")
        self.context.runner.run(
            work, on_done=self._previewed, on_error=self._failed, label="Previewing", write=False
        )

    def _previewed(self, result: WhatIfResult) -> None:
        self.last_preview = result
        now = " · ".join(f"{BAND_NAMES[b]} {result.bands_now[b]}" for b in BANDS)
        new = " · ".join(f"{BAND_NAMES[b]} {result.bands_proposed[b]}" for b in BANDS)
        moving = f"{result.changed} lead{'s' if result.changed != 1 else ''} would change band"
        if result.changed > len(result.changes):
            moving += f" (the first {len(result.changes)} are listed)"
        self.preview_label.setText(f"Now: {now}\nWith changes: {new}\n{moving}.")
        self.movers_model.set_changes(result.changes)
        self._update_state()
        self.previewed.emit(result)

    def save(self, *, overwrite: bool = False) -> None:
        """Store the edited model and re-score every lead (one background write).

        A save that lost the race with someone else's asks to reload or overwrite theirs.
        """
        config = self.proposed_config()
        db, now = self.context.db, self.context.clock.now()
        loaded = None if overwrite else self.guard.loaded

        def work(_progress: Any) -> RescoreSummary:
            with db.write() as session:
                self.guard.check(session, loaded)
                summary = apply_config(session, config, now)
                self.guard.saved(session)
                return summary

        self.save_button.setEnabled(False)
        self.context.runner.run(
            work,
            on_done=lambda summary: self._saved(config, summary),
            on_error=self._failed,
            label="Re-scoring every lead",
        )

    def _saved(self, config: ScoringConfig, summary: RescoreSummary) -> None:
        self.saved_config = config
        self._update_state()
        crossings = sum(summary.crossings.values())
        self.preview_label.setText(
            f"Saved. Re-scored {summary.leads} leads: {summary.changed} scores changed, "
            f"{crossings} changed band."
        )
        self.movers_model.set_changes([])
        self.saved.emit(summary)
        page = self.parent()
        while page is not None and not hasattr(page, "data_changed"):
            page = page.parent()
        if page is not None:
            page.data_changed.emit()  # every page reloads: scores and bands moved

    def reload(self) -> None:
        """Throw away unsaved edits and show the model as stored now."""
        self.saved_config = None  # not dirty: the load replaces the editor's content
        self.load()

    def _failed(self, error: BaseException) -> None:
        self._update_state()
        overwrite = lambda: self.save(overwrite=True)  # noqa: E731
        if self.guard.resolve(self, error, reload=self.reload, overwrite=overwrite):
            return
        QMessageBox.warning(self, "Scoring", f"That did not work: {error}")


def scoring_tab(context: AppContext) -> tuple[str, QWidget]:
    """The Scoring tab of the Settings page."""
    return "Scoring", ScoringSettings(context)
