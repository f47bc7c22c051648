"""The "Re-engagement" group of Settings → Recycling: the "waking the dead" rule and its dry run.

The group edits one :class:`ReengagementSettings` (saving it is the tab's job). It runs two
jobs of its own: the dry run, on the values as shown (unsaved), through
:func:`run_reengagement` with ``dry_run=True`` on a reader; and "Create the preset sequence",
which adds the shipped re-engagement sequence on the writer and selects it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.db.models import Sequence
from leaddesk.outcomes.config import ReengagementSettings
from leaddesk.outcomes.reengagement import ReengagementReport, run_reengagement
from leaddesk.sequences.presets import load_preset, sequence_from_document
from leaddesk.ui.context import AppContext
from leaddesk.ui.settings.recycling_models import SequenceChoice
from leaddesk.ui.widgets.settings_form import hint_label

PRESET_KEY = "reengagement"
KIND_ORDER = ("with sales", "lost", "in nurture")
RULE_TEXT = (
    "Once an hour while on, the sequence takes leads untouched for the period below: with "
    "sales and no sales activity, in nurture with no engagement, or lost that long ago; one "
    "silent to the end is marked “unresponsive”. Never re-engaged: customers, disqualified "
    "leads, suppressed, unsubscribed or bounced addresses, leads in a live sequence or waiting "
    "to be recycled, re-engaged within the “once every” period, or unresponsive in the last year."
)
DRY_RUN_HINT = "The dry run counts who the rule would take today, with the values above; it "
DRY_RUN_HINT += "sends and changes nothing."


def sequence_choices(session: Session) -> list[SequenceChoice]:
    """Every sequence, by name (plain data for the combos)."""
    rows = session.execute(
        select(Sequence.id, Sequence.name, Sequence.status).order_by(Sequence.name)
    )
    return [SequenceChoice(row.id, row.name, str(row.status)) for row in rows]


def create_preset(session: Session) -> tuple[int, list[SequenceChoice]]:
    """Add the shipped re-engagement sequence (or find it, when it exists by that name)."""
    document = load_preset(PRESET_KEY)
    existing = session.scalar(select(Sequence.id).where(Sequence.name == document["name"]))
    sequence_id = existing if existing is not None else sequence_from_document(session, document).id
    return sequence_id, sequence_choices(session)


def dry_run_text(report: ReengagementReport, *, enabled: bool, unsaved: bool) -> str:
    """ "These 412 leads would be re-engaged today: 120 with sales, 40 lost, 252 in nurture"."""
    if not report.eligible:
        text = "No lead would be re-engaged today: nobody matches the rule."
    else:
        parts = [f"{report.by_kind[k]} {k}" for k in KIND_ORDER if report.by_kind.get(k)]
        subject = "This lead" if report.eligible == 1 else f"These {report.eligible} leads"
        text = f"{subject} would be re-engaged today: {', '.join(parts)}."
    if unsaved:
        text += " (With the values above, not saved yet.)"
    if not enabled:
        text += " The rule is off: nothing is sent until you switch it on and save."
    return text


def _days_spin(suffix: str, default: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(1, 3650)
    spin.setValue(default)
    spin.setSuffix(suffix)
    spin.setMinimumWidth(spin.fontMetrics().horizontalAdvance(f"3650{suffix}") + 48)
    return spin


class ReengagementBox(QGroupBox):
    """The rule's switch, periods and sequence, "Create the preset sequence", and the dry run.

    ``changed`` fires on every edit; ``sequences_changed`` when the preset was created (with
    every sequence, so the tab can refresh its other combos).
    """

    changed = Signal()
    sequences_changed = Signal(object)  # list[SequenceChoice]
    dry_run_done = Signal(object)  # ReengagementReport | None

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Re-engagement (“waking the dead”)", parent)
        self.context = context
        self.stored: ReengagementSettings | None = None
        self.last_report: ReengagementReport | None = None
        self.busy = False
        self._generation = 0
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.enable_check = QCheckBox("&Re-engage leads nobody has touched")
        self.enable_check.setStyleSheet("font-weight: 600;")
        self.inactive_spin = _days_spin(" days", 90)
        self.every_spin = _days_spin(" days", 180)
        self.sequence_combo = QComboBox()
        self.sequence_combo.setMinimumContentsLength(30)
        self.sequence_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.create_button = QPushButton("Create the &preset sequence")
        self.create_button.setToolTip(
            "Adds “Re-engagement: three emails over three weeks”, usable as is (Sequences "
            "page to edit it)"
        )
        self.create_button.clicked.connect(self.create_preset)
        periods = QHBoxLayout()
        self._pair(periods, "&Untouched for:", self.inactive_spin, "with no activity,")
        periods.addSpacing(12)
        self._pair(periods, "at most &once every:", self.every_spin, "per lead")
        periods.addStretch(1)
        caption = QLabel("&Sequence:")
        caption.setBuddy(self.sequence_combo)
        sequence_row = QHBoxLayout()
        sequence_row.addWidget(caption)
        sequence_row.addWidget(self.sequence_combo)
        sequence_row.addWidget(self.create_button)
        sequence_row.addStretch(1)
        self.rule_label = hint_label(RULE_TEXT)
        self.dry_run_button = QPushButton("&Dry run")
        self.dry_run_button.clicked.connect(self.dry_run)
        self.result_label = QLabel(DRY_RUN_HINT)
        self.result_label.setWordWrap(True)
        dry_row = QHBoxLayout()
        dry_row.addWidget(self.dry_run_button, 0, Qt.AlignmentFlag.AlignTop)
        dry_row.addWidget(self.result_label, 1)
        outer = QVBoxLayout(self)
        outer.addWidget(self.enable_check)
        outer.addWidget(self.rule_label)
        outer.addSpacing(4)
        outer.addLayout(periods)
        outer.addLayout(sequence_row)
        outer.addLayout(dry_row)
        self.enable_check.toggled.connect(self._edited)
        self.inactive_spin.valueChanged.connect(self._edited)
        self.every_spin.valueChanged.connect(self._edited)
        self.sequence_combo.currentIndexChanged.connect(self._edited)
        self._update_state()

    def _pair(self, row: QHBoxLayout, text: str, spin: QSpinBox, after: str) -> None:
        """Caption, spin box and the words after it, appended to ``row``."""
        caption = QLabel(text)
        caption.setBuddy(spin)
        row.addWidget(caption)
        row.addWidget(spin)
        row.addWidget(QLabel(after))

    # -- the values -------------------------------------------------------------------------

    def set_sequences(self, choices: list[SequenceChoice], chosen: int | None) -> None:
        """Fill the sequence combo and select ``chosen`` (None: no sequence yet)."""
        self.sequence_combo.blockSignals(True)
        self.sequence_combo.clear()
        self.sequence_combo.addItem("Choose a sequence…" if choices else "No sequence yet", None)
        for choice in choices:
            self.sequence_combo.addItem(choice.label, choice.id)
        if chosen is not None and self.sequence_combo.findData(chosen) < 0:
            self.sequence_combo.addItem("A deleted sequence — choose another", chosen)
        self.sequence_combo.setCurrentIndex(max(0, self.sequence_combo.findData(chosen)))
        self.sequence_combo.blockSignals(False)
        self._update_state()

    def show_settings(self, settings: ReengagementSettings, choices: list[SequenceChoice]) -> None:
        """Show the stored rule (unsaved edits are kept) with every sequence to choose from."""
        keep = self.dirty
        current = self.settings() if keep else settings
        self.stored = settings
        for widget in (self.enable_check, self.inactive_spin, self.every_spin):
            widget.blockSignals(True)
        self.enable_check.setChecked(current.enabled)
        self.inactive_spin.setValue(current.inactive_days)
        self.every_spin.setValue(current.every_days)
        for widget in (self.enable_check, self.inactive_spin, self.every_spin):
            widget.blockSignals(False)
        self.set_sequences(choices, current.sequence_id)
        self._edited()

    def settings(self) -> ReengagementSettings:
        """The rule as the group shows it (not validated)."""
        base = self.stored or ReengagementSettings()
        chosen = self.sequence_combo.currentData()
        return replace(
            base,
            enabled=self.enable_check.isChecked(),
            inactive_days=self.inactive_spin.value(),
            every_days=self.every_spin.value(),
            sequence_id=int(chosen) if chosen is not None else None,
        )

    @property
    def dirty(self) -> bool:
        """True when the group differs from the stored rule."""
        return self.stored is not None and self.settings() != self.stored

    def _edited(self, *_args: Any) -> None:
        self._update_state()
        self.changed.emit()

    def _update_state(self) -> None:
        ready = self.stored is not None and not self.busy
        self.create_button.setEnabled(ready and self.sequence_combo.currentData() is None)
        self.dry_run_button.setEnabled(ready)

    # -- background work ----------------------------------------------------------------------

    def create_preset(self) -> None:
        """Add the shipped re-engagement sequence and select it (saved when the tab is)."""

        def work(_progress: Any) -> tuple[int, list[SequenceChoice]]:
            with self.context.db.write() as session:
                return create_preset(session)

        self.busy = True
        self._update_state()
        self.context.runner.run(
            work, on_done=self._created, on_error=self._failed, label="Creating the sequence"
        )

    def _created(self, result: tuple[int, list[SequenceChoice]]) -> None:
        sequence_id, choices = result
        self.busy = False
        self.set_sequences(choices, sequence_id)
        self.sequences_changed.emit(choices)
        self._edited()
        name = next((c.name for c in choices if c.id == sequence_id), "the preset")
        self.result_label.setText(f"“{name}” is ready and chosen; save to use it.")

    def _failed(self, error: BaseException) -> None:
        self.busy = False
        self._update_state()
        self.result_label.setText(f"The sequence was not created: {error}")

    def dry_run(self) -> None:
        """Count who the rule would re-engage today with the values as shown (writes nothing)."""
        settings, db = self.settings(), self.context.db
        now: datetime = self.context.clock.now()
        unsaved = self.dirty
        self._generation += 1
        generation = self._generation

        def work(_progress: Any) -> ReengagementReport:
            with db.session() as session:
                return run_reengagement(session, now, dry_run=True, settings=settings)

        self.result_label.setText("Counting the leads the rule names…")
        self.dry_run_button.setEnabled(False)
        self.context.runner.run(
            work,
            on_done=lambda report: self._counted(generation, report, settings, unsaved),
            on_error=lambda error: self._count_failed(generation, error),
            write=False,
            label="Dry run",
        )

    def _counted(
        self,
        generation: int,
        report: ReengagementReport,
        settings: ReengagementSettings,
        unsaved: bool,
    ) -> None:
        if generation != self._generation:
            return
        self._update_state()
        self.last_report = report
        self.result_label.setText(dry_run_text(report, enabled=settings.enabled, unsaved=unsaved))
        self.dry_run_done.emit(report)

    def _count_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._update_state()
        self.last_report = None
        self.result_label.setText(f"The dry run failed: {error}")
        self.dry_run_done.emit(None)
