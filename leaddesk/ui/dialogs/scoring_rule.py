"""Add or edit one scoring rule (form: ``ui/scoring_rule_dialog.ui``)."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QDialog, QWidget

from leaddesk.activities.kinds import ActivityKind, label
from leaddesk.db.models import ScorePart
from leaddesk.scoring import Rule, ScoringModelError
from leaddesk.scoring.rules import BAND_KINDS, FIT_FIELDS, OPERATOR_LABELS, validate_rule
from leaddesk.ui.forms.ui_scoring_rule_dialog import Ui_ScoringRuleDialog

PAYLOAD_FIELDS = ("", "page", "title", "url", "campaign", "note")
FIT_HINT = (
    "Fit rules test the lead's profile once. Words match whole words, ignoring case "
    "(“CTO” does not match “Director”). Use custom:Name for a custom field."
)
ENGAGEMENT_HINT = (
    "Engagement rules count the newest activities of a kind. With a half-life, an activity "
    "is worth half its points after that many days. Leave the field empty to count every one."
)


class ScoringRuleDialog(QDialog):
    """Edits a :class:`Rule`; ``load(rule)`` fills the form, ``rule()`` reads it back."""

    def __init__(self, rule: Rule, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_ScoringRuleDialog()
        self.ui.setupUi(self)
        self.ui.hintLabel.setStyleSheet("color: #475569;")
        for key, text in OPERATOR_LABELS.items():
            self.ui.operatorCombo.addItem(text, key)
        for kind in ActivityKind:
            if kind not in BAND_KINDS:
                self.ui.kindCombo.addItem(label(kind), str(kind))
        self.ui.buttonBox.accepted.connect(self.accept)
        self.ui.fieldCombo.currentTextChanged.connect(self._show_condition)
        self._part = rule.part
        self.load(rule)

    def load(self, rule: Rule) -> None:
        """Show ``rule`` in the form."""
        self._part = rule.part
        fit = rule.part == ScorePart.FIT
        self.setWindowTitle("Fit rule" if fit else "Engagement rule")
        self.ui.fieldCombo.clear()
        if fit:
            for key, text in FIT_FIELDS.items():
                self.ui.fieldCombo.addItem(text, key)
        else:
            for key in PAYLOAD_FIELDS:
                self.ui.fieldCombo.addItem(key or "(any — no condition)", key)
        index = self.ui.fieldCombo.findData(rule.field)
        if index >= 0:
            self.ui.fieldCombo.setCurrentIndex(index)
        else:
            self.ui.fieldCombo.setEditText(rule.field)
        self.ui.nameEdit.setText(rule.name)
        self.ui.operatorCombo.setCurrentIndex(max(0, self.ui.operatorCombo.findData(rule.operator)))
        self.ui.valueEdit.setText(rule.value)
        self.ui.valueEdit.setCursorPosition(0)
        self.ui.kindCombo.setCurrentIndex(max(0, self.ui.kindCombo.findData(rule.activity_kind)))
        self.ui.pointsSpin.setValue(rule.points)
        self.ui.maxCountSpin.setValue(rule.max_count or 0)
        self.ui.halfLifeSpin.setValue(rule.half_life_days or 0)
        self.ui.enabledCheck.setChecked(rule.enabled)
        for widget in (
            self.ui.kindLabel,
            self.ui.kindCombo,
            self.ui.maxCountLabel,
            self.ui.maxCountSpin,
            self.ui.halfLifeLabel,
            self.ui.halfLifeSpin,
        ):
            widget.setVisible(not fit)  # fmt: skip
        self.ui.fieldLabel.setText("&Field:" if fit else "&Payload field:")
        self.ui.hintLabel.setText(FIT_HINT if fit else ENGAGEMENT_HINT)
        self.ui.errorLabel.clear()
        self._show_condition()

    def _show_condition(self, *_args: object) -> None:
        """An engagement rule without a payload field has no condition to fill in."""
        shown = self._part == ScorePart.FIT or bool(self.rule().field)
        for widget in (
            self.ui.operatorLabel,
            self.ui.operatorCombo,
            self.ui.valueLabel,
            self.ui.valueEdit,
        ):
            widget.setVisible(shown)  # fmt: skip

    def rule(self) -> Rule:
        """The rule as the form shows it now."""
        fit = self._part == ScorePart.FIT
        text = self.ui.fieldCombo.currentText()
        index = self.ui.fieldCombo.findText(text)
        field = self.ui.fieldCombo.itemData(index) if index >= 0 else text.strip()
        base = Rule(part=self._part, name=self.ui.nameEdit.text().strip(), points=0.0)
        return replace(
            base,
            points=self.ui.pointsSpin.value(),
            field=str(field or ""),
            operator=str(self.ui.operatorCombo.currentData()),
            value=self.ui.valueEdit.text().strip(),
            activity_kind="" if fit else str(self.ui.kindCombo.currentData()),
            max_count=1 if fit else (self.ui.maxCountSpin.value() or None),
            half_life_days=None if fit else (self.ui.halfLifeSpin.value() or None),
            enabled=self.ui.enabledCheck.isChecked(),
        )

    def accept(self) -> None:
        """Close only when the rule is valid; otherwise say what is wrong."""
        try:
            validate_rule(self.rule())
        except ScoringModelError as error:
            self.ui.errorLabel.setText(str(error))
            return
        super().accept()
