"""Settings → Team: who can own leads, who this computer acts as, and how hand-offs behave.

Every change goes through :mod:`leaddesk.handoff.team` on the background writer; the table
shows plain :class:`MemberInfo` rows. A member who leaves with open hand-offs is asked about
first (:class:`HandoverDialog`), so no lead is left without an owner.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from leaddesk.db.models import SenderAccount, TeamMember
from leaddesk.handoff.config import HandoffSettings, load_settings
from leaddesk.handoff.identity import adopt_if_unset, current_member, my_email, set_me
from leaddesk.handoff.team import (
    Handover,
    MemberInfo,
    deactivate_member,
    list_members,
    reactivate_member,
    remove_member,
)
from leaddesk.ui.context import AppContext
from leaddesk.ui.settings.handoff_settings import HandoffSettingsBox
from leaddesk.ui.settings.team_dialogs import HandoverDialog, MemberDialog, plural, sentence
from leaddesk.ui.settings.team_models import MembersTableModel
from leaddesk.ui.widgets.settings_form import hint_label


@dataclass(frozen=True)
class TeamView:
    """What the tab shows, read in one background job."""

    members: list[MemberInfo]
    me: str | None
    settings: HandoffSettings
    accounts: list[tuple[int, str]]


def moved_text(handover: Handover) -> str:
    """What moved, in words: "3 open hand-offs moved to Sofia Reyes"."""
    parts = []
    if handover.moved_to:
        targets = ", ".join(f"{count} to {name}" for name, count in handover.moved_to.items())
        if len(handover.moved_to) == 1:
            (name,) = handover.moved_to
            parts.append(f"{plural(handover.handoffs_moved, 'open hand-off')} moved to {name}")
        else:
            parts.append(f"{plural(handover.handoffs_moved, 'open hand-off')} moved: {targets}")
    if handover.leads_moved:
        parts.append(f"{plural(handover.leads_moved, 'lead')} changed owner")
    if handover.leads_unowned:
        parts.append(f"{plural(handover.leads_unowned, 'lead')} now have no owner")
    if handover.rules:
        named = ", ".join(repr(rule) for rule in handover.rules)
        parts.append(f"{named} still name them: edit those assignment rules")
    return "; ".join(parts)


EMPTY_TEAM = (
    "Nobody is on the team yet. Click Add… and start with yourself (the first person added is "
    "you on this computer), then add your sales reps: hand-offs need at least one."
)


class TeamSettings(QWidget):
    """The members table with Add, Edit, Deactivate/Reactivate and Remove, "this computer acts
    as", and the team's hand-off settings."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.members: list[MemberInfo] = []
        self.me: str | None = None
        self.loaded = False
        self.dialog: MemberDialog | HandoverDialog | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(
            hint_label(
                "Everyone who works on leads. Sales reps and managers receive hand-offs by your "
                "assignment rules; follow-up deadlines count in each member's own time zone."
            )
        )
        layout.addLayout(self._build_identity())
        self.empty_label = hint_label(EMPTY_TEAM)
        self.empty_label.setStyleSheet("font-weight: 600;")
        self.empty_label.hide()
        layout.addWidget(self.empty_label)
        layout.addLayout(self._build_table(), 1)
        self.settings_box = HandoffSettingsBox(context, self)
        self.settings_box.saved.connect(lambda: self._tell("Hand-off settings saved."))
        self.settings_box.reload_requested.connect(self.load)
        layout.addWidget(self.settings_box)
        self._update_buttons()

    def _build_identity(self) -> QHBoxLayout:
        self.me_combo = QComboBox()
        self.me_combo.setMinimumContentsLength(28)
        self.me_combo.activated.connect(self._me_chosen)
        caption = QLabel("This computer &acts as:")
        caption.setBuddy(self.me_combo)
        self.me_hint = hint_label(
            "Kept in this computer's preferences for this database: on a shared team database "
            "each laptop says which member it is. The sales queue and alerts follow it."
        )
        row = QHBoxLayout()
        row.addWidget(caption)
        row.addWidget(self.me_combo)
        row.addWidget(self.me_hint, 1)
        return row

    def _build_table(self) -> QVBoxLayout:
        self.model = MembersTableModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.verticalHeader().setVisible(False)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(MembersTableModel.COL_HOURS, QHeaderView.ResizeMode.Stretch)
        self.view.activated.connect(lambda _index: self.edit())  # double-click or Enter
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        delete = QAction(self.view)
        delete.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        delete.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        delete.triggered.connect(self.remove)
        self.view.addAction(delete)
        self.add_button = QPushButton("&Add…")
        self.add_button.setProperty("primary", True)
        self.edit_button = QPushButton("&Edit…")
        self.active_button = QPushButton("&Deactivate…")
        self.remove_button = QPushButton("&Remove…")
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.active_button.clicked.connect(self.toggle_active)
        self.remove_button.clicked.connect(self.remove)
        self.notice_label = QLabel("")
        self.notice_label.setWordWrap(True)
        self.notice_label.setStyleSheet("color: #166534;")
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.active_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addSpacing(12)
        buttons.addWidget(self.notice_label, 1)
        column = QVBoxLayout()
        column.addWidget(self.view, 1)
        column.addLayout(buttons)
        return column

    # -- reading ----------------------------------------------------------------------------

    def load(self) -> None:
        """Read the team, "me", the hand-off settings and the sender accounts."""
        db = self.context.db

        def read(_progress: Any) -> TeamView:
            with db.session() as session:
                accounts = [
                    (a.id, f"{a.name} <{a.from_address}>")
                    for a in session.scalars(select(SenderAccount).order_by(SenderAccount.id))
                ]
                members = list_members(session)
                self.settings_box.guard.remember(session)
                return TeamView(members, my_email(db), load_settings(session), accounts)

        self.context.runner.run(read, on_done=self._loaded, write=False, label="Loading the team")

    def _loaded(self, view: TeamView) -> None:
        selected = self.selected()
        self.members, self.me = view.members, view.me
        self.model.set_members(view.members, view.me)
        self._fill_me_combo()
        self.settings_box.show_settings(view.settings, view.accounts)
        if selected is not None:
            self._select(selected.id)
        self.empty_label.setVisible(not view.members)
        self.loaded = True
        self._update_buttons()

    def _fill_me_combo(self) -> None:
        self.me_combo.clear()
        self.me_combo.addItem("Nobody (choose later)", None)
        for member in self.members:
            suffix = "" if member.active else ", inactive"
            self.me_combo.addItem(f"{member.name} ({member.role_label}{suffix})", member.email)
        self.me_combo.setCurrentIndex(max(0, self.me_combo.findData(self.me)))

    def selected(self) -> MemberInfo | None:
        """The selected member."""
        rows = self.view.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def _select(self, member_id: int) -> None:
        for row, member in enumerate(self.model.rows):
            if member.id == member_id:
                self.view.selectRow(row)

    def _update_buttons(self, *_args: Any) -> None:
        member = self.selected()
        for button in (self.edit_button, self.active_button, self.remove_button):
            button.setEnabled(member is not None)
        self.active_button.setText(
            "Re&activate" if member is not None and not member.active else "&Deactivate…"
        )

    # -- "who am I" -------------------------------------------------------------------------

    def _me_chosen(self, index: int) -> None:
        email = self.me_combo.itemData(index)
        set_me(self.context.db, email)
        self.me = email
        self.model.set_members(self.members, email)
        name = next((m.name for m in self.members if m.email == email), None)
        self._tell(
            f"This computer now acts as {name}." if name else "This computer acts as nobody."
        )
        self._changed(reload=False)

    # -- member actions ---------------------------------------------------------------------

    def add(self) -> None:
        """Open the form for a new member."""
        first = not self.members
        self.dialog = MemberDialog(self.context, parent=self)
        self.dialog.saved.connect(lambda info: self._added(info, first))
        self.dialog.open()

    def _added(self, info: MemberInfo, first: bool) -> None:
        if first and adopt_if_unset(self.context.db, info.email):
            self._tell(
                f"Added {info.name}. As the first person on the team, {info.name} is you on this "
                "computer (change it under “This computer acts as”)."
            )
        else:
            self._tell(f"Added {info.name}.")
        self._changed()

    def edit(self) -> None:
        """Open the form for the selected member."""
        member = self.selected()
        if member is None:
            return
        self.dialog = MemberDialog(self.context, member, parent=self)
        self.dialog.saved.connect(lambda info: self._edited(member, info))
        self.dialog.open()

    def _edited(self, before: MemberInfo, info: MemberInfo) -> None:
        if before.email == self.me and info.email != before.email:
            set_me(self.context.db, info.email)  # still the same person on this computer
        self._tell(f"Saved {info.name}.")
        self._changed()

    def toggle_active(self) -> None:
        """Deactivate the selected member (asking where their hand-offs go), or reactivate."""
        member = self.selected()
        if member is None:
            return
        if not member.active:
            self._run(member, "reactivate", None, False)
            return
        self.dialog = HandoverDialog(member, self.members, removing=False, parent=self)
        dialog = self.dialog
        dialog.accepted.connect(lambda: self._run(member, "deactivate", *dialog.choice()))
        dialog.open()

    def remove(self) -> None:
        """Remove the selected member after asking where their hand-offs and leads go."""
        member = self.selected()
        if member is None:
            return
        self.dialog = HandoverDialog(member, self.members, removing=True, parent=self)
        dialog = self.dialog
        dialog.accepted.connect(lambda: self._run(member, "remove", *dialog.choice()))
        dialog.open()

    def _run(self, member: MemberInfo, action: str, target: int | None, automatic: bool) -> None:
        db, now = self.context.db, self.context.clock.now()

        def job(_progress: Any) -> Handover | None:
            with db.write() as session:
                row = session.get_one(TeamMember, member.id)
                if action == "reactivate":
                    reactivate_member(session, row)
                    return None
                by = current_member(session, db)
                to = session.get_one(TeamMember, target) if target is not None else None
                work = remove_member if action == "remove" else deactivate_member
                return work(session, row, reassign_to=to, automatic=automatic, by=by, now=now)

        def done(handover: Handover | None) -> None:
            if action == "remove" and member.email == my_email(db):
                set_me(db, None)
            text = {
                "reactivate": f"{member.name} receives leads again.",
                "deactivate": f"{member.name} no longer receives leads.",
                "remove": f"Removed {member.name} from the team.",
            }[action]
            moved = moved_text(handover) if handover is not None else ""
            self._tell(f"{text} {sentence(moved)}" if moved else text)
            self._changed()

        def failed(error: BaseException) -> None:
            title = f"{member.name} was not {action}d"
            QMessageBox.warning(self, title, sentence(str(error)))

        self.context.runner.run(job, on_done=done, on_error=failed, label="Updating the team")

    # -- helpers ----------------------------------------------------------------------------

    def _tell(self, text: str) -> None:
        self.notice_label.setText(text)
        window = self.window()
        status = getattr(window, "statusBar", None)
        if window is not self and callable(status):
            status().showMessage(text, 6000)

    def _changed(self, *, reload: bool = True) -> None:
        """Tell every page the team changed (the Settings page reloads its tabs, this one too)."""
        page = self.parent()
        while page is not None and not hasattr(page, "data_changed"):
            page = page.parent()
        if page is not None:
            page.data_changed.emit()  # type: ignore[attr-defined]
        elif reload:
            self.load()


def team_tab(context: AppContext) -> tuple[str, QWidget]:
    """The Team tab of Settings."""
    return "Team", TeamSettings(context)
