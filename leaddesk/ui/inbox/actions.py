"""Bulk actions on the inbox selection: hand to sales, owner, status, sequence, tags, export,
merge, delete, forget.

Every action runs on the database-writer thread; destructive ones ask first and say how many
leads they touch.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMenu, QMessageBox, QWidget
from sqlalchemy import select

from leaddesk.db.models import Lead, Sequence
from leaddesk.handoff.batch import HandoffReport, hand_leads_to_sales
from leaddesk.inbox import bulk
from leaddesk.inbox.export import export_leads
from leaddesk.inbox.forget import ERASURE_WAITING, ForgetReport, forget_leads
from leaddesk.inbox.merge import merge_leads
from leaddesk.sequences.enrollment import EnrollResult, enroll_leads
from leaddesk.ui.inbox.handoff_dialog import HandoffChoices, HandToSalesDialog, load_choices
from leaddesk.ui.models.inbox_table import CLOCKED_STATUSES, STATUS_LABELS
from leaddesk.ui.sales_queue.outcome_jobs import OutcomeChoices
from leaddesk.ui.sales_queue.outcome_jobs import load_choices as load_outcome_choices
from leaddesk.ui.sales_queue.outcomes import LeadRef, LostDialog

if TYPE_CHECKING:
    from leaddesk.ui.pages.inbox import InboxPage


def confirm(parent: QWidget, title: str, text: str, action: str) -> bool:
    """Ask before a destructive action; True when the user chose ``action``."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=parent)
    box.setObjectName("confirmDialog")
    yes = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is yes


def leads_text(count: int) -> str:
    """``"1 lead"`` / ``"12 leads"``."""
    return f"{count:,} lead" + ("" if count == 1 else "s")


