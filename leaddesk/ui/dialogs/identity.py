"""The first-run question: who is this copy of LeadDesk on this database?

With a team it asks "Who are you on this computer?"; on an empty team it offers a short form to
add yourself (the first person added is you). Either way the answer is kept in local
preferences (:mod:`leaddesk.handoff.identity`) and can be changed in Settings → Team.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from leaddesk.db.models import TeamRole
from leaddesk.handoff.identity import current_member, set_me
from leaddesk.handoff.team import (
    ROLE_LABELS,
    MemberInfo,
    TeamError,
    add_member,
    list_members,
    member_info,
)
from leaddesk.ui.context import AppContext
from leaddesk.ui.settings.team_dialogs import sentence
from leaddesk.ui.widgets.settings_form import hint_label

CHOOSE_TEXT = (
    "LeadDesk shows this member's sales queue and hand-off alerts here and records what you do "
    "under their name. The choice is kept on this computer only; change it any time in "
    "Settings → Team."
)
ADD_TEXT = (
    "Nobody is on the team yet. Add yourself so hand-offs, follow-up deadlines and alerts know "
    "who you are; add your teammates later in Settings → Team."
)


class IdentityDialog(QDialog):
    """Asks who this computer acts as (``members`` given) or adds "me" to an empty team.

    ``chosen`` carries the MemberInfo that is "me" now; "Choose later" / "Skip" just closes.
    """

    chosen = Signal(object)  # MemberInfo

    def __init__(
        self, context: AppContext, members: list[MemberInfo], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.members = members
        self.adding = not members
        self.saving = False
        self.setWindowTitle("Add yourself" if self.adding else "Who are you?")
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        heading = QLabel(
            "Add yourself to the team" if self.adding else "Who are you on this computer?"
        )
        heading.setObjectName("emptyTitle")
        layout.addWidget(heading)
        layout.addWidget(hint_label(ADD_TEXT if self.adding else CHOOSE_TEXT))
        form = QFormLayout()
        layout.addLayout(form)
        self.member_combo = QComboBox()
        self.name_edit = QLineEdit()
        self.email_edit = QLineEdit()
        self.role_combo = QComboBox()
        if self.adding:
            self.name_edit.setPlaceholderText("your name")
            self.email_edit.setPlaceholderText("your work email (alerts go there)")
            for key, text in ROLE_LABELS.items():
                self.role_combo.addItem(text, key)
            self.role_combo.setCurrentIndex(self.role_combo.findData(TeamRole.SALES_MANAGER))
            form.addRow("&Name:", self.name_edit)
            form.addRow("&Email:", self.email_edit)
            form.addRow("&Role:", self.role_combo)
        else:
            for member in members:
                suffix = "" if member.active else ", inactive"
                self.member_combo.addItem(f"{member.name} ({member.role_label}{suffix})", member.id)
            form.addRow("I &am:", self.member_combo)
        self.error_label = QLabel("")
        self.error_label.setStyleSheet("color: #b91c1c;")
        self.error_label.setWordWrap(True)
        layout.addWidget(self.error_label)
        self.button_box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.button_box.button(QDialogButtonBox.StandardButton.Ok)
        self.later_button = self.button_box.button(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button.setText("Add me" if self.adding else "This is me")
        self.later_button.setText("Skip" if self.adding else "Choose later")
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)
        layout.addWidget(self.button_box)
        (self.name_edit if self.adding else self.member_combo).setFocus()

    def accept(self) -> None:
        """Make the chosen member "me", or add the typed one and make them "me"."""
        if self.saving:
            return
        db = self.context.db
        if not self.adding:
            member = self.members[self.member_combo.currentIndex()]
            set_me(db, member.email)
            self.chosen.emit(member)
            super().accept()
            return
        name, email = self.name_edit.text(), self.email_edit.text().strip()
        role = str(self.role_combo.currentData())

        def job(_progress: Any) -> MemberInfo:
            with db.write() as session:
                return member_info(add_member(session, name, email, role=role))

        self.saving = True
        self.button_box.setEnabled(False)
        self.context.runner.run(job, on_done=self._added, on_error=self._refused, label="Saving")

    def reject(self) -> None:
        """Choose later (not while the new member is being saved)."""
        if not self.saving:
            super().reject()

    def _added(self, member: MemberInfo) -> None:
        self.saving = False
        self.button_box.setEnabled(True)
        set_me(self.context.db, member.email)
        self.chosen.emit(member)
        super().accept()

    def _refused(self, error: BaseException) -> None:
        self.saving = False
        self.button_box.setEnabled(True)
        message = sentence(str(error)) if isinstance(error, TeamError) else f"Not saved: {error}"
        self.error_label.setText(message)


def _tell_window(window: QWidget, member: MemberInfo) -> None:
    status = getattr(window, "statusBar", None)
    if callable(status):
        status().showMessage(f"LeadDesk acts as {member.name} on this computer.", 6000)
    changed = getattr(window, "data_changed", None)
    if changed is not None:
        changed.emit()  # the sales queue, the team settings … follow "me"


def ask_identity_if_needed(window: QWidget) -> None:
    """If nobody is chosen for this database, ask who this computer acts as (non-blocking).

    ``window`` is the main window (it has ``context``). The team is read off the GUI thread;
    the dialog is not modal, so LeadDesk stays usable while it is open.
    """
    context: AppContext = window.context  # type: ignore[attr-defined]
    db = context.db

    def read(_progress: Any) -> list[MemberInfo] | None:
        with db.session() as session:
            if current_member(session, db) is not None:
                return None
            return list_members(session)

    def ask(members: list[MemberInfo] | None) -> None:
        if members is None:
            return
        dialog = IdentityDialog(context, members, window)
        dialog.chosen.connect(lambda member: _tell_window(window, member))
        dialog.setModal(False)
        dialog.show()

    context.runner.run(read, on_done=ask, write=False, label="Checking who you are")
