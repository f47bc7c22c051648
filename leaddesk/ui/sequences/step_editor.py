"""Editing one step: subject and body with a merge-field picker and "Insert link…", a wait, or
a task."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from leaddesk.sequences.documents import TASK_KINDS
from leaddesk.sequences.merge import FIELD_HELP
from leaddesk.ui.sequences.insert_link import InsertLinkDialog
from leaddesk.visits.tracked_links import LinkTracking

INSERT_LINK_KEYS = "Ctrl+K"
_CLOSES_SENTENCE = ".,;:!?)"

PAGE_NONE, PAGE_EMAIL, PAGE_WAIT, PAGE_TASK = range(4)


class StepEditor(QStackedWidget):
    """Shows the fields of the selected step; ``edited(step)`` fires on every keystroke."""

    edited = Signal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._step: dict[str, Any] = {}
        self._loading = False
        self.tracking = LinkTracking((), enabled=False)
        self.link_dialog: InsertLinkDialog | None = None
        hint = QLabel("Select a step in the timeline, or add one.")
        hint.setObjectName("pageSubtitle")
        self.addWidget(hint)
        self.addWidget(self._build_email())
        self.addWidget(self._build_wait())
        self.addWidget(self._build_task())

    def _build_email(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.subject_edit = QLineEdit()
        self.subject_edit.setPlaceholderText("Subject, e.g. Thanks for visiting our booth")
        self.subject_edit.textEdited.connect(self._changed)
        form.addRow("Subject:", self.subject_edit)
        self.field_picker = QComboBox()
        self.field_picker.addItem("Insert merge field…", "")
        for name in (*FIELD_HELP, "company_size", "industry", "country", "city", "phone"):
            self.field_picker.addItem(f"{{{{ {name} }}}} — {FIELD_HELP.get(name, name)}", name)
        self.field_picker.activated.connect(self._insert_field)
        self.link_button = QPushButton("Insert link…")
        self.link_button.setToolTip(
            f"Write a web address into the body at the cursor ({INSERT_LINK_KEYS})"
        )
        self.link_button.clicked.connect(self.open_link_dialog)
        shortcut = QShortcut(QKeySequence(INSERT_LINK_KEYS), page, self.open_link_dialog)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        inserts = QHBoxLayout()
        inserts.addWidget(self.field_picker, 1)
        inserts.addWidget(self.link_button)
        form.addRow("", inserts)
        self.body_edit = QPlainTextEdit()
        self.body_edit.setPlaceholderText('Hi {{ first_name | default("there") }}, …')
        self.body_edit.textChanged.connect(self._changed)
        form.addRow("Body:", self.body_edit)
        return page

    def _build_wait(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.days_spin = QSpinBox()
        self.days_spin.setRange(0, 365)
        self.days_spin.setSuffix(" days")
        self.hours_spin = QSpinBox()
        self.hours_spin.setRange(0, 23)
        self.hours_spin.setSuffix(" hours")
        self.business_check = QCheckBox("Count business days only (Monday–Friday)")
        for widget in (self.days_spin, self.hours_spin):
            widget.valueChanged.connect(self._changed)
        self.business_check.toggled.connect(self._changed)
        form.addRow("Wait:", self.days_spin)
        form.addRow("and:", self.hours_spin)
        form.addRow("", self.business_check)
        return page

    def _build_task(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        form = QFormLayout()
        self.task_kind_combo = QComboBox()
        for kind in TASK_KINDS:
            self.task_kind_combo.addItem(
                {"linkedin": "LinkedIn"}.get(kind, kind.capitalize()), kind
            )
        self.task_kind_combo.currentIndexChanged.connect(self._changed)
        self.task_note_edit = QPlainTextEdit()
        self.task_note_edit.textChanged.connect(self._changed)
        form.addRow("Task:", self.task_kind_combo)
        form.addRow("Note for the owner:", self.task_note_edit)
        layout.addLayout(form)
        return page

    def load(self, step: dict[str, Any] | None) -> None:
        """Show ``step`` (None: nothing selected)."""
        self._loading = True
        self._step = dict(step or {})
        kind = self._step.get("kind")
        if kind == "email":
            self.subject_edit.setText(self._step.get("subject", ""))
            self.body_edit.setPlainText(self._step.get("body", ""))
            self.setCurrentIndex(PAGE_EMAIL)
        elif kind == "wait":
            self.days_spin.setValue(int(self._step.get("wait_days") or 0))
            self.hours_spin.setValue(int(self._step.get("wait_hours") or 0))
            self.business_check.setChecked(bool(self._step.get("business_days")))
            self.setCurrentIndex(PAGE_WAIT)
        elif kind == "task":
            index = self.task_kind_combo.findData(self._step.get("task_kind") or "other")
            self.task_kind_combo.setCurrentIndex(max(index, 0))
            self.task_note_edit.setPlainText(self._step.get("task_note", ""))
            self.setCurrentIndex(PAGE_TASK)
        else:
            self.setCurrentIndex(PAGE_NONE)
        self._loading = False

    def step(self) -> dict[str, Any]:
        """The step as edited."""
        return dict(self._step)

    def set_link_tracking(self, tracking: LinkTracking) -> None:
        """The team's link-tracking settings, which "Insert link…" explains addresses with."""
        self.tracking = tracking

    def open_link_dialog(self) -> None:
        """Ask for a web address (non-blocking); OK writes it into the body at the cursor."""
        if self.currentIndex() != PAGE_EMAIL:
            return
        if self.link_dialog is not None:
            self.link_dialog.deleteLater()
        dialog = self.link_dialog = InsertLinkDialog(self.tracking, self)
        dialog.accepted.connect(lambda: self.insert_link(dialog.url()))
        dialog.open()

    def insert_link(self, url: str) -> None:
        """Write ``url`` at the body's cursor, spaced off from the words around it."""
        cursor = self.body_edit.textCursor()
        text, position = self.body_edit.toPlainText(), cursor.selectionEnd()
        before = text[position - 1] if position else " "
        after = text[position] if position < len(text) else " "
        cursor.setPosition(position)
        cursor.insertText(
            ("" if before.isspace() else " ")
            + url
            + ("" if after.isspace() or after in _CLOSES_SENTENCE else " ")
        )
        self.body_edit.setTextCursor(cursor)
        self.body_edit.setFocus()

    def _insert_field(self, index: int) -> None:
        name = self.field_picker.itemData(index)
        self.field_picker.setCurrentIndex(0)
        if not name:
            return
        snippet = f"{{{{ {name} }}}}"
        if self.subject_edit.hasFocus():
            self.subject_edit.insert(snippet)
            self._changed()
        else:
            self.body_edit.insertPlainText(snippet)
            self.body_edit.setFocus()

    def _changed(self, *_args: Any) -> None:
        if self._loading:
            return
        kind = self._step.get("kind")
        if kind == "email":
            self._step.update(subject=self.subject_edit.text(), body=self.body_edit.toPlainText())
        elif kind == "wait":
            self._step.update(
                wait_days=self.days_spin.value(),
                wait_hours=self.hours_spin.value(),
                business_days=self.business_check.isChecked(),
            )
        elif kind == "task":
            self._step.update(
                task_kind=self.task_kind_combo.currentData(),
                task_note=self.task_note_edit.toPlainText(),
            )
        self.edited.emit(dict(self._step))