class BulkActions(QObject):
    """Builds the Actions menu and runs what it offers on the page's selected leads."""

    def __init__(self, page: InboxPage) -> None:
        super().__init__(page)
        self.page = page
        self.menu = QMenu(page)
        self.handoff_action = QAction("Hand to sales…", page)
        self.handoff_action.setObjectName("handToSalesAction")
        self.handoff_action.setShortcut(QKeySequence("Ctrl+H"))
        self.handoff_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.handoff_action.setToolTip(
            "Give the selected leads to a rep with a follow-up deadline (Ctrl+H)"
        )
        self.handoff_action.triggered.connect(self.ask_hand_to_sales)
        page.addAction(self.handoff_action)
        self.menu.addAction(self.handoff_action)
        self.lost_action = self.menu.addAction("Mark lost…", self.ask_mark_lost)
        self.lost_action.setToolTip(
            "Record the selected leads as lost with one reason; each goes back to marketing "
            "by that reason's recycle policy"
        )
        self.lost_dialog: LostDialog | None = None
        self.menu.addSeparator()
        self.owner_menu = self.menu.addMenu("Assign owner")
        status_menu = self.menu.addMenu("Set status")
        for value, text in STATUS_LABELS.items():
            if value not in CLOCKED_STATUSES:
                status_menu.addAction(text, partial(self.set_status, value))
        self.report_box: QMessageBox | None = None
        self.sequence_menu = self.menu.addMenu("Enroll in sequence")
        self.menu.addAction("Add tag…", self._ask_add_tag)
        self.menu.addAction("Remove tag…", self._ask_remove_tag)
        self.menu.addSeparator()
        self.menu.addAction("Export selection…", self._ask_export)
        self.merge_action = self.menu.addAction(
            "Merge the two selected leads…", self.merge_selected
        )
        self.menu.addSeparator()
        self.menu.addAction("Delete…", self.delete_selected)
        self.menu.addAction("Forget (erase personal data)…", self.forget_selected)
        self.menu.aboutToShow.connect(self._update_menu)
        self.owners: list[tuple[int, str]] = []
        self.sequences: list[tuple[int, str]] = []

    def _update_menu(self) -> None:
        self.owner_menu.clear()
        self.owner_menu.addAction("Nobody", lambda: self.assign_owner(None))
        for owner_id, name in self.owners:
            self.owner_menu.addAction(name, partial(self.assign_owner, owner_id))
        self.merge_action.setEnabled(len(self.page.selected_ids()) == 2)
        self.sequence_menu.clear()
        for sequence_id, name in self.sequences:
            self.sequence_menu.addAction(name, partial(self.enroll, sequence_id, name))
        self.sequence_menu.setEnabled(bool(self.sequences))

    # --- actions --------------------------------------------------------------------------
    def assign_owner(self, owner_id: int | None) -> None:
        """Give the selected leads to ``owner_id`` (None: nobody)."""
        self._bulk(
            lambda s, ids, now: bulk.assign_owner(s, ids, owner_id, now=now),
            "Assigning owner",
            lambda n: f"Changed the owner of {leads_text(n)}.",
        )

    def set_status(self, status: str) -> None:
        """Move the selected leads to ``status``."""
        label = STATUS_LABELS.get(status, status)
        self._bulk(
            lambda s, ids, now: bulk.set_status(s, ids, status, now=now),
            "Setting status",
            lambda n: f"Moved {leads_text(n)} to {label}.",
        )

    def add_tag(self, tag: str) -> None:
        """Tag the selected leads."""
        self._bulk(
            lambda s, ids, now: bulk.add_tag(s, ids, tag, now=now),
            "Tagging",
            lambda n: f"Tagged {leads_text(n)} “{tag.strip()}”.",
        )

    def remove_tag(self, tag: str) -> None:
        """Untag the selected leads."""
        self._bulk(
            lambda s, ids, now: bulk.remove_tag(s, ids, tag, now=now),
            "Removing tag",
            lambda n: f"Removed “{tag.strip()}” from {leads_text(n)}.",
        )

    def enroll(self, sequence_id: int, name: str, *, ask: bool = True) -> None:
        """Enroll the selected leads in a sequence (after confirmation: emails will follow)."""
        ids = self.page.selected_ids()
        if not ids:
            return
        if ask and not confirm(
            self.page,
            "Enroll in sequence",
            f"Enroll {leads_text(len(ids))} in “{name}”? They start receiving its emails on "
            "its schedule. Leads already in it, suppressed or closed are skipped.",
            f"Enroll {leads_text(len(ids))}",
        ):
            return

        def enroll(session: Any, lead_ids: list[int], now: Any) -> EnrollResult:
            return enroll_leads(session, session.get(Sequence, sequence_id), lead_ids, now=now)

        def message(result: EnrollResult) -> str:
            skipped = len(result.already) + len(result.refused)
            extra = (
                f" ({skipped:,} skipped: already in it, suppressed or closed)" if skipped else ""
            )
            return f"Enrolled {leads_text(len(result.enrolled))} in “{name}”{extra}."

        self._bulk(enroll, "Enrolling", message)

    def delete_selected(self, *, ask: bool = True) -> None:
        """Delete the selected leads after confirmation."""
        ids = self.page.selected_ids()
        if not ids:
            return
        if ask and not confirm(
            self.page,
            "Delete leads",
            f"Delete {leads_text(len(ids))} with their history? This cannot be undone.\n\n"
            "A later import may bring them back; use Forget to prevent that.",
            f"Delete {leads_text(len(ids))}",
        ):
            return
        self._bulk(
            lambda s, ids, _now: bulk.delete_leads(s, ids),
            "Deleting leads",
            lambda n: f"Deleted {leads_text(n)}.",
        )

    def forget_selected(self, *, ask: bool = True) -> None:
        """Erase the selected people everywhere, keeping only a hash of each address."""
        ids = self.page.selected_ids()
        if not ids:
            return
        if ask and not confirm(
            self.page,
            "Forget people",
            f"Erase everything about {leads_text(len(ids))}: profile, history, emails and "
            "replies. Only a hash of each address is kept so they are never imported or "
            "mailed again. This cannot be undone.",
            f"Forget {leads_text(len(ids))}",
        ):
            return

        db = self.page.context.db

        def done(reports: list[ForgetReport]) -> None:
            waiting = "" if all(r.erased for r in reports) else f" {ERASURE_WAITING}"
            self.page.after_write(f"Forgot {leads_text(len(reports))}.{waiting}")

        self.page.context.runner.run(
            lambda _progress: forget_leads(db, ids),
            on_done=done,
            on_error=lambda error: self.page.show_error("Forgetting", error),
            label="Forgetting",
        )

    def merge_selected(self, *, ask: bool = True) -> None:
        """Merge the two selected leads into the one that was selected first."""
        ids = self.page.selected_ids()
        if len(ids) != 2:
            return
        survivor, other = ids
        if ask and not confirm(
            self.page,
            "Merge leads",
            f"Merge lead #{other} into lead #{survivor}? Its history, tasks, tags and "
            "sequences move over and it is deleted.",
            "Merge",
        ):
            return
        self._bulk(
            lambda s, _ids, now: merge_leads(s, survivor, other, now=now),
            "Merging",
            lambda _r: f"Merged lead #{other} into #{survivor}.",
        )

    def export_selected(self, path: Path) -> None:
        """Export the selected leads (or all listed leads when none is selected)."""
        ids = self.page.selected_ids() or list(self.page.model.ids)
        db = self.page.context.db

        def job(_progress: Any) -> int:
            with db.session() as session:
                return export_leads(session, ids, path)

        self.page.context.runner.run(
            job,
            on_done=lambda n: self.page.show_message(f"Exported {leads_text(n)} to {path.name}."),
            on_error=lambda e: self.page.show_error("Export", e),
            write=False,
            label="Exporting",
        )

    def hand_to_sales(self, lead_ids: list[int], member_id: int | None, reason: str) -> None:
        """Hand ``lead_ids`` to ``member_id`` (None: by the rules) in one write job."""
        db, now = self.page.context.db, self.page.context.clock.now()

        def job(_progress: Any) -> HandoffReport:
            with db.write() as session:
                return hand_leads_to_sales(
                    session, db, lead_ids, member_id=member_id, reason=reason, now=now
                )

        self.page.context.runner.run(
            job,
            on_done=self._handed,
            on_error=lambda error: self.page.show_error("Handing to sales", error),
            label="Handing to sales",
        )

    def _handed(self, report: HandoffReport) -> None:
        detail = self.page.detail
        if detail.isVisible() and detail.lead_id in report.lead_ids:
            detail.reload()
        self.page.after_write(report.summary())
        problems = report.problems()
        if problems:
            box = QMessageBox(
                QMessageBox.Icon.Information,
                "Hand to sales",
                report.headline(),
                QMessageBox.StandardButton.Ok,
                self.page,
            )
            box.setObjectName("handoffReport")
            box.setTextFormat(Qt.TextFormat.PlainText)  # lead names are text, not markup
            box.setInformativeText("\n".join(f"• {line}" for line in problems))
            box.open()  # not blocking: the inbox has already reloaded behind it
            self.report_box = box

    # --- dialogs --------------------------------------------------------------------------
    def ask_mark_lost(self) -> None:
        """Ask why the selected leads (or the open lead) were lost, then mark them lost."""
        ids = self.page.selected_ids()
        detail = self.page.detail
        if not ids and detail.isVisible() and detail.lead_id is not None:
            ids = [detail.lead_id]
        if not ids:
            self.page.show_message("Select the leads that were lost first.")
            return
        db = self.page.context.db

        def load(_progress: Any) -> tuple[OutcomeChoices, list[LeadRef]]:
            with db.session() as session:
                rows = session.execute(
                    select(Lead.id, Lead.first_name, Lead.last_name, Lead.email).where(
                        Lead.id.in_(ids)
                    )
                )
                names = {i: " ".join(p for p in (f, la) if p) or e for i, f, la, e in rows}
                leads = [LeadRef(i, names[i]) for i in ids if i in names]
                return load_outcome_choices(session, ids), leads

        self.page.context.runner.run(
            load, on_done=self._ask_lost, write=False, label="Reading the reasons"
        )

    def _ask_lost(self, loaded: tuple[OutcomeChoices, list[LeadRef]]) -> None:
        choices, leads = loaded
        if not leads:
            return  # deleted meanwhile
        dialog = LostDialog(self.page.context, leads, choices, self.page)
        self.lost_dialog = dialog  # kept for tests, which fill it in and press OK
        dialog.accepted.connect(lambda: self._lost(dialog.message))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _lost(self, message: str) -> None:
        detail = self.page.detail
        if detail.isVisible():
            detail.reload()
        self.page.after_write(message)

    def ask_hand_to_sales(self) -> None:
        """Ctrl+H: ask who gets the selected leads (or the open lead), then hand them over."""
        ids = self.page.selected_ids()
        detail = self.page.detail
        if not ids and detail.isVisible() and detail.lead_id is not None:
            ids = [detail.lead_id]
        if not ids:
            self.page.show_message("Select the leads to hand to sales first.")
            return
        db = self.page.context.db

        def load(_progress: Any) -> HandoffChoices:
            with db.session() as session:
                return load_choices(session, db)

        def ask(choices: HandoffChoices) -> None:
            dialog = HandToSalesDialog(choices, len(ids), self.page)
            if dialog.exec():
                self.hand_to_sales(ids, dialog.member_id(), dialog.reason())

        self.page.context.runner.run(load, on_done=ask, write=False, label="")

    def _ask_add_tag(self) -> None:
        tag, ok = QInputDialog.getText(self.page, "Add tag", "Tag for the selected leads:")
        if ok and tag.strip():
            self.add_tag(tag)

    def _ask_remove_tag(self) -> None:
        tags = self.page.known_tags()
        tag, ok = QInputDialog.getItem(self.page, "Remove tag", "Tag to remove:", tags, 0, True)
        if ok and tag.strip():
            self.remove_tag(tag)

    def _ask_export(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self.page, "Export leads", "leads.xlsx", "Excel (*.xlsx);;CSV (*.csv)"
        )
        if name:
            self.export_selected(Path(name))

    # --- running --------------------------------------------------------------------------
    def _bulk(
        self,
        action: Callable[[Any, list[int], Any], Any],
        label: str,
        message: Callable[[Any], str],
    ) -> None:
        ids = self.page.selected_ids()
        if not ids:
            self.page.show_message("Select some leads first.")
            return
        db = self.page.context.db
        now = self.page.context.clock.now()

        def job(_progress: Any) -> Any:
            with db.write() as session:
                return action(session, ids, now)

        self.page.context.runner.run(
            job,
            on_done=lambda result: self.page.after_write(message(result)),
            on_error=lambda error: self.page.show_error(label, error),
            label=label,
        )
