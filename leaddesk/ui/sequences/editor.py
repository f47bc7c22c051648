"""The sequence editor: timeline of steps, step fields, settings, live preview, inline lint."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from leaddesk.db.models import Sequence
from leaddesk.errors import EditConflict
from leaddesk.handoff.identity import current_member
from leaddesk.sequences.catalog import ensure_unchanged
from leaddesk.sequences.versions import InFlight, save_sequence
from leaddesk.ui.context import AppContext
from leaddesk.ui.dialogs.edit_conflict import ask_reload_or_overwrite
from leaddesk.ui.sequences.editor_data import (
    EditorData,
    PreviewData,
    load_editor_data,
    preview_and_lint,
)
from leaddesk.ui.sequences.in_flight_dialog import ask_in_flight
from leaddesk.ui.sequences.settings_panel import SequenceSettingsPanel
from leaddesk.ui.sequences.step_editor import StepEditor
from leaddesk.ui.sequences.test_send import TestSendPanel
from leaddesk.ui.sequences.timeline import StepTimeline

PREVIEW_DELAY_MS = 300


class SequenceEditor(QWidget):
    """Edits one sequence's newest version; ``saved`` fires after a successful save."""

    saved = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.data: EditorData | None = None
        self._pending_in_flight: InFlight | None = None
        self.dirty = False
        self.preview_data = PreviewData()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.update_preview)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._build_header())
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._build_tabs())
        splitter.addWidget(self._build_preview())
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([600, 420])
        layout.addWidget(splitter, 1)
        self.setEnabled(False)

    def _build_header(self) -> QHBoxLayout:
        header = QHBoxLayout()
        self.name_edit = QLineEdit()
        self.name_edit.textEdited.connect(self._changed)
        header.addWidget(self.name_edit, 1)
        self.version_label = QLabel()
        self.version_label.setObjectName("pageSubtitle")
        header.addWidget(self.version_label)
        self.save_button = QPushButton("Save")
        self.save_button.setProperty("primary", True)
        self.save_button.clicked.connect(lambda: self.save())
        header.addWidget(self.save_button)
        return header

    def _build_tabs(self) -> QTabWidget:
        tabs = QTabWidget()
        steps = QWidget()
        layout = QVBoxLayout(steps)
        self.timeline = StepTimeline()
        buttons = QHBoxLayout()
        self.add_buttons: dict[str, QPushButton] = {}
        for kind, text in (("email", "+ Email"), ("wait", "+ Wait"), ("task", "+ Task")):
            button = QPushButton(text)
            button.clicked.connect(self._adder(kind))
            self.add_buttons[kind] = button
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.up_button, self.down_button = QPushButton("↑"), QPushButton("↓")
        self.up_button.setToolTip("Move the step earlier (or drag it)")
        self.down_button.setToolTip("Move the step later (or drag it)")
        self.up_button.clicked.connect(lambda: self._move(-1))
        self.down_button.clicked.connect(lambda: self._move(1))
        self.remove_button = QPushButton("Remove")
        for button in (self.up_button, self.down_button, self.remove_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.timeline.currentRowChanged.connect(self._select)
        self.timeline.steps_changed.connect(self._changed)
        self.remove_button.clicked.connect(self.timeline.remove_current)
        layout.addWidget(self.timeline, 2)
        self.step_editor = StepEditor()
        self.step_editor.edited.connect(self._step_edited)
        layout.addWidget(self.step_editor, 3)
        tabs.addTab(steps, "Steps")
        self.settings_panel = SequenceSettingsPanel()
        self.settings_panel.changed.connect(self._changed)
        tabs.addTab(self.settings_panel, "Settings")
        return tabs

    def _adder(self, kind: str) -> Callable[[], None]:
        def add() -> None:
            self.timeline.add_step(kind)

        return add

    def _build_preview(self) -> QWidget:
        pane = QWidget()
        layout = QVBoxLayout(pane)
        layout.setContentsMargins(0, 0, 0, 0)
        self.lead_combo = QComboBox()
        self.lead_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.lead_combo.setMinimumContentsLength(24)
        self.lead_combo.currentIndexChanged.connect(lambda _: self.schedule_preview())
        layout.addWidget(QLabel("Preview for:"))
        layout.addWidget(self.lead_combo)
        self.subject_label = QLabel()
        self.subject_label.setWordWrap(True)
        self.subject_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.subject_label)
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet("color: #b91c1c;")
        self.problem_label.hide()
        layout.addWidget(self.problem_label)
        self.preview_browser = QTextBrowser()
        self.preview_browser.setOpenExternalLinks(False)
        layout.addWidget(self.preview_browser, 3)
        self.test_send = TestSendPanel(self.context, self.test_draft)
        layout.addWidget(self.test_send)
        layout.addWidget(QLabel("Checks:"))
        self.lint_list = QListWidget()
        self.lint_list.setWordWrap(True)
        layout.addWidget(self.lint_list, 1)
        return pane

    # loading -------------------------------------------------------------------------------
    def open_sequence(self, sequence_id: int) -> None:
        """Load ``sequence_id`` in the background and show it."""

        def read(_progress: Any) -> EditorData:
            with self.context.db.session() as session:
                return load_editor_data(session, sequence_id)

        self.context.runner.run(read, on_done=self.show_data, write=False, label="Opening")

    def show_data(self, data: EditorData) -> None:
        """Fill every field from ``data``."""
        self.data = data
        self.name_edit.setText(data.document["name"])
        state = f"{data.status} · version {data.version}"
        if data.live:
            state += f" · {data.live} lead{'' if data.live == 1 else 's'} in flight"
        self.version_label.setText(state)
        self.settings_panel.load(data.document, data.accounts)
        self.step_editor.set_link_tracking(data.tracking)
        self.timeline.set_steps(data.document["steps"])
        self.lead_combo.blockSignals(True)
        self.lead_combo.clear()
        for lead_id, label in data.leads:
            self.lead_combo.addItem(label, lead_id)
        self.lead_combo.blockSignals(False)
        self.setEnabled(True)
        self.dirty = False
        self.timeline.setCurrentRow(0 if self.timeline.count() else -1)
        self._timer.stop()
        self.update_preview()

    def document(self) -> dict[str, Any]:
        """The draft as a sequence document."""
        base = self.data.document if self.data else {}
        return {
            **base,
            "name": self.name_edit.text().strip(),
            "settings": self.settings_panel.settings(),
            "auto_enroll": self.settings_panel.auto_enroll(),
            "on_handoff": self.settings_panel.on_handoff(),
            "steps": self.timeline.steps(),
        }

    # editing -------------------------------------------------------------------------------
    def choose_lead(self, lead_id: int) -> None:
        """Preview with the lead ``lead_id`` (must be among the choices)."""
        self.lead_combo.setCurrentIndex(self.lead_combo.findData(lead_id))

    def _select(self, row: int) -> None:
        self.step_editor.load(self.timeline.step_at(row) if row >= 0 else None)
        self.schedule_preview()

    def _step_edited(self, step: dict[str, Any]) -> None:
        self.timeline.update_step(self.timeline.currentRow(), step)

    def _move(self, offset: int) -> None:
        row = self.timeline.currentRow()
        self.timeline.move_step(row, row + offset)

    def _changed(self, *_args: Any) -> None:
        self.dirty = True
        self.schedule_preview()

    def schedule_preview(self) -> None:
        """Re-render the preview and re-run lint shortly after the last edit."""
        self._timer.start()

    def _preview_row(self, steps: list[dict[str, Any]]) -> int:
        """The step the preview shows: the selected email/task, else the first email (or -1)."""
        row = self.timeline.currentRow()
        if 0 <= row < len(steps) and steps[row]["kind"] in ("email", "task"):
            return row
        return next((i for i, s in enumerate(steps) if s["kind"] == "email"), -1)

    def _preview_step(self) -> dict[str, Any] | None:
        steps = self.timeline.steps()
        row = self._preview_row(steps)
        return steps[row] if row >= 0 else None

    def test_draft(self) -> tuple[dict[str, Any], int | None, int, int | None] | None:
        """For "Send test to me": the draft, sequence id, previewed step (1-based), lead id."""
        if self.data is None:
            return None
        document = self.document()
        number = self._preview_row(document["steps"]) + 1
        return document, self.data.sequence_id, number, self.lead_combo.currentData()

    def update_preview(self) -> None:
        """Render the selected step for the chosen lead and lint the draft (in the background)."""
        if self.data is None or not self.isVisible():
            return
        document, step = self.document(), self._preview_step()
        lead_id = self.lead_combo.currentData()
        sequence_id = self.data.sequence_id

        def read(_progress: Any) -> PreviewData:
            with self.context.db.session() as session:
                return preview_and_lint(session, document, sequence_id, lead_id, step)

        self.context.runner.run(read, on_done=self.show_preview, write=False, label="Preview")

    def show_preview(self, data: PreviewData) -> None:
        """Show a rendered preview and the lint findings."""
        self.preview_data = data
        self.subject_label.setText(f"<b>{_escape(data.subject)}</b>" if data.subject else "")
        self.problem_label.setText("\n".join(data.problems))
        self.problem_label.setVisible(bool(data.problems))
        if data.html:
            self.preview_browser.setHtml(data.html)
        elif data.problems and not data.text:
            self.preview_browser.setPlainText("This step cannot be rendered; see above.")
        else:
            self.preview_browser.setPlainText(data.text)
        self.lint_list.clear()
        for finding in data.findings:
            where = f"Step {finding['step']}" if finding["step"] else "Sequence"
            error = finding["severity"] == "error"
            item = QListWidgetItem(
                f"{'Error' if error else 'Warning'} · {where}: {finding['message']} "
                f"— fix: {finding['fix']}"
            )
            item.setForeground(QColor("#b91c1c" if error else "#b45309"))
            self.lint_list.addItem(item)
        if not data.findings:
            self.lint_list.addItem("No problems found")

    # saving --------------------------------------------------------------------------------
    def save(self, in_flight: InFlight | None = None, *, overwrite: bool = False) -> None:
        """Save the draft; with leads in flight, ask whether they stay or move (new version).
        Unless ``overwrite``, a sequence someone else saved meanwhile is not overwritten."""
        if self.data is None:
            return
        if in_flight is None and self.data.in_use and self.data.live:
            in_flight = ask_in_flight(self, self.data.live, self.timeline.labels())
            if in_flight is None:
                return
        document, sequence_id = self.document(), self.data.sequence_id
        loaded = None if overwrite else self.data.document
        now = self.context.clock.now()
        db = self.context.db

        def write(_progress: Any) -> int:
            with db.session() as session:
                me = current_member(session, db)
            with db.write() as session:
                sequence = session.get_one(Sequence, sequence_id)
                if loaded is not None:
                    ensure_unchanged(session, sequence, loaded)
                return save_sequence(
                    session,
                    sequence,
                    document,
                    in_flight=in_flight,
                    now=now,
                    by=me.name if me else "",
                ).migrated

        self.save_button.setEnabled(False)
        self._pending_in_flight = in_flight
        self.context.runner.run(
            write, on_done=self._saved, on_error=self._save_failed, label="Saving sequence"
        )

    def _saved(self, _migrated: int) -> None:
        self.save_button.setEnabled(True)
        self.dirty = False
        self.saved.emit()
        if self.data is not None:
            self.open_sequence(self.data.sequence_id)

    def _save_failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        if isinstance(error, EditConflict):
            self._resolve_conflict(error)
            return
        QMessageBox.warning(self, "Sequence not saved", f"The sequence was not saved: {error}")

    def _resolve_conflict(self, error: EditConflict) -> None:
        """Another person saved first: reload theirs, or overwrite it with this draft."""
        choice = ask_reload_or_overwrite(self, "sequence", error)
        if choice == "overwrite":
            self.save(self._pending_in_flight, overwrite=True)
        elif choice == "reload" and self.data is not None:
            self.dirty = False
            self.open_sequence(self.data.sequence_id)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
