"""The lead detail panel: editable profile, score, timeline, quick log, tasks, sequences."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from leaddesk.activities.kinds import label
from leaddesk.db.models import TeamMember
from leaddesk.handoff.identity import current_member
from leaddesk.inbox.profile import (
    DuplicateEmailError,
    EditConflict,
    ProfileError,
    update_profile,
)
from leaddesk.inbox.timeline import (
    LOGGABLE_KINDS,
    LeadDetail,
    add_task,
    complete_task,
    lead_detail,
    log_activity,
)
from leaddesk.scoring.display import display_score, score_sum_text
from leaddesk.ui.context import AppContext
from leaddesk.ui.dialogs.edit_conflict import ask_reload_or_overwrite
from leaddesk.ui.forms.ui_lead_profile import Ui_LeadProfileForm
from leaddesk.ui.inbox.brief_tab import BriefTab
from leaddesk.ui.models.inbox_table import (
    BAND_LABELS,
    CLOCKED_STATUSES,
    STATUS_LABELS,
    local_time,
)
from leaddesk.ui.models.timeline import TimelineModel
from leaddesk.ui.widgets.score_breakdown import ScoreBreakdownWidget

FIELD_LABELS = {
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email",
    "company": "Company",
    "title": "Title",
    "phone": "Phone",
    "industry": "Industry",
    "company_size": "Company size",
    "country": "Country",
    "city": "City",
    "state": "State / region",
    "website": "Website",
    "timezone": "Time zone",
    "source": "Source / event",
}


NO_TASKS = "No tasks yet: add one below, or a sequence's call step will create one."
NO_SEQUENCES = "In no sequence: enrol the lead from the Inbox (Actions → Enroll in sequence)."


def _placeholder(view: QListWidget, text: str) -> None:
    """A grey, unselectable line that says why a list is empty and what fills it."""
    item = QListWidgetItem(text)
    item.setFlags(Qt.ItemFlag.NoItemFlags)
    view.addItem(item)


class LeadDetailPanel(QWidget):
    """Shows one lead; edits and logged activities are saved through the task runner."""

    closed = Signal()
    changed = Signal()
    open_lead = Signal(int)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("leadDetail")
        self.context = context
        self.lead_id: int | None = None
        self.detail: LeadDetail | None = None
        self.loaded = False
        self.heading = QLabel()
        self.heading.setObjectName("detailHeading")
        self.heading.setWordWrap(True)
        close = QToolButton()
        close.setText("✕")
        close.setToolTip("Close (Esc)")
        close.clicked.connect(self.close_panel)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.score_box = self._build_score_box()
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_profile(), "Profile")
        self.tabs.addTab(self._build_timeline(), "Timeline")
        self.tabs.addTab(self._build_tasks(), "Tasks && sequences")
        self.breakdown = ScoreBreakdownWidget(context)
        self.score_tab = self.tabs.addTab(self.breakdown, "Score")
        self.brief = BriefTab(context)
        self.brief_tab = self.tabs.addTab(self.brief, "Brief")
        self.tabs.setTabToolTip(self.brief_tab, "What a rep needs to make the call")
        self.brief.changed.connect(self._brief_changed)
        self.tabs.currentChanged.connect(lambda _index: self._show_breakdown())
        self.tabs.currentChanged.connect(lambda _index: self._show_brief())
        self.breakdown.loaded.connect(self._breakdown_loaded)
        self._breakdown_lead: int | None = None
        self._brief_lead: int | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.score_box)
        layout.addWidget(self.tabs, 1)

    # --- building -------------------------------------------------------------------------
    def _breakdown_loaded(self) -> None:
        """The breakdown stored a fresh score: show it in the summary line too."""
        view = self.breakdown.view
        if view is None or view.breakdown.lead_id != self.lead_id:
            return
        self._show_score(
            view.breakdown.total, view.breakdown.band, view.breakdown.fit, view.breakdown.engagement
        )

    def _show_score(self, score: float, band: str, fit: float, engagement: float) -> None:
        self.score_label.setText(
            f"<b>{display_score(score)}</b> ({BAND_LABELS.get(band, band)}) — "
            f"{score_sum_text(fit, engagement, score)}"
        )

    def _build_score_box(self) -> QGroupBox:
        box = QGroupBox("Score")
        layout = QVBoxLayout(box)
        self.score_label = QLabel()
        self.score_label.setToolTip("The Score tab explains every point")
        layout.addWidget(self.score_label)
        return box

    def _show_breakdown(self) -> None:
        """Compute the breakdown when the Score tab is shown (it stores the fresh score)."""
        if self.tabs.currentIndex() != self.score_tab or self.lead_id is None:
            return
        if self._breakdown_lead != self.lead_id:
            self._breakdown_lead = self.lead_id
            self.breakdown.show_lead(self.lead_id)

    def _show_brief(self) -> None:
        """Build the brief when the Brief tab is shown (once per lead and reload)."""
        if self.tabs.currentIndex() != self.brief_tab or self.lead_id is None:
            return
        if self._brief_lead != self.lead_id:
            self._brief_lead = self.lead_id
            self.brief.show_lead(self.lead_id)

    def _build_profile(self) -> QWidget:
        page = QWidget()
        self.profile_form = Ui_LeadProfileForm()
        self.profile_form.setupUi(page)
        form = self.profile_form
        self.edits: dict[str, QLineEdit] = {
            "first_name": form.firstNameEdit,
            "last_name": form.lastNameEdit,
            "email": form.emailEdit,
            "company": form.companyEdit,
            "title": form.titleEdit,
            "phone": form.phoneEdit,
            "industry": form.industryEdit,
            "company_size": form.companySizeEdit,
            "country": form.countryEdit,
            "city": form.cityEdit,
            "state": form.stateEdit,
            "website": form.websiteEdit,
            "timezone": form.timezoneEdit,
            "source": form.sourceEdit,
        }
        self.status_combo = form.statusCombo
        for value, text in STATUS_LABELS.items():
            self.status_combo.addItem(text, value)
            if value in CLOCKED_STATUSES:  # shown when current, never picked by hand
                item = self.status_combo.model().item(self.status_combo.count() - 1)  # type: ignore[attr-defined]
                item.setEnabled(False)
                item.setToolTip("Set by Hand to sales… (Ctrl+H) and the Sales queue")
        self.owner_combo = form.ownerCombo
        self.tags_label = form.tagsLabel
        self.error_label = form.errorLabel
        self.error_label.setObjectName("profileError")
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)  # messages may name leads
        self.error_label.linkActivated.connect(self._link)
        self.save_button = form.saveButton
        self.save_button.clicked.connect(self.save)
        return page

    def _build_timeline(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        row = QHBoxLayout()
        self.log_kind = QComboBox()
        for kind in LOGGABLE_KINDS:
            self.log_kind.addItem(label(kind), str(kind))
        self.log_note = QLineEdit()
        self.log_note.setPlaceholderText("Note")
        self.log_outcome = QLineEdit()
        self.log_outcome.setPlaceholderText("Outcome (calls)")
        self.log_button = QPushButton("Log")
        self.log_button.clicked.connect(self.log_current)
        self.log_note.returnPressed.connect(self.log_current)
        row.addWidget(self.log_kind)
        row.addWidget(self.log_note, 2)
        row.addWidget(self.log_outcome, 1)
        row.addWidget(self.log_button)
        layout.addLayout(row)
        self.timeline_model = TimelineModel(self)
        self.timeline_view = QListView()
        self.timeline_view.setObjectName("timeline")
        self.timeline_view.setModel(self.timeline_model)
        self.timeline_view.setUniformItemSizes(True)
        layout.addWidget(self.timeline_view, 1)
        return page

    def _build_tasks(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel("Tasks"))
        self.task_list = QListWidget()
        layout.addWidget(self.task_list, 1)
        row = QHBoxLayout()
        self.task_title = QLineEdit()
        self.task_title.setPlaceholderText("New task, due tomorrow (e.g. Call back)")
        self.task_title.returnPressed.connect(self.add_task_now)
        add = QPushButton("Add task")
        add.clicked.connect(self.add_task_now)
        self.done_button = QPushButton("Mark done")
        self.done_button.clicked.connect(self.complete_selected_task)
        self.done_button.setEnabled(False)
        self.task_list.currentItemChanged.connect(lambda *_: self._update_done_button())
        row.addWidget(self.task_title, 1)
        row.addWidget(add)
        row.addWidget(self.done_button)
        layout.addLayout(row)
        layout.addWidget(QLabel("Sequences"))
        self.enrollment_list = QListWidget()
        layout.addWidget(self.enrollment_list, 1)
        return page

    # --- loading --------------------------------------------------------------------------
    def open(self, lead_id: int) -> None:
        """Show ``lead_id`` (loaded in the background)."""
        self.lead_id = lead_id
        self.loaded = False
        self.error_label.clear()
        self.show()
        self.reload()

    def _brief_changed(self) -> None:
        """An attempt was logged from the Brief tab: reload the lead and tell the page."""
        self.changed.emit()
        self.reload()

    def reload(self) -> None:
        """Fetch the lead's detail again."""
        lead_id = self.lead_id
        if lead_id is None:
            return

        def load(_progress: Any) -> tuple[LeadDetail, list[tuple[int, str]]]:
            with self.context.db.session() as session:
                owners = [
                    (m.id, m.name)
                    for m in session.scalars(select(TeamMember).order_by(TeamMember.name))
                ]
                return lead_detail(session, lead_id), owners

        self.context.runner.run(
            load, on_done=self._show, on_error=self._load_failed, write=False, label="Opening lead"
        )

    def _load_failed(self, error: BaseException) -> None:
        self.loaded = True
        if isinstance(error, LookupError):
            self.close_panel()
            return
        self.error_label.setText(str(error))

    def _show(self, result: tuple[LeadDetail, list[tuple[int, str]]]) -> None:
        detail, owners = result
        if detail.id != self.lead_id:
            return
        self.detail = detail
        profile = detail.profile
        name = " ".join(p for p in (profile["first_name"], profile["last_name"]) if p)
        self.heading.setText(
            f"<b>{_html(name or profile['email'])}</b><br>{_html(profile['email'])}"
        )
        for field, edit in self.edits.items():
            edit.setText(str(profile.get(field) or ""))
        # What the form shows, for the compare-and-set on save (another window may edit too).
        self.shown_profile = {f: profile.get(f) for f in (*self.edits, "status", "owner_id")}
        self.status_combo.setCurrentIndex(max(0, self.status_combo.findData(profile["status"])))
        self.owner_combo.clear()
        self.owner_combo.addItem("Nobody", None)
        for member_id, member_name in owners:
            self.owner_combo.addItem(member_name, member_id)
        self.owner_combo.setCurrentIndex(max(0, self.owner_combo.findData(profile["owner_id"])))
        self.tags_label.setText(", ".join(detail.tags) or "—")
        self._show_score(detail.score, detail.band, detail.fit_score, detail.engagement_score)
        self.timeline_model.set_entries(detail.timeline)
        self.task_list.clear()
        for task in detail.tasks:
            state = "✔" if task.completed_at else "☐"
            due = f" — due {local_time(task.due_at)}" if task.due_at else ""
            item = QListWidgetItem(f"{state} {task.title}{due}")
            item.setData(Qt.ItemDataRole.UserRole, task.id)
            item.setData(Qt.ItemDataRole.UserRole + 1, task.completed_at is None)
            self.task_list.addItem(item)
        if not detail.tasks:
            _placeholder(self.task_list, NO_TASKS)
        self._update_done_button()
        self.enrollment_list.clear()
        for enrollment in detail.enrollments:
            when = local_time(enrollment.next_due_at)
            subject = f" “{enrollment.next_subject}”" if enrollment.next_subject else ""
            nxt = f" — next{subject} {when}" if when else ""
            self.enrollment_list.addItem(f"{enrollment.sequence}: {enrollment.state}{nxt}")
        if not detail.enrollments:
            _placeholder(self.enrollment_list, NO_SEQUENCES)
        self.loaded = True
        self._breakdown_lead = None
        self._show_breakdown()
        self._brief_lead = None
        self._show_brief()

    # --- writing --------------------------------------------------------------------------
    def profile_changes(self) -> dict[str, Any]:
        """The values in the form (only the editable profile fields)."""
        values: dict[str, Any] = {f: e.text() for f, e in self.edits.items()}
        values["status"] = self.status_combo.currentData()
        values["owner_id"] = self.owner_combo.currentData()
        return values

    def save(self, *, overwrite: bool = False) -> None:
        """Validate and save the form; errors are shown under it. Unless ``overwrite``, a lead
        someone else saved since it was shown is not overwritten: the user chooses."""
        lead_id = self.lead_id
        if lead_id is None:
            return
        changes = self.profile_changes()
        expected = None if overwrite else dict(getattr(self, "shown_profile", {}) or {})
        now = self.context.clock.now()
        db = self.context.db
        self.error_label.clear()
        self.save_button.setEnabled(False)

        def write(_progress: Any) -> object:
            with db.session() as session:
                me = current_member(session, db)
            with db.write() as session:
                return update_profile(
                    session, lead_id, changes, now=now, expected=expected, by=me.name if me else ""
                )

        self._write(write, "Saving the lead", after=lambda: self.save_button.setEnabled(True))

    def resolve_conflict(self, error: EditConflict) -> None:
        """Ask: reload their version, or overwrite it with what is in the form."""
        choice = ask_reload_or_overwrite(self, "lead", error)
        if choice == "overwrite":
            self.save(overwrite=True)
        elif choice == "reload":
            self.reload()

    def log_current(self) -> None:
        """Log the activity typed in the quick-log row."""
        lead_id = self.lead_id
        if lead_id is None:
            return
        kind, note, outcome = (
            self.log_kind.currentData(),
            self.log_note.text(),
            self.log_outcome.text(),
        )
        now = self.context.clock.now()

        def write(_progress: Any) -> object:
            with self.context.db.write() as session:
                return log_activity(session, lead_id, kind, now=now, note=note, outcome=outcome)

        self.log_note.clear()
        self.log_outcome.clear()
        self._write(write, "Logging an activity")

    def add_task_now(self) -> None:
        """Add the typed task, due in 24 hours."""
        lead_id = self.lead_id
        title = self.task_title.text().strip()
        if lead_id is None or not title:
            return
        now = self.context.clock.now()

        def write(_progress: Any) -> object:
            with self.context.db.write() as session:
                return add_task(session, lead_id, title, now=now, due_at=now + timedelta(days=1))

        self.task_title.clear()
        self._write(write, "Adding a task")

    def _update_done_button(self) -> None:
        item = self.task_list.currentItem()
        open_task = item is not None and bool(item.data(Qt.ItemDataRole.UserRole + 1))
        self.done_button.setEnabled(open_task)

    def complete_selected_task(self) -> None:
        """Mark the selected task done."""
        item = self.task_list.currentItem()
        if item is None or item.data(Qt.ItemDataRole.UserRole) is None:
            return
        task_id = int(item.data(Qt.ItemDataRole.UserRole))
        now = self.context.clock.now()

        def write(_progress: Any) -> object:
            with self.context.db.write() as session:
                complete_task(session, task_id, now=now)
            return None

        self._write(write, "Completing a task")

    def _write(self, job: Any, text: str, after: Any = None) -> None:
        def done(_result: object) -> None:
            if after:
                after()
            self.changed.emit()
            self.reload()

        def failed(error: BaseException) -> None:
            if after:
                after()
            self.loaded = True
            if isinstance(error, EditConflict):
                self.error_label.setText(_html(str(error)))
                self.resolve_conflict(error)
            elif isinstance(error, DuplicateEmailError):
                self.error_label.setText(
                    f"{_html(str(error))} — <a href='lead:{error.other_lead_id}'>open that lead</a>"
                )
            elif isinstance(error, ProfileError):
                self.error_label.setText(
                    f"{FIELD_LABELS.get(error.field, error.field)}: {_html(str(error))}"
                )
            else:
                self.error_label.setText(_html(str(error)))

        self.loaded = False
        self.context.runner.run(job, on_done=done, on_error=failed, label=text)

    def _link(self, href: str) -> None:
        if href.startswith("lead:"):
            self.open_lead.emit(int(href.split(":", 1)[1]))

    def close_panel(self) -> None:
        """Hide the panel."""
        self.lead_id = None
        self.hide()
        self.closed.emit()


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
